"""The connections a run shares: one HTTP client, one arXiv API client, one pacer, one retry
policy, and the full-text reader over them, all built from Settings so every endpoint, delay
and budget is configurable."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from briefgen.core.settings import Settings
from briefgen.infra.net import Pacer, RetryPolicy, http_client, user_agent

if TYPE_CHECKING:  # the network libraries load when a run first needs them
    import httpx

    from briefgen.read.fulltext import FullTextReader, PageCache
    from briefgen.sources.arxiv_api import ArxivApiClient


class Remote:
    def __init__(self, settings: Settings) -> None:
        """Each retry is one warning (briefgen.infra.net's log)."""
        self.settings = settings
        self.policy = RetryPolicy.for_web_service(settings.network)
        self.pacer = Pacer(settings.sources.arxiv_delay_seconds)
        self._http: httpx.Client | None = None
        self._arxiv: ArxivApiClient | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = http_client(self.settings.network.http_timeout_seconds,
                                     self.settings.sources.contact)  # fmt: skip
        return self._http

    @property
    def arxiv(self) -> ArxivApiClient:
        if self._arxiv is None:
            from briefgen.sources.arxiv_api import ArxivApiClient

            self._arxiv = ArxivApiClient(
                self.settings.sources.arxiv_api_url,
                agent=user_agent(self.settings.sources.contact),
                pacer=self.pacer,
                policy=self.policy,
                timeout=self.settings.network.http_timeout_seconds,
            )
        return self._arxiv

    def fulltext_reader(self, cache: PageCache | None) -> FullTextReader:
        from briefgen.read.fulltext import FullTextReader  # lxml, when a page is first read

        return FullTextReader(
            self.http,
            self.settings.sources.arxiv_html_url,
            policy=self.policy,
            cache=cache,
            budget=self.settings.sources.fulltext_budget,
            concurrency=self.settings.sources.fulltext_concurrency,
        )

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        if self._arxiv is not None:
            self._arxiv.close()

    def __enter__(self) -> Remote:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""What every remote call shares: a descriptive User-Agent, timeouts, and one retry policy.

Retries back off exponentially on the failures that pass (timeouts, dropped connections, 429
and 5xx), honour a server's Retry-After, and end in an `UpstreamError` (exit 6) that names the
service, so a service that stays down gives one clear line instead of a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import tenacity

from briefgen import __version__
from briefgen.core.errors import UpstreamError

if TYPE_CHECKING:  # httpx is imported where a request is made: a papers-file run needs none
    import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is not worth waiting out in a CLI run

T = TypeVar("T")


def user_agent(contact: str = "") -> str:
    """arXiv asks automated clients to say who they are and how to reach them."""
    details = "research-brief generator" + (f"; {contact}" if contact else "")
    return f"briefgen/{__version__} ({details})"


class RetryableStatus(Exception):
    """An HTTP status worth retrying, carrying the server's Retry-After if it sent one."""

    def __init__(self, service: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"{service} answered HTTP {status}")
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def server_retry_after(error: BaseException) -> float | None:
    """The wait a server asked for: our RetryableStatus, or any SDK error carrying its HTTP
    response (the Anthropic SDK's APIStatusError does)."""
    if isinstance(error, RetryableStatus):
        return error.retry_after
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    return retry_after_seconds(headers.get("retry-after"))


class Pacer:
    """At most one request every `delay` seconds (arXiv counts its API and RSS together)."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay = delay
        self._clock = clock
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self.delay - (self._clock() - self._last)
            if remaining > 0:
                time.sleep(remaining)

    def mark(self) -> None:
        self._last = self._clock()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    wait: float = 2.0  # the first backoff; it doubles on each retry
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep  # tests record the waits instead

    def run(
        self,
        service: str,
        call: Callable[[], T],
        retry_on: Callable[[BaseException], bool],
        hint: str = "",
    ) -> T:
        """`call()` with retries on what `retry_on` accepts; UpstreamError once they run out."""
        backoff = tenacity.wait_exponential(multiplier=self.wait, max=self.max_wait)

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            asked = server_retry_after(error) if error is not None else None
            return asked if asked is not None else float(backoff(state))

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=wait,
            retry=tenacity.retry_if_exception(retry_on),
            reraise=True,
            sleep=self.sleep,
        )
        try:
            return retrying(call)
        except BaseException as exc:
            if not retry_on(exc):
                raise
            raise UpstreamError(
                f"{service} is unreachable after {self.attempts} attempts: "
                f"{describe_failure(exc)}; check your connection and try again later{hint}"
            ) from exc


_UNRESOLVED = ("NameResolutionError", "Name or service not known", "nodename nor servname",
               "getaddrinfo failed", "Temporary failure in name resolution")  # fmt: skip


def describe_failure(error: BaseException) -> str:
    """A short reason for the last failure, instead of a urllib3 repr a screen wide."""
    text = str(error)
    status = getattr(error, "status", None) or getattr(error, "status_code", None)
    if isinstance(status, int):
        return f"it answered HTTP {status}"
    if any(marker in text for marker in _UNRESOLVED):
        return "its host name does not resolve (no network?)"
    if "refused" in text.lower():
        return "the connection was refused"
    if "timed out" in text.lower() or "timeout" in type(error).__name__.lower():
        return "it timed out"
    if "EmptyPage" in type(error).__name__:
        return "it kept sending empty pages"
    return text if len(text) <= 160 else text[:159] + "…"


def is_transient_http(error: BaseException) -> bool:
    import httpx

    return isinstance(error, RetryableStatus | httpx.TransportError)


def http_client(timeout: float, contact: str = "") -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": user_agent(contact)},
        follow_redirects=True,
    )


def get_checked(
    client: httpx.Client, service: str, url: str, params: dict[str, str] | None = None
) -> httpx.Response:
    """GET `url`; a retryable status raises RetryableStatus, 404 is returned for the caller to
    judge, any other error status is an UpstreamError."""
    response = client.get(url, params=params)
    if response.status_code in RETRY_STATUSES:
        raise RetryableStatus(
            service, response.status_code, retry_after_seconds(response.headers.get("Retry-After"))
        )
    if response.status_code >= 400 and response.status_code != 404:
        raise UpstreamError(
            f"{service} refused the request: HTTP {response.status_code} for {response.url}"
        )
    return response

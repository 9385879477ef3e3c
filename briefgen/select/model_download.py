"""The embedding model's download from a Hugging Face endpoint (`embedding_url`), by
huggingface_hub's `snapshot_download`, on briefgen's terms.

The model is optional (TF-IDF ranks without it), so the download fails fast: connect within
5 s, read within at most 15 s (http_timeout_seconds when lower), at most 2 attempts, with
briefgen's retry lines. huggingface_hub's client would wait on its own timeouts and resume a
dropped file five times; here its transport hands every failure to briefgen's RetryPolicy
instead, whatever HF_* variables the user has set. Nothing of the user's Hugging Face setup
is read or written either: no token is sent (the endpoint may be any mirror), and the files and
huggingface_hub's bookkeeping live in the model's own folder, never in ~/.cache/huggingface.

The files land in a hidden staging folder beside the final one, renamed into place once
every file is there and whole (its size, and the SHA-256 the listing names for a large file):
a model folder that exists is a whole model. An interrupted download resumes from the staging
folder the next time, file by file.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx2

from briefgen.core.errors import UpstreamError
from briefgen.infra.net import (
    NO_ROUTE,
    REFUSED,
    RETRY_STATUSES,
    UNRESOLVED,
    RetryableStatus,
    RetryPolicy,
    UnreachableError,
    retry_after_seconds,
    user_agent,
)

if TYPE_CHECKING:
    from huggingface_hub.hf_api import ModelInfo

    from briefgen.core.settings import Settings

logger = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
DOWNLOAD_ATTEMPTS = 2


class DownloadFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TransportFailed(Exception):
    """A transport error of huggingface_hub's requests, in a type huggingface_hub does not
    retry: briefgen's RetryPolicy decides (the httpx2 error is its cause, for the wording)."""


class _WrongChecksum(Exception):
    pass


class _Guarded(httpx2.SyncByteStream):
    """A response body whose transport errors (a connection dropped half-way) reach
    briefgen's retry policy, not huggingface_hub's resume loop."""

    def __init__(self, inner: httpx2.SyncByteStream) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except httpx2.TransportError as exc:
            raise _TransportFailed(str(exc)) from exc

    def close(self) -> None:
        self._inner.close()


class _BoundedTransport(httpx2.BaseTransport):
    """Every request with briefgen's timeouts (huggingface_hub sets its own per request,
    which HF_HUB_DOWNLOAD_TIMEOUT and HF_HUB_ETAG_TIMEOUT lengthen); a retryable status or a
    transport error raised as one huggingface_hub passes on instead of retrying."""

    def __init__(self, timeout: httpx2.Timeout) -> None:
        self._inner = httpx2.HTTPTransport()
        self._timeout = timeout.as_dict()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.extensions["timeout"] = self._timeout
        try:
            response = self._inner.handle_request(request)
        except httpx2.TransportError as exc:
            raise _TransportFailed(str(exc)) from exc
        if response.status_code in RETRY_STATUSES:
            response.close()
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise RetryableStatus(request.url.host, response.status_code, wait)
        assert isinstance(response.stream, httpx2.SyncByteStream)  # a sync transport's
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=_Guarded(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


def _client(timeout: httpx2.Timeout, agent: str) -> httpx2.Client:
    return httpx2.Client(
        transport=_BoundedTransport(timeout),
        timeout=timeout,
        headers={"User-Agent": agent},
        follow_redirects=True,
    )


def _retryable(error: BaseException) -> bool:
    return isinstance(error, _TransportFailed | RetryableStatus)


def download_model(
    repo_id: str,
    files: tuple[str, ...],
    target: Path,
    settings: Settings,
) -> None:
    """The repository's `files` (the large one first: its size is announced) into `target`,
    which does not exist yet; DownloadFailed with one short reason when they cannot be had."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import (
        FileMetadataError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    base_url = settings.selection.embedding_url.rstrip("/")
    host = urlsplit(base_url).hostname or base_url
    read_timeout = min(READ_TIMEOUT, settings.network.http_timeout_seconds)
    policy = RetryPolicy(
        attempts=max(1, min(settings.network.http_retries, DOWNLOAD_ATTEMPTS)),
        wait=settings.network.retry_wait_seconds,
        retry_level=logging.INFO,  # the model is optional: its retries are not warnings
        timeout=read_timeout,
        timeout_setting="[network] http_timeout_seconds",
    )
    timeout = httpx2.Timeout(read_timeout, connect=min(CONNECT_TIMEOUT, read_timeout))
    client = partial(_client, timeout, user_agent(settings.sources.contact))
    staging = target.with_name(f".{target.name}.partial")
    run = partial(policy.run, host, retry_on=_retryable, url=f"{base_url}/{repo_id}")
    try:
        with _hub_set_for_the_download(client):
            listing_of = HfApi(endpoint=base_url, token=False).model_info
            listing = run(partial(listing_of, repo_id, files_metadata=True))
            sizes = _announce(listing, files, repo_id, f"to {target}")
            run(
                partial(
                    snapshot_download,
                    repo_id,
                    revision=listing.sha,  # the commit listed, so the files are of one version
                    endpoint=base_url,
                    token=False,
                    local_dir=staging,
                    cache_dir=staging / ".cache" / "huggingface" / "hub",
                    allow_patterns=list(files),
                    etag_timeout=read_timeout,
                    max_workers=1,
                )
            )
            _check_checksums(staging, sizes)
            try:
                staging.rename(target)  # the whole model appears at once
            except OSError:
                if not all((target / name).is_file() for name in files):
                    raise  # not another process's finished download: a real failure
    except UnreachableError as exc:
        raise DownloadFailed(_unreachable_reason(exc.reason, host)) from exc
    except RepositoryNotFoundError as exc:
        raise DownloadFailed(
            f"{host} has no repository {repo_id}: HTTP {_status(exc)}; check the repository id"
        ) from exc
    except _WrongChecksum as exc:
        shutil.rmtree(staging, ignore_errors=True)  # a server that sent it would send it again
        raise DownloadFailed(f"{host} sent a {exc} whose SHA-256 is not the one it names") from exc
    except UpstreamError as exc:
        raise DownloadFailed(str(exc).split("; ")[0]) from exc
    except HfHubHTTPError as exc:
        raise DownloadFailed(f"{host} answered HTTP {_status(exc)} for {repo_id}") from exc
    except LocalEntryNotFoundError as exc:  # its listing was refused: the cause says how
        status = _status(exc.__cause__ or exc)
        raise DownloadFailed(f"{host} answered HTTP {status} for {repo_id}") from exc
    except (FileMetadataError, ValueError, KeyError, TypeError) as exc:
        # A listing that is not the Hub's JSON (a captive portal's page), a file without a
        # commit or an ETag: not a Hugging Face endpoint's answers
        raise DownloadFailed(f"{host} does not answer as a Hugging Face endpoint") from exc
    except OSError as exc:
        raise DownloadFailed(f"cannot write {target.parent}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(target / ".cache", ignore_errors=True)  # huggingface_hub's bookkeeping


@contextmanager
def _hub_set_for_the_download(client: Callable[[], httpx2.Client]) -> Iterator[None]:
    """huggingface_hub's requests made by `client` (briefgen's timeouts and retries) and its
    progress bars off while the block runs (one "downloading" line says it); the progress bars
    as they were after it. The client factory stays briefgen's: huggingface_hub 2.4 can set it
    but not tell which one is in use (no public getter), and briefgen uses the Hub for nothing
    else, so a program that embeds briefgen and uses the Hub itself sets its own again."""
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import disable_progress_bars

    set_client_factory(client)
    with disable_progress_bars():
        yield


def _announce(
    listing: ModelInfo,
    files: tuple[str, ...],
    repo_id: str,
    where: str,
) -> dict[str, tuple[int | None, str | None]]:
    """Each file's size and SHA-256 as listed, after the one "downloading" line."""
    listed = {sibling.rfilename: sibling for sibling in listing.siblings or []}
    missing = [name for name in files if name not in listed]
    if missing:
        raise DownloadFailed(f"the repository lists no {missing[0]}; check the repository id")
    sizes = {
        name: (listed[name].size, lfs.sha256 if (lfs := listed[name].lfs) else None)
        for name in files
    }
    size = sizes[files[0]][0]
    shown = f" ({_size(size)})" if size else ""
    logger.info(f"downloading embedding model {repo_id}{shown} {where}")
    return sizes


def _check_checksums(folder: Path, sizes: dict[str, tuple[int | None, str | None]]) -> None:
    """huggingface_hub checks a file's length, not its content: a large file's SHA-256 is
    checked here against the one the listing names."""
    for name, (_, sha256) in sizes.items():
        if sha256 is None:
            continue
        digest = hashlib.sha256()
        with (folder / name).open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            (folder / name).unlink()
            raise _WrongChecksum(name)


def _status(error: BaseException) -> int:
    response = getattr(error, "response", None)
    return int(getattr(response, "status_code", 0))


def _unreachable_reason(problem: str, host: str) -> str:
    if problem == REFUSED:
        return f"connection refused by {host}"
    if problem == UNRESOLVED:
        return f"{host} does not resolve — no network?"
    if problem == NO_ROUTE:
        return f"no network route to {host}"
    return f"{host} is unreachable"


def _size(size: int) -> str:
    if size >= 10_000_000:
        return f"{size / 1e6:.0f} MB"
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    return f"{max(size / 1e3, 1):.0f} kB"

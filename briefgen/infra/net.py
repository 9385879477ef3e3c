"""What every remote call shares: a descriptive User-Agent, timeouts, and one retry policy.

Retries back off exponentially on the failures that pass (timeouts, dropped connections, 429
and 5xx), honour a server's Retry-After, say so in one warning each, and end in an
`UpstreamError` (exit 6) that says what happened. A host that refuses connections, does not
resolve or cannot be routed to is not retried: `UnreachableError` on the first attempt, since
waiting cannot fix that within a run.

Concurrent calls run in a `WorkerPool`: daemon threads whose retry waits a stop (Ctrl-C, a
run-stopping error) cuts short, and whose calls in flight never keep the process alive.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import tenacity

from briefgen import __version__
from briefgen.core.errors import UpstreamError

if TYPE_CHECKING:  # httpx is imported where a request is made: a papers-file run needs none
    import httpx

    from briefgen.core.settings import NetworkSettings

logger = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is not worth waiting out in a CLI run
# A host that does not even accept a connection within this is down or dropping packets; an
# answer may take longer to come (the read timeout, http_timeout_seconds).
CONNECT_TIMEOUT = 10.0
MIN_ATTEMPT = 1.0  # seconds: an attempt with less time left than this is not started

# When the call in progress (its retries included) must be over, by time.monotonic(): set by
# RetryPolicy.run for its thread, read by every request to cut its timeouts to what is left.
_deadline = threading.local()


def time_left() -> float | None:
    """Seconds until the current call's deadline, or None when it has none."""
    end: float | None = getattr(_deadline, "end", None)
    return None if end is None else end - time.monotonic()


def capped(timeout: float) -> float:
    """`timeout`, cut to what is left of the current call's deadline."""
    left = time_left()
    return timeout if left is None else max(0.1, min(timeout, left))

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
                pause(remaining)

    def mark(self) -> None:
        self._last = self._clock()


class UnreachableError(UpstreamError):
    """A host that refused the connection, does not resolve, or cannot be routed to. Retrying
    cannot help within a run, so whatever needs that host stops at its first failure."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # short: "connection refused", "host name does not resolve", …


class Interrupted(BaseException):
    """Raised in a worker of a stopped `WorkerPool` instead of waiting or calling again. A
    BaseException, so that no handler for a failed call mistakes it for one."""


_worker = threading.local()  # .stop: the Event of the WorkerPool running this thread


def _stop_event() -> threading.Event | None:
    stop: threading.Event | None = getattr(_worker, "stop", None)
    return stop


def pause(seconds: float) -> None:
    """Sleep; in a worker of a stopped pool, return at once by raising Interrupted. (The main
    thread's sleep is already cut short by Ctrl-C.)"""
    stop = _stop_event()
    if stop is None:
        time.sleep(seconds)
    elif stop.wait(seconds):
        raise Interrupted


def check_stopped() -> None:
    """Raise Interrupted in a worker whose pool was stopped: no new request is started."""
    stop = _stop_event()
    if stop is not None and stop.is_set():
        raise Interrupted


class WorkerPool:
    """At most `workers` daemon threads running submitted calls, with futures.

    `stop()` (from the thread that submits, when it is done, interrupted or failing) cancels
    what has not started, wakes the workers asleep in a retry wait (they raise Interrupted),
    and abandons calls in flight: their threads are daemons, so unlike ThreadPoolExecutor's
    (which the interpreter joins at exit) they never keep an interrupted run alive until a
    model or page answers."""

    def __init__(self, workers: int, name: str = "briefgen") -> None:
        self.size = max(1, workers)
        self.name = name
        self.stopped = threading.Event()
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        if self.stopped.is_set():
            _cancel(future)
            return future
        self._tasks.put((future, partial(fn, *args)))
        if len(self._threads) < self.size:
            thread = threading.Thread(
                target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return future

    def _work(self) -> None:
        _worker.stop = self.stopped
        while True:
            task = self._tasks.get()
            if task is None:
                return
            future, call = task
            if self.stopped.is_set():
                future.cancel()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call()
            except BaseException as exc:  # handed to whoever reads the future
                future.set_exception(exc)
            else:
                future.set_result(result)

    def stop(self) -> None:
        self.stopped.set()
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                _cancel(task[0])
        for _ in self._threads:
            self._tasks.put(None)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _cancel(future: Future[Any]) -> None:
    """Cancel a future that has not started, telling `wait` and `as_completed` too."""
    future.cancel()
    future.set_running_or_notify_cancel()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    wait: float = 2.0  # the first backoff; it doubles on each retry
    max_wait: float = 60.0
    sleep: Callable[[float], None] = pause  # tests record the waits instead
    retry_level: int = logging.WARNING  # each retry told at this level (a model download: INFO)
    timeout: float | None = None  # the per-request timeout, for "did not answer within 30 s"
    timeout_setting: str = ""  # the setting that changes it, named when requests time out
    # The whole call, every attempt and wait included, within this many seconds: a silent
    # server or a network dropping packets ends in an error this soon, not attempts × timeout.
    deadline: float | None = None
    # Services of this run that ran out of time: once one has, the network is likely down or
    # dropping packets, and every later call gets one attempt of CONNECT_TIMEOUT at most.
    timed_out: set[str] = field(default_factory=set, compare=False)

    @classmethod
    def for_web_service(cls, network: NetworkSettings) -> RetryPolicy:
        """The policy of one call to a web service (arXiv, Hugging Face, Zotero, a chat
        service): the [network] settings' attempts, first wait, timeout and deadline."""
        return cls(
            attempts=network.http_retries,
            wait=network.retry_wait_seconds,
            timeout=network.http_timeout_seconds,
            timeout_setting="[network] http_timeout_seconds",
            deadline=network.service_deadline_seconds,
        )

    def run(
        self,
        service: str,
        call: Callable[[], T],
        retry_on: Callable[[BaseException], bool],
        hint: str = "",
        url: str = "",
    ) -> T:
        """`call()` with retries on what `retry_on` accepts, told one line each;
        UnreachableError at once when the host cannot be reached at all, UpstreamError once
        the attempts run out. `hint` says where the address is set; `url` names the host."""
        backoff = tenacity.wait_exponential(multiplier=self.wait, max=self.max_wait)
        failures: list[str] = []
        outer = getattr(_deadline, "end", None)  # a call inside a call keeps the earlier end
        attempts, allowed = self.attempts, self.deadline
        if self.timed_out and allowed is not None:
            attempts, allowed = 1, min(allowed, CONNECT_TIMEOUT)
        # The longest an attempt waited: the read timeout, or less when the deadline is.
        within = self.timeout if allowed is None or self.timeout is None else min(
            self.timeout, allowed)  # fmt: skip
        if allowed is not None:
            end = time.monotonic() + allowed
            _deadline.end = end if outer is None else min(outer, end)

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            asked = server_retry_after(error) if error is not None else None
            chosen = asked if asked is not None else float(backoff(state))
            left = time_left()
            return chosen if left is None else max(0.0, min(chosen, left - MIN_ATTEMPT))

        def stop(state: tenacity.RetryCallState) -> bool:
            """After the last attempt, or when too little time is left for another."""
            left = time_left()
            return state.attempt_number >= attempts or (left is not None and left < MIN_ATTEMPT)

        def retryable(error: BaseException) -> bool:
            return retry_on(error) and connection_problem(error) is None

        def attempt() -> T:
            check_stopped()
            try:
                return call()
            except Exception as exc:
                if retryable(exc):
                    failures.append(describe_failure(exc, within))
                raise

        fetching = f" ({_shown(url)})" if url else ""

        def announce(state: tenacity.RetryCallState) -> None:
            delay = state.upcoming_sleep
            when = f"retrying in {_seconds(delay)}" if delay > 0 else "retrying now"
            logger.log(
                self.retry_level,
                f"{service}{fetching} {failures[-1]} on attempt {state.attempt_number}/"
                f"{attempts}; {when}"
            )

        retrying = tenacity.Retrying(
            stop=stop,
            wait=wait,
            retry=tenacity.retry_if_exception(retryable),
            reraise=True,
            sleep=self.sleep,
            before_sleep=announce,
        )
        try:
            return retrying(attempt)
        except Exception as exc:
            if not retry_on(exc):
                raise
            if failures and _is_timeout_text(failures[-1]):
                self.timed_out.add(service)
            earlier = sorted(self.timed_out - {service})
            if failures and allowed is not None and attempts == 1 and earlier:
                failures[-1] += (f", tried once: {earlier[0]} ran out of time earlier in this "
                                 "run")  # fmt: skip
            elif allowed is not None and 0 < len(failures) < attempts:
                # Stopped by the deadline, not the attempts: said so, with the setting.
                failures[-1] += (f" on attempt {len(failures)}, and the "
                                 f"{_seconds(allowed)} allowed ([network] "
                                 "service_deadline_seconds) ran out")  # fmt: skip
                failures = failures[-1:]
            problem = connection_problem(exc)
            if problem is not None:
                raise UnreachableError(
                    unreachable_message(service, problem, url or request_url(exc), hint),
                    problem,
                ) from exc
            raise UpstreamError(self._gave_up(service, failures, hint)) from exc
        finally:
            _deadline.end = outer

    def _gave_up(self, service: str, failures: list[str], hint: str) -> str:
        last = failures[-1] if failures else "failed"
        if len(failures) <= 1:
            message = f"{service} {last}"
        elif len(set(failures)) == 1:
            every = "both" if len(failures) == 2 else f"all {len(failures)}"
            message = f"{service} {last} on {every} attempts"
        else:
            message = f"{service} {last} on attempt {len(failures)}/{len(failures)}"
        if _is_timeout_text(last):
            advice = "try again later"
            if self.timeout_setting:
                advice += f", or raise {self.timeout_setting} if it is only slow"
            return f"{message}; {advice}{hint}"
        return f"{message}; try again later"


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") + " s"


# what went wrong --------------------------------------------------------------------------------

REFUSED = "connection refused"
UNRESOLVED = "host name does not resolve"
NO_ROUTE = "network unreachable"

_UNRESOLVED = ("NameResolutionError", "Name or service not known", "nodename nor servname",
               "getaddrinfo failed", "Temporary failure in name resolution",
               "No address associated with hostname")  # fmt: skip
_NO_ROUTE = ("Network is unreachable", "No route to host")
_STATUS_NAMES = {529: "overloaded"}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every error behind it: causes, contexts, and what urllib3 and requests
    keep in their arguments and `reason`."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        behind = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        behind += [arg for arg in current.args if isinstance(arg, BaseException)]
        stack += [e for e in behind if isinstance(e, BaseException)]


def _status(error: BaseException) -> int | None:
    status = getattr(error, "status", None) or getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


def connection_problem(error: BaseException) -> str | None:
    """REFUSED, UNRESOLVED or NO_ROUTE when the host could not be reached at all."""
    if _status(error) is not None:
        return None  # it answered
    for cause in _chain(error):
        if isinstance(cause, socket.gaierror):
            return UNRESOLVED
        if isinstance(cause, ConnectionRefusedError):
            return REFUSED
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return NO_ROUTE
    text = " ".join(str(cause) for cause in _chain(error))
    if any(marker in text for marker in _UNRESOLVED):
        return UNRESOLVED
    if "Connection refused" in text:
        return REFUSED
    if any(marker in text for marker in _NO_ROUTE):
        return NO_ROUTE
    return None


def request_url(error: BaseException) -> str:
    """The URL of the request that failed, where an error carries it (httpx, requests, the
    Anthropic SDK)."""
    for cause in _chain(error):
        try:
            request = getattr(cause, "request", None)
        except RuntimeError:  # httpx: an error raised outside a request has none
            continue
        url = getattr(request, "url", None)
        if url:
            return str(url)
    return ""


def _host_port(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return "", ""
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    return host, f"{shown}:{port}" if port else shown


def is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unreachable_message(service: str, problem: str, url: str = "", hint: str = "") -> str:
    """One line that says what happened, naming the network only where it is the cause."""
    host, where = _host_port(url)
    if problem == REFUSED:
        if host and is_local(host):
            server = "Ollama" if where.endswith(":11434") else "the server"
            return f"{service} refused the connection on {where} — is {server} running?{hint}"
        return f"{service} refused the connection{f' on {where}' if where else ''}{hint}"
    if problem == UNRESOLVED:
        name = f"its host name {host}" if host else "its host name"
        return (
            f"{service} is unreachable: {name} does not resolve — check your network "
            f"connection{hint}"
        )
    target = f" to {host}" if host else ""
    return (
        f"{service} is unreachable: the network has no route{target} — check your network "
        f"connection{hint}"
    )


def _timeout_kind(error: BaseException) -> str | None:
    """The kind of timeout the failure was: "connect", "read", "other", or None."""
    kind = None
    for cause in _chain(error):
        names = {cls.__name__ for cls in type(cause).__mro__}
        if names & {"ConnectTimeout", "ConnectTimeoutError"}:
            return "connect"
        if names & {"ReadTimeout", "ReadTimeoutError"}:
            return "read"
        if isinstance(cause, TimeoutError) or any("Timeout" in name for name in names):
            kind = "other"
    return kind


def _is_timeout_text(description: str) -> bool:
    return description.startswith(("did not answer", "did not accept", "timed out"))


def describe_failure(error: BaseException, timeout: float | None = None) -> str:
    """What a failed attempt did, to follow the service's name: "answered HTTP 503 (service
    unavailable)", "did not answer within 30 s"; never a urllib3 repr a screen wide."""
    status = _status(error)
    if status is not None:
        try:
            name = _STATUS_NAMES.get(status) or HTTPStatus(status).phrase.lower()
        except ValueError:
            name = ""
        return f"answered HTTP {status}" + (f" ({name})" if name else "")
    within = f" within {_seconds(timeout)}" if timeout else " in time"
    kind = _timeout_kind(error)
    if kind == "connect":
        if timeout:
            within = f" within {_seconds(min(CONNECT_TIMEOUT, timeout))}"
        return f"did not accept the connection{within}"
    if kind == "read":
        return f"did not answer{within}"
    if kind == "other":
        return "timed out"
    problem = connection_problem(error)
    if problem is not None:
        return {
            REFUSED: "refused the connection",
            UNRESOLVED: "could not be found (its host name does not resolve)",
            NO_ROUTE: "could not be reached (no route)",
        }[problem]
    if "EmptyPage" in type(error).__name__:
        return "sent an empty page"
    text = " ".join(str(error).split())
    for cause in _chain(error):
        names = {cls.__name__ for cls in type(cause).__mro__}
        if names & {"RemoteProtocolError", "ConnectionResetError", "RemoteDisconnected",
                    "ProtocolError", "ConnectionAbortedError"}:  # fmt: skip
            return "dropped the connection"
    text = text if len(text) <= 160 else text[:159] + "…"
    return f"failed: {text}"


def is_transient_http(error: BaseException) -> bool:
    import httpx

    return isinstance(error, RetryableStatus | httpx.TransportError)


def _shown(url: str) -> str:
    """A URL as a retry line names it: host and path, no query (it may carry a key)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.netloc else url


def http_client(timeout: float, contact: str = "") -> httpx.Client:
    """A client whose requests wait `timeout` for an answer, CONNECT_TIMEOUT for a
    connection, and never past the deadline of the call they are part of."""
    import httpx

    def cap(request: httpx.Request) -> None:
        left = time_left()
        if left is not None:
            request.extensions["timeout"] = {
                name: None if value is None else capped(value)
                for name, value in request.extensions.get("timeout", {}).items()
            }

    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
        headers={"User-Agent": user_agent(contact)},
        follow_redirects=True,
        event_hooks={"request": [cap]},
    )


def get_checked(
    client: httpx.Client, service: str, url: str, params: dict[str, str] | None = None
) -> httpx.Response:
    """GET `url`, its status judged by `check_status`."""
    return check_status(client.get(url, params=params), service)


def check_status(response: httpx.Response, service: str) -> httpx.Response:
    """`response`, whose status (its body need not be read yet): a retryable one raises
    RetryableStatus, 404 is returned for the caller to judge, any other error status is an
    UpstreamError."""
    if response.status_code in RETRY_STATUSES:
        raise RetryableStatus(
            service, response.status_code, retry_after_seconds(response.headers.get("Retry-After"))
        )
    if response.status_code >= 400 and response.status_code != 404:
        raise UpstreamError(
            f"{service} refused the request: HTTP {response.status_code} for {response.url}"
        )
    return response

"""Failures that are visible and fast, and a Ctrl-C that ends the run.

A host that refuses connections or does not resolve stops what needs it at its first attempt;
a server that never answers costs the configured timeout per attempt, each one a visible
line; messages say what happened and name the network only when it is the cause; Ctrl-C ends
a run within about a second, keeping what was analysed. Wall times are measured with generous
bounds: these check behaviour (seconds where it used to be a minute), they are no benchmark.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import UpstreamError
from briefgen.core.models import Paper
from briefgen.engines.providers.anthropic_provider import AnthropicProvider
from briefgen.engines.providers.openai_provider import OpenAIProvider
from briefgen.infra.net import (
    Interrupted,
    RetryPolicy,
    UnreachableError,
    WorkerPool,
    describe_failure,
    http_client,
    is_transient_http,
)
from briefgen.infra.store import Store
from briefgen.read.fulltext import FullTextReader
from tests.conftest import DEAD, REPO, SECRET_KEY
from tests.fakes import FakeAnthropic, FakeServer, Reply, Request, static
from tests.scenario import DATA

RETRY_LINE = re.compile(r"^warning: .* on attempt \d+/\d+; retrying (now|in [\d.]+ s)$", re.M)
NETWORK_WORDS = ("check your connection", "network")


def blames_the_network(err: str) -> bool:
    """Whether `err` tells the user their connection is at fault (the [network] table that
    names a setting to raise does not count)."""
    said = err.replace("[network]", "")
    return any(word in said for word in NETWORK_WORDS)


@pytest.fixture
def slow_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry waits long enough that a single retry would break the time bounds below."""
    monkeypatch.setenv("BRIEFGEN_NETWORK__RETRY_WAIT_SECONDS", "5")


class SilentServer:
    """A TCP server that accepts every connection and never answers; `close` ends it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)  # so that `close` ends the accepting thread at once
        self.held: list[socket.socket] = []
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.closed:
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.closed = True
        for connection in self.held:
            connection.close()
        self.sock.close()
        self.thread.join(timeout=2)


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str, float]:
    result, seconds = timed(lambda: runner.invoke(app, list(args)))
    return result.exit_code, result.stdout, result.stderr, seconds


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


# refused and unresolved hosts: one attempt, one reason ----------------------------------------


def test_a_refused_arxiv_api_stops_at_the_first_attempt(
    runner: CliRunner, slow_retries: None
) -> None:
    code, _, err, seconds = invoke(
        runner, "papers", "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG"
    )
    assert code == 6
    assert seconds < 4  # was 15.7 s with the default waits: 4 attempts, 2 + 4 + 8 s apart
    assert errors(err) == [
        "error: the arXiv API refused the connection on 127.0.0.1:9 — is the server running? "
        "(BRIEFGEN_SOURCES__ARXIV_API_URL points briefgen at a mirror)"
    ]
    assert not RETRY_LINE.search(err)  # nothing to retry: a refusal stays a refusal
    assert not blames_the_network(err)  # a local refusal is no network fault


def test_a_refused_anthropic_endpoint_stops_every_analysis_at_once(
    runner: CliRunner,
    small_papers: Path,
    slow_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET_KEY)  # ANTHROPIC_BASE_URL: a closed port
    code, out, err, seconds = invoke(
        runner, "analyze", "--papers", str(small_papers), "--provider", "anthropic",
        "--concurrency", "1",
    )  # fmt: skip
    assert code == 6 and out == ""
    assert seconds < 5  # was 30 s: each of the 6 papers retried on its own
    assert errors(err) == [
        "error: the Anthropic API refused the connection on 127.0.0.1:9 — is the server "
        "running? (ANTHROPIC_BASE_URL points the SDK at another endpoint)"
    ]
    assert "every selected paper failed" not in err  # one reason for the run, not per paper
    assert not RETRY_LINE.search(err)
    calls = re.search(r"(\d+) calls \((\d+) failed\)", err)
    assert calls is not None and int(calls.group(1)) <= 2  # the cache warm-up and one paper


def test_a_refused_openai_compatible_endpoint_is_one_line_too(
    runner: CliRunner, small_papers: Path, slow_retries: None
) -> None:
    code, _, err, seconds = invoke(
        runner, "analyze", "--papers", str(small_papers), "--provider", "openai",
        "--model", "qwen", "--concurrency", "1",
    )  # fmt: skip
    assert code == 6 and seconds < 4
    assert errors(err) == [
        "error: the OpenAI-compatible API refused the connection on 127.0.0.1:9 — is the "
        "server running? (BRIEFGEN_MODEL__OPENAI_BASE_URL points briefgen at another endpoint)"
    ]


def refusing(calls: list[str], error: BaseException | None = None) -> httpx.Client:
    """A client whose every request fails to connect, as a closed port (or `error`) does."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        try:
            raise error or ConnectionRefusedError(111, "Connection refused")
        except OSError as cause:
            raise httpx.ConnectError(f"[Errno {cause.errno}] {cause.strerror}") from cause

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_local_ollama_that_is_not_running_is_named(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []
    provider = OpenAIProvider(
        base_url="http://127.0.0.1:11434/v1", api_key=None, client=refusing(calls),
        policy=RetryPolicy(attempts=4, wait=30),
    )  # fmt: skip
    with pytest.raises(UnreachableError) as caught:
        provider.complete(
            model="qwen", system="s", messages=[{"role": "user", "content": "x"}],
            schema={"type": "object"}, max_tokens=100,
        )  # fmt: skip
    message = str(caught.value)
    assert message.startswith(
        "the OpenAI-compatible API refused the connection on 127.0.0.1:11434 — is Ollama running?"
    )
    assert not blames_the_network(message)
    assert len(calls) == 1 and caplog.messages == []  # no retry, no 30 s wait
    assert caught.value.exit_code == 6


def test_a_host_name_that_does_not_resolve_names_the_network() -> None:
    calls: list[str] = []
    client = refusing(calls, socket.gaierror(-3, "Temporary failure in name resolution"))
    reader = FullTextReader(
        client, "https://arxiv.org/html/", policy=RetryPolicy(attempts=4, wait=30), cache=None
    )
    page = reader.fetch(paper("2602.20001v1"))
    assert page.parsed is None and len(calls) == 1
    assert reader.unreachable is not None
    assert str(reader.unreachable) == (
        "arXiv HTML is unreachable: its host name arxiv.org does not resolve — check your "
        "network connection (BRIEFGEN_SOURCES__ARXIV_HTML_URL points briefgen at another endpoint)"
    )


def paper(versioned: str) -> Paper:
    paper_id, version = versioned.split("v")
    return Paper(
        id=paper_id, version=f"v{version}", title=f"Paper {paper_id}", authors=["A. Author"],
        abstract="An abstract.", categories=["cs.LG"], published=date(2026, 2, 18),
    )  # fmt: skip


PAPERS = [paper(f"2602.2000{n}v1") for n in range(1, 6)]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_refused_html_host_stops_fetching_the_rest(concurrency: int) -> None:
    calls: list[str] = []
    reader = FullTextReader(
        refusing(calls), "http://127.0.0.1:9/html/", cache=None, concurrency=concurrency,
        policy=RetryPolicy(attempts=4, wait=30),
    )  # fmt: skip
    texts, seconds = timed(lambda: reader.read_all(PAPERS))
    assert seconds < 2
    assert 1 <= len(calls) <= concurrency  # only the fetches already under way asked
    assert all(text.read_from == "abstract" for text in texts.values())
    assert {text.note for text in texts.values()} == {
        "arXiv HTML is unreachable (connection refused)"
    }
    # The summary tells the truth (it used to say "0 fetched, the rest from the store").
    assert reader.summary(texts) == (
        "full text: 0 of 5 papers from arXiv HTML: arXiv HTML is unreachable (connection "
        "refused); read from abstracts"
    )


def test_the_fulltext_summary_counts_the_store_and_the_fetches(
    server: FakeServer, tmp_path: Path
) -> None:
    page = (DATA / "html" / "2602.20001v1.html").read_bytes()

    def pages(request: Request) -> Reply:
        if request.path.endswith(("20001v1", "20002v1")):
            return Reply(body=page, content_type="text/html")
        return Reply(status=404, body=b"no")

    server.route("/html/", pages)
    with Store.open(tmp_path) as store:
        first = FullTextReader(
            http_client(5), f"{server.url}/html/", policy=RetryPolicy(attempts=2, wait=0),
            cache=store,
        )  # fmt: skip
        texts = first.read_all(PAPERS[:1])
        assert first.summary(texts) == "full text: 1 of 1 papers from arXiv HTML (1 fetched)"
        again = FullTextReader(
            http_client(5), f"{server.url}/html/", policy=RetryPolicy(attempts=2, wait=0),
            cache=store,
        )  # fmt: skip
        texts = again.read_all(PAPERS[:3])
    assert again.summary(texts) == (
        "full text: 2 of 3 papers from arXiv HTML (1 fetched, 1 from the store); 1 read from "
        "abstracts: 1 without an HTML version"
    )


def test_the_fulltext_summary_counts_each_reason_for_reading_an_abstract(
    server: FakeServer,
) -> None:
    page = (DATA / "html" / "2602.20001v1.html").read_bytes()

    def pages(request: Request) -> Reply:
        if request.path.endswith("20001v1"):
            return Reply(body=page, content_type="text/html")
        if request.path.endswith("20002v1"):
            return Reply(status=404, body=b"no")
        return Reply(status=500, body=b"broken")

    server.route("/html/", pages)
    reader = FullTextReader(
        http_client(5), f"{server.url}/html/", policy=RetryPolicy(attempts=1, wait=0), cache=None
    )
    texts = reader.read_all(PAPERS[:3])
    assert reader.summary(texts) == (
        "full text: 1 of 3 papers from arXiv HTML (1 fetched); 2 read from abstracts: "
        "1 without an HTML version, 1 could not be fetched"
    )


def test_a_refused_html_host_costs_the_run_no_time(
    runner: CliRunner, small_papers: Path, slow_retries: None
) -> None:
    code, _, err, seconds = invoke(
        runner, "analyze", "--papers", str(small_papers), "--fulltext", "--provider", "offline"
    )
    assert code == 0, err  # read from the abstracts instead
    assert seconds < 5  # was 28.7 s: each of the 6 pages retried on its own
    # Said in the summary or a warning, whichever reports it (never "check your connection").
    assert "arXiv HTML is unreachable (connection refused)" in err
    assert not blames_the_network(err)
    assert not RETRY_LINE.search(err)


# a server that never answers: the timeout per attempt, each one visible ------------------------


@pytest.mark.parametrize(
    ("variable", "path", "args", "service"),
    [
        ("BRIEFGEN_SOURCES__HF_API_URL", "/api/daily_papers", ["--source", "hf"],
         "the Hugging Face daily papers API"),
        ("BRIEFGEN_SOURCES__ARXIV_API_URL", "/api/query", ["--source", "arxiv", "-c", "cs.LG"],
         "the arXiv API"),
    ],
)  # fmt: skip
def test_a_server_that_never_answers_costs_the_timeout_per_attempt(
    runner: CliRunner,
    silent: SilentServer,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    path: str,
    args: list[str],
    service: str,
) -> None:
    monkeypatch.setenv(variable, silent.url + path)
    monkeypatch.setenv("BRIEFGEN_NETWORK__HTTP_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("BRIEFGEN_NETWORK__HTTP_RETRIES", "2")
    code, _, err, seconds = invoke(runner, "papers", "--date", "2026-02-18", *args)
    assert code == 6
    assert 0.9 < seconds < 4  # 2 attempts × 0.5 s (was 2 min 16 s with the defaults)
    assert RETRY_LINE.findall(err) and err.splitlines()[-2:] == [
        f"warning: {service} ({silent.url.removeprefix('http://')}{path}) did not answer "
        "within 0.5 s on attempt 1/2; retrying now",
        f"error: {service} did not answer within 0.5 s on both attempts; try again later, or "
        f"raise [network] http_timeout_seconds if it is only slow ({variable} points briefgen at "
        + ("a mirror)" if "ARXIV" in variable else "another endpoint)"),
    ]
    assert not blames_the_network(err)


def test_a_model_server_that_never_answers_costs_the_model_timeout_per_attempt(
    silent: SilentServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = AnthropicProvider(
        api_key=SECRET_KEY, base_url=silent.url, timeout=0.5,
        policy=RetryPolicy(attempts=2, wait=0, timeout=0.5,
                           timeout_setting="[model] timeout_seconds"),
    )  # fmt: skip
    started = time.monotonic()
    with pytest.raises(UpstreamError) as caught:
        provider.complete(
            model="claude-haiku-4-5", system="s", messages=[{"role": "user", "content": "x"}],
            schema={"type": "object"}, max_tokens=100,
        )  # fmt: skip
    assert 0.9 < time.monotonic() - started < 4  # 2 attempts × 0.5 s
    host = silent.url.removeprefix("http://")  # a retry line names what it was fetching
    assert caplog.messages == [
        f"the Anthropic API ({host}) did not answer within 0.5 s on attempt 1/2; retrying now"
    ]
    assert str(caught.value).startswith(
        "the Anthropic API did not answer within 0.5 s on both attempts; try again later, or "
        "raise [model] timeout_seconds if it is only slow"
    )


# what the messages say ------------------------------------------------------------------------


def test_a_503_says_what_happened_and_nothing_about_the_network(
    runner: CliRunner, services: FakeServer
) -> None:
    services.route("/api/daily_papers", static("[]", content_type="application/json"))
    services.fail_next("/api/daily_papers", 503, 503, 503, 503)
    code, _, err, _ = invoke(runner, "papers", "--date", "2026-02-18", "--source", "hf")
    assert code == 6
    assert RETRY_LINE.findall(err) == ["now"] * 3  # one line per retry
    assert "warning: the Hugging Face daily papers API (" in err
    assert "/api/daily_papers) answered HTTP 503 (service unavailable) on attempt 1/4; retrying " \
        "now" in err  # fmt: skip
    assert errors(err) == [
        "error: the Hugging Face daily papers API answered HTTP 503 (service unavailable) on "
        "all 4 attempts; try again later"
    ]
    assert not blames_the_network(err)


def test_a_retry_line_names_the_service_the_reason_the_attempt_and_the_wait(
    server: FakeServer, anthropic_api: FakeAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    anthropic_api.enqueue(
        FakeAnthropic.error(529, "overloaded_error", "Overloaded"),
        FakeAnthropic.error(529, "overloaded_error", "Overloaded"),
    )
    waits: list[float] = []
    provider = AnthropicProvider(
        api_key=SECRET_KEY, base_url=server.url,
        policy=RetryPolicy(attempts=4, wait=2, sleep=waits.append),
    )  # fmt: skip
    provider.complete(
        model="claude-haiku-4-5", system="s", messages=[{"role": "user", "content": "Paper: X"}],
        schema={"type": "object"}, max_tokens=100,
    )  # fmt: skip
    host = server.url.removeprefix("http://")
    assert caplog.messages == [
        f"the Anthropic API ({host}) answered HTTP 529 (overloaded) on attempt {n}/4; retrying "
        f"in {wait} s"
        for n, wait in ((1, 2), (2, 4))
    ]
    assert waits == [2.0, 4.0]


def test_failures_are_described_by_what_happened() -> None:
    assert describe_failure(httpx.ReadTimeout("timed out"), 30) == "did not answer within 30 s"
    assert describe_failure(httpx.ConnectTimeout("timed out"), 2.5) == (
        "did not accept the connection within 2.5 s"
    )
    assert describe_failure(httpx.RemoteProtocolError("Server disconnected")) == (
        "dropped the connection"
    )


# Ctrl-C ----------------------------------------------------------------------------------------


def test_a_stopped_pool_wakes_its_workers_from_a_retry_wait() -> None:
    started = threading.Event()

    def flaky() -> None:
        started.set()
        raise httpx.ReadTimeout("timed out")

    policy = RetryPolicy(attempts=4, wait=30)
    pool = WorkerPool(1)
    future = pool.submit(policy.run, "a service", flaky, lambda e: isinstance(e, httpx.HTTPError))
    queued = pool.submit(lambda: "never run")
    assert started.wait(5)
    time.sleep(0.1)  # asleep in its 30 s wait
    _, seconds = timed(pool.stop)
    with pytest.raises(Interrupted):
        future.result(timeout=2)
    assert queued.cancelled()
    assert seconds < 0.5
    assert all(thread.daemon for thread in pool._threads)  # never keeps the process alive


# A child that installs Python's SIGINT handler even when started with SIGINT ignored (as a
# background job is), so the test sends the same Ctrl-C a terminal would.
CHILD = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['briefgen', *sys.argv[1:]]; runpy.run_module('briefgen', run_name='__main__')"
)


def test_ctrl_c_ends_the_run_at_once_and_the_rerun_reuses_what_was_done(
    server: FakeServer, small_papers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeAnthropic()
    release = threading.Event()  # lets the hanging requests go when the test is done
    asked: list[str] = []  # the analyses asked for
    answered: list[str] = []
    lock = threading.Lock()
    hang = {"after": 2}  # the model answers this many analyses, then never again

    def model(request: Request) -> Reply:
        if api.kind(request.json()) != "analysis":
            return api(request)
        with lock:
            asked.append(request.path)
            stuck = len(asked) > hang["after"]
        if stuck:
            release.wait(60)  # never answers (within the test)
        reply = api(request)
        with lock:
            answered.append(request.path)
        return reply

    server.route("/v1/messages", model)
    # The answers to the abandoned calls go to a closed connection: no traceback for them.
    monkeypatch.setattr(server.httpd, "handle_error", lambda request, address: None)
    env = {**os.environ, "BRIEFGEN_HOME": str(tmp_path / "home"),
           "ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": SECRET_KEY,
           "BRIEFGEN_NETWORK__RETRY_WAIT_SECONDS": "2"}  # fmt: skip
    args = [sys.executable, "-c", CHILD, "daily", "--papers", str(small_papers),
            "--date", "2026-02-18", "--provider", "anthropic", "--concurrency", "2"]  # fmt: skip
    try:
        child = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while len(asked) < 4 and time.monotonic() < deadline:  # 2 answered, 2 hanging
            time.sleep(0.05)
        assert len(asked) == 4 and len(answered) == 2
        time.sleep(0.5)  # the two answers are stored meanwhile
        child.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, err = child.communicate(timeout=30)
        seconds = time.monotonic() - interrupted
        assert child.returncode == 130, err
        assert seconds < 1.5, err  # was 28.7 s: the calls in flight were waited for
        assert "interrupted; finished work is kept in the store" in err

        hang["after"] = 10**6  # the model answers everything now
        asked.clear()
        rerun = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                               timeout=60)  # fmt: skip
    finally:
        release.set()
    assert rerun.returncode == 0, rerun.stderr
    assert "2 analyses reused from the store" in rerun.stderr
    assert len(asked) == 4  # the 6 selected papers, less the 2 analysed before Ctrl-C


def test_the_dead_port_is_dead() -> None:
    """The tests above rely on conftest's closed port refusing at once."""
    with pytest.raises(httpx.ConnectError):
        httpx.get(DEAD, timeout=2)


class DeafServer:
    """A listening socket that never accepts, its backlog full: a connection attempt waits
    unanswered, as on a network that drops packets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.fillers: list[socket.socket] = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # the handshake never completes
                filler.connect(self.sock.getsockname())
            self.fillers.append(filler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.sock.close()


@pytest.fixture
def deaf() -> Iterator[DeafServer]:
    server = DeafServer()
    yield server
    server.close()


def test_a_silent_listing_service_ends_within_the_deadline_and_says_so(
    runner: CliRunner, silent: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four attempts of a 1 s timeout would take 4 s and more; the 1.5 s deadline ends it,
    and the second service of the run (RSS, then the API) is tried once, briefly."""
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_RSS_URL", silent.url + "/rss/")
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_API_URL", silent.url + "/api/query")
    monkeypatch.setenv("BRIEFGEN_NETWORK__HTTP_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("BRIEFGEN_NETWORK__SERVICE_DEADLINE_SECONDS", "1.5")
    code, _, err, seconds = invoke(runner, "papers", "-c", "cs.CL")
    assert code == 6, err
    assert seconds < 4.5  # RSS within 1.5 s, the API once within 1.5 s (was 4 × 1 s each)
    assert "the arXiv RSS feed did not answer within 1 s on attempt 2, and the 1.5 s allowed " \
        "([network] service_deadline_seconds) ran out" in err or "1.5 s allowed" in err
    assert errors(err) == [
        "error: the arXiv API did not answer within 1 s, tried once: the arXiv RSS feed ran out "
        "of time earlier in this run; try again later, or raise [network] http_timeout_seconds "
        "if it is only slow (BRIEFGEN_SOURCES__ARXIV_API_URL points briefgen at a mirror)"
    ]


def test_a_host_that_never_accepts_ends_within_the_deadline(
    runner: CliRunner, deaf: DeafServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_API_URL", deaf.url + "/api/query")
    monkeypatch.setenv("BRIEFGEN_NETWORK__HTTP_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("BRIEFGEN_NETWORK__SERVICE_DEADLINE_SECONDS", "2.5")
    code, _, err, seconds = invoke(runner, "papers", "--date", "2026-02-18", "-c", "cs.LG")
    assert code == 6, err
    assert seconds < 4.5  # 4 attempts × 0.5 s would fit; the deadline ends it at 2.5 s at most
    assert f"warning: the arXiv API ({deaf.url.removeprefix('http://')}/api/query) did not " \
        "accept the connection within 0.5 s on attempt 1/4; retrying now" in err
    assert "([network] service_deadline_seconds) ran out" in errors(err)[0]


def test_a_refused_connection_after_another_service_ran_out_of_time_is_named(
    silent: SilentServer,
) -> None:
    """Once one service ran out of time, the next is tried once; if that one refuses the
    connection, it is said so (it was an internal error: no failure had been recorded)."""
    policy = RetryPolicy(attempts=2, wait=0, timeout=0.3, deadline=0.5)
    with httpx.Client(timeout=0.3) as client:
        with pytest.raises(UpstreamError, match="ran out"):
            policy.run("the first service", lambda: client.get(silent.url), is_transient_http,
                       url=silent.url)  # fmt: skip
        with pytest.raises(UnreachableError, match="the second service refused the connection"):
            policy.run("the second service", lambda: client.get("http://127.0.0.1:9/"),
                       is_transient_http, url="http://127.0.0.1:9/")  # fmt: skip

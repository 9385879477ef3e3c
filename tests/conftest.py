from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fakes import FakeAnthropic, FakeOpenAI, FakeServer

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SMALL = DATA / "papers-small.jsonl"
EXAMPLE = REPO / "examples" / "papers-2026-06-17.jsonl"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own store and config; the developer's own settings never leak in,
    nor a proxy that would carry the tests' 127.0.0.1 traffic somewhere else."""
    for key in list(os.environ):
        if key.startswith(("BRIEFGEN_", "ANTHROPIC_", "OPENAI_")) or key.lower().endswith("_proxy"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFGEN_HOME", str(home))
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small_papers() -> Path:
    return SMALL


@pytest.fixture
def example_papers() -> Path:
    return EXAMPLE


# No test may reach the internet: unless a test points them at its own local server, every
# endpoint is a closed local port, and retries neither wait nor pace.
DEAD = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def offline_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_ARXIV_API_URL", f"{DEAD}/api/query")
    monkeypatch.setenv("BRIEFGEN_ARXIV_RSS_URL", f"{DEAD}/rss/")
    monkeypatch.setenv("BRIEFGEN_ARXIV_HTML_URL", f"{DEAD}/html/")
    monkeypatch.setenv("BRIEFGEN_HF_API_URL", f"{DEAD}/api/daily_papers")
    monkeypatch.setenv("BRIEFGEN_EMBEDDING_URL", DEAD)
    monkeypatch.setenv("BRIEFGEN_ZOTERO_API_URL", DEAD)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", DEAD)
    monkeypatch.setenv("BRIEFGEN_OPENAI_BASE_URL", f"{DEAD}/v1")
    monkeypatch.setenv("BRIEFGEN_ARXIV_DELAY_SECONDS", "0")
    monkeypatch.setenv("BRIEFGEN_RETRY_WAIT_SECONDS", "0")
    monkeypatch.setenv("BRIEFGEN_HTTP_TIMEOUT_SECONDS", "5")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer().start()
    yield fake
    fake.stop()


@pytest.fixture
def services(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """Every endpoint pointed at `server` (routes are added by each test)."""
    monkeypatch.setenv("BRIEFGEN_ARXIV_API_URL", f"{server.url}/api/query")
    monkeypatch.setenv("BRIEFGEN_ARXIV_RSS_URL", f"{server.url}/rss/")
    monkeypatch.setenv("BRIEFGEN_ARXIV_HTML_URL", f"{server.url}/html/")
    monkeypatch.setenv("BRIEFGEN_HF_API_URL", f"{server.url}/api/daily_papers")
    return server


# A key no real account has; tests check that it never leaks into any output.
SECRET_KEY = "sk-ant-test-NEVER-PRINT-ME-0123456789"


@pytest.fixture
def anthropic_api(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    api = FakeAnthropic()
    server.route("/v1/messages", api)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET_KEY)
    return api


@pytest.fixture
def openai_api(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    api = FakeOpenAI()
    server.route("/v1/chat/completions", api)
    monkeypatch.setenv("BRIEFGEN_OPENAI_BASE_URL", f"{server.url}/v1")
    return api

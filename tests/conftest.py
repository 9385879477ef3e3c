"""Shared fixtures, and the guard that keeps the whole test session away from the user's own
HOME, config, store and API keys.

The guard runs when pytest imports this file: before any test module, any fixture of any scope
(a module-scoped fixture runs before the function-scoped ones) and any import of briefgen.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# No test may reach the internet: unless a test points them at its own local server, every
# endpoint is a closed local port, and retries neither wait nor pace.
DEAD = "http://127.0.0.1:9"
DEAD_ENDPOINTS = {
    "BRIEFGEN_SOURCES__ARXIV_API_URL": f"{DEAD}/api/query",
    "BRIEFGEN_SOURCES__ARXIV_RSS_URL": f"{DEAD}/rss/",
    "BRIEFGEN_SOURCES__ARXIV_HTML_URL": f"{DEAD}/html/",
    "BRIEFGEN_SOURCES__HF_API_URL": f"{DEAD}/api/daily_papers",
    "BRIEFGEN_SELECTION__EMBEDDING_URL": DEAD,
    "BRIEFGEN_SELECTION__ZOTERO_API_URL": DEAD,
    "ANTHROPIC_BASE_URL": DEAD,
    "BRIEFGEN_MODEL__OPENAI_BASE_URL": f"{DEAD}/v1",
    "BRIEFGEN_SOURCES__ARXIV_DELAY_SECONDS": "0",
    "BRIEFGEN_NETWORK__RETRY_WAIT_SECONDS": "0",
    "BRIEFGEN_NETWORK__HTTP_TIMEOUT_SECONDS": "5",
    "HF_HUB_OFFLINE": "1",  # in case a library reaches for the Hugging Face hub on its own
}
# Variables whose value could carry a key, a setting or the tests' traffic somewhere real.
_STRIPPED_PREFIXES = ("BRIEFGEN_", "ANTHROPIC_", "OPENAI_", "HF_", "HUGGINGFACE_", "ZOTERO_")


def _is_stripped(name: str) -> bool:
    # Any case: briefgen reads its variables' names as pydantic-settings does, case-blind.
    return name.upper().startswith(_STRIPPED_PREFIXES) or name.lower().endswith("_proxy")


def _guard_session() -> str:
    """Point HOME, the XDG folders and BRIEFGEN_HOME at a fresh temporary folder, drop every
    key, setting and proxy inherited from the user, and aim every endpoint at a closed port."""
    root = tempfile.mkdtemp(prefix="briefgen-tests-")
    atexit.register(shutil.rmtree, root, True)
    for name in [name for name in os.environ if _is_stripped(name)]:
        del os.environ[name]
    home = os.path.join(root, "home")
    os.environ["HOME"] = home
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):  # fmt: skip
        os.environ[var] = os.path.join(home, sub)
    os.environ["BRIEFGEN_HOME"] = os.path.join(root, "briefgen-home")
    os.environ.update(DEAD_ENDPOINTS)
    return root


SESSION_ROOT = _guard_session()

# Only now may anything that reads the environment be imported.
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from tests.fakes import FakeAnthropic, FakeOpenAI, FakeServer  # noqa: E402

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SMALL = DATA / "papers-small.jsonl"
EXAMPLE = REPO / "examples" / "papers-2026-06-17.jsonl"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own store and config; the developer's own settings never leak in,
    nor a proxy that would carry the tests' 127.0.0.1 traffic somewhere else."""
    for key in list(os.environ):
        if _is_stripped(key) and key not in DEAD_ENDPOINTS:
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


@pytest.fixture(autouse=True)
def offline_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from the closed ports again, whatever an earlier test pointed where."""
    for name, value in DEAD_ENDPOINTS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer().start()
    yield fake
    fake.stop()


@pytest.fixture
def services(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """Every endpoint pointed at `server` (routes are added by each test)."""
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_API_URL", f"{server.url}/api/query")
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_RSS_URL", f"{server.url}/rss/")
    monkeypatch.setenv("BRIEFGEN_SOURCES__ARXIV_HTML_URL", f"{server.url}/html/")
    monkeypatch.setenv("BRIEFGEN_SOURCES__HF_API_URL", f"{server.url}/api/daily_papers")
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
    monkeypatch.setenv("BRIEFGEN_MODEL__OPENAI_BASE_URL", f"{server.url}/v1")
    return api

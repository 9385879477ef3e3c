"""The test suite never spends the user's key or writes into their things.

A user runs the suite as the README says, under their own HOME: a config there chooses a paid
provider, their keys are in the environment, and BRIEFGEN_* variables point at their store and
endpoints. Here that user is simulated with a HOME of our own whose every endpoint is a local
recording server; the suite's modules run in a subprocess under it. Nothing may arrive at the
server, and nothing in that HOME may change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DEAD_ENDPOINTS, REPO, SESSION_ROOT
from tests.fakes import FakeServer, Reply

# Modules with fixtures of module or session scope (they run before any function-scoped
# fixture), with paid-provider paths, and with the CLI's plain runs.
MODULES = ["tests/test_blog_hugo.py", "tests/test_cli.py", "tests/test_weekly.py",
           "tests/test_embedding.py", "tests/test_model_engine.py",
           "tests/test_isolation.py::test_the_guard_ran_before_this_module"]  # fmt: skip
USER_KEY = "sk-ant-users-own-key-must-never-be-used"


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def test_the_guard_ran_before_this_module(tmp_path: Path) -> None:
    """Even outside a fixture, what this process sees is the session's own folder."""
    assert os.environ["HOME"].startswith(SESSION_ROOT)
    assert os.environ["XDG_CONFIG_HOME"].startswith(SESSION_ROOT)
    assert not any(key.startswith(("ANTHROPIC_API", "OPENAI_API")) for key in os.environ)
    # briefgen reads its variables' names in any case: only the guard's are left, in any case
    seen = {key for key in os.environ if key.upper().startswith("BRIEFGEN_")}
    assert seen <= {*DEAD_ENDPOINTS, "BRIEFGEN_HOME"}, seen


def test_suite_under_a_users_home_sends_nothing_and_writes_nothing(tmp_path: Path) -> None:
    recorder = FakeServer().start()
    recorder.route("/", lambda request: Reply(500, "recording server: no test may call me"))
    try:
        home = tmp_path / "user-home"
        store = home / ".local" / "share" / "briefgen"
        config = home / ".config" / "briefgen" / "config.toml"
        config.parent.mkdir(parents=True)
        store.mkdir(parents=True)
        config.write_text(
            'provider = "anthropic"\n'
            f'[model]\nopenai_base_url = "{recorder.url}/v1"\n'
            f'[selection]\nembedding_url = "{recorder.url}"\n',
            encoding="utf-8",
        )
        env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
        env.update(
            HOME=str(home),
            BRIEFGEN_HOME=str(store),
            BRIEFGEN_CONFIG=str(config),
            BRIEFGEN_PROVIDER="anthropic",
            ANTHROPIC_API_KEY=USER_KEY,
            ANTHROPIC_BASE_URL=recorder.url,
            OPENAI_API_KEY=USER_KEY,
            BRIEFGEN_MODEL__OPENAI_BASE_URL=f"{recorder.url}/v1",
            BRIEFGEN_SOURCES__ARXIV_API_URL=f"{recorder.url}/api/query",
            BRIEFGEN_SOURCES__ARXIV_RSS_URL=f"{recorder.url}/rss/",
            BRIEFGEN_SOURCES__ARXIV_HTML_URL=f"{recorder.url}/html/",
            BRIEFGEN_SOURCES__HF_API_URL=f"{recorder.url}/api/daily_papers",
            BRIEFGEN_SELECTION__EMBEDDING_URL=recorder.url,
            BRIEFGEN_SELECTION__ZOTERO_API_URL=recorder.url,
            # the names before the settings were grouped, still read
            BRIEFGEN_ARXIV_API_URL=f"{recorder.url}/api/query",
            BRIEFGEN_HF_API_URL=f"{recorder.url}/api/daily_papers",
            HTTP_PROXY=recorder.url,
            HTTPS_PROXY=recorder.url,
        )
        # A variable's name is read in any case: the user's lower-case twins as well.
        env.update({name.lower(): value for name, value in env.items()
                    if name.startswith("BRIEFGEN_")})  # fmt: skip
        before = snapshot(home)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *MODULES],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert " passed" in result.stdout
        assert recorder.requests == [], [f"{r.method} {r.path}" for r in recorder.requests]
        assert snapshot(home) == before
    finally:
        recorder.stop()

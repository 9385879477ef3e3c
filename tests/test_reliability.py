"""A bad afternoon at the API, a killed process, hostile papers, two processes at once, bad
input, and keys that must never leak."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.infra.store import MIGRATIONS
from briefgen.render.lint import compare_structures, lint_markdown
from tests.conftest import SECRET_KEY
from tests.fakes import FakeAnthropic, FakeServer

REPO = Path(__file__).parent.parent
HOSTILE = Path(__file__).parent / "data" / "hostile.jsonl"
EXAMPLE = REPO / "examples" / "papers-2026-06-17.jsonl"


def child_env(home: Path, server: FakeServer | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BRIEFGEN_", "ANTHROPIC_", "OPENAI_"))}  # fmt: skip
    env.update({"BRIEFGEN_HOME": str(home), "BRIEFGEN_NETWORK__RETRY_WAIT_SECONDS": "0",
                "BRIEFGEN_SOURCES__ARXIV_DELAY_SECONDS": "0", "PYTHONPATH": str(REPO)})  # fmt: skip
    if server is not None:
        env.update({"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": SECRET_KEY})
    env.update(extra)
    return env


def test_a_bad_afternoon_at_the_api(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, tmp_path: Path
) -> None:
    anthropic_api.faults = {"429": 0.20, "529": 0.10, "500": 0.05, "truncated": 0.05}
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["daily", "--papers", str(EXAMPLE), "--provider", "anthropic", "--lang", "both",
         "--output-dir", str(out), "--concurrency", "4"],
    )  # fmt: skip
    assert result.exit_code in (0, 4), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 4:  # a paper that truly failed is named
        named = r"papers? failed and (are|is) missing from the brief: 2606\."
        assert re.search(named, result.stderr)
    english = (out / "2026-06-17-brief.en.md").read_text()
    chinese = (out / "2026-06-17-brief.zh.md").read_text()
    assert lint_markdown(english) == [] and lint_markdown(chinese) == []
    assert compare_structures(english, chinese) == []
    injected = anthropic_api.injected
    assert injected.get("429", 0) and injected.get("529", 0) and injected.get("truncated", 0)


def test_kill_9_loses_nothing_already_paid_for(server: FakeServer, tmp_path: Path) -> None:
    api = FakeAnthropic(delay=0.15)
    server.route("/v1/messages", api)
    home = tmp_path / "home"
    output = tmp_path / "brief.md"
    output.write_text("yesterday's good brief\n")
    args = [sys.executable, "-m", "briefgen", "daily", "--papers", str(EXAMPLE),
            "--provider", "anthropic", "--concurrency", "2", "-o", str(output), "-q"]  # fmt: skip
    process = subprocess.Popen(args, env=child_env(home, server))
    deadline = time.monotonic() + 30
    while len(server.hits("/v1/messages")) < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first_run = {r.json()["messages"][0]["content"] for r in server.hits("/v1/messages")}
    assert len(first_run) >= 12
    assert output.read_text() == "yesterday's good brief\n"  # never half a file
    db = sqlite3.connect(home / "briefgen.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = db.execute("SELECT paper_id FROM analyses").fetchall()
    db.close()
    # Every answer received before the kill is stored; the calls in flight are simply lost.
    selected = len(server.hits("/v1/messages"))  # at most all of them were asked for
    assert 0 < len(stored) < selected

    before = len(server.requests)
    done = subprocess.run(args, env=child_env(home, server), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rerun = [r.json() for r in server.requests[before:]]
    asked_again = [b for b in rerun if api.kind(b) == "analysis"]
    db = sqlite3.connect(home / "briefgen.sqlite3")
    total = db.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
    db.close()
    assert len(asked_again) == total - len(stored) > 0  # nothing stored is bought twice
    assert lint_markdown(output.read_text()) == []


def test_hostile_papers_change_nothing_but_their_own_text(
    runner: CliRunner, tmp_path: Path
) -> None:
    markdown = runner.invoke(app, ["daily", "--papers", str(HOSTILE)])
    html = runner.invoke(app, ["daily", "--papers", str(HOSTILE), "--format", "html"])
    assert markdown.exit_code == 0 and html.exit_code == 0, markdown.stderr
    assert lint_markdown(markdown.stdout) == []  # sections, counts and links intact
    headings = [line for line in markdown.stdout.splitlines() if line.startswith("#")]
    assert not any("Sponsored" in h or "Heading" in h for h in headings)
    links = [
        str(child.attrGet("href"))
        for token in MarkdownIt("commonmark").enable("table").parse(markdown.stdout)
        for child in token.children or []
        if child.type == "link_open"
    ]  # what a markdown renderer really links
    assert links and all(link.startswith("https://arxiv.org/abs/2602.4000") for link in links)
    for document in (markdown.stdout, html.stdout):
        assert "<script" not in document and "<iframe" not in document
        assert "<img" not in document and "javascript:" not in document.replace("javascript:a", "")
        assert "\x1b" not in document and "\x00" not in document and "\u202e" not in document
    # In markdown not even a bare URL an autolinking renderer (GitHub, Hugo) would turn into a
    # link; in HTML it is text inside a link to the paper's arXiv page.
    assert "https://evil" not in markdown.stdout
    hrefs = [part.split('"', 1)[0] for part in html.stdout.split('href="')[1:]]
    papers = [h for h in hrefs if not h.startswith("#")]  # the rest: permalinks to headings
    assert papers and all(h.startswith("https://arxiv.org/abs/") for h in papers)
    assert all(re.fullmatch(r"#[\w-]+", h) for h in hrefs if h not in papers)
    assert "[0](https://arxiv.org/abs/2602.40007v1)" in markdown.stdout  # a title of "0"


def test_two_processes_on_one_store(tmp_path: Path) -> None:
    for attempt in range(3):
        home = tmp_path / f"home{attempt}"
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "briefgen",
                    "daily",
                    "--papers",
                    str(EXAMPLE),
                    "-q",
                    "--no-cache",
                    "-o",
                    str(tmp_path / f"brief{attempt}-{n}.md"),
                ],
                env=child_env(home),
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(2)
        ]
        for process in runs:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        first = (tmp_path / f"brief{attempt}-0.md").read_text()
        assert first == (tmp_path / f"brief{attempt}-1.md").read_text()
        db = sqlite3.connect(home / "briefgen.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
        db.close()


def test_the_key_appears_nowhere_even_with_sdk_debug_logs(
    server: FakeServer, anthropic_api: FakeAnthropic, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    out = tmp_path / "site"
    # The error path first (a rejected key), then a whole run with every log turned on.
    anthropic_api.enqueue(FakeAnthropic.error(401, "authentication_error", "invalid x-api-key"))
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "analyze", "--papers", str(EXAMPLE), "--provider",
         "anthropic", "--verbose", "--concurrency", "1"],
        env=child_env(home, server, ANTHROPIC_LOG="debug"), capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 5 and "set ANTHROPIC_API_KEY" in done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "briefgen", "daily", "--papers", str(EXAMPLE), "--provider",
         "anthropic", "--lang", "both", "--verbose", "--output-dir", str(out)],
        env=child_env(home, server, ANTHROPIC_LOG="debug"), capture_output=True, text=True,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "HTTP Request" in again.stderr or "Request options" in again.stderr  # logs were on
    everything = [done.stdout, done.stderr, again.stdout, again.stderr]
    everything += [
        p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()
    ]
    everything += [p.read_text() for p in out.rglob("*") if p.is_file()]
    for text in everything:
        assert SECRET_KEY not in text and "NEVER-PRINT" not in text


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-c", "cs.XYZ"], 2, "unknown arXiv category 'cs.XYZ'; valid ones include cs.AI"),
        (["--date", "2026-13-01"], 2, "invalid date '2026-13-01'"),
        (["--date", "yesterday"], 2, "invalid date 'yesterday'"),
    ],
)
def test_bad_input_is_one_line(runner: CliRunner, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, ["papers", "--papers", str(EXAMPLE), *args])
    assert result.exit_code == code and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_config_names_the_file_and_key(runner: CliRunner, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    config = isolated_home / "config.toml"
    config.write_text('[profiles.default]\nmax_papers = "many"\ncategories = ["stats.ML"]\n')
    result = runner.invoke(app, ["papers", "--papers", str(EXAMPLE)])
    assert result.exit_code == 5
    assert str(config) in result.stderr and "profiles.default.max_papers" in result.stderr
    assert "unknown arXiv category 'stats.ML'" in result.stderr
    config.write_text("[profiles.default\nmax_papers = 3\n")
    broken = runner.invoke(app, ["papers", "--papers", str(EXAMPLE)])
    assert broken.exit_code == 5 and "is not valid TOML" in broken.stderr

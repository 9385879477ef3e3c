"""The command line tells the truth: what a user does (a "no" at a question, -o on a folder, a
full disk, a closed pipe, Ctrl-C twice) is one line and the right exit code, never an internal
error; documents say what language they are in; --help shows every option as it works."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.main import get_command
from typer.testing import CliRunner

from briefgen import __version__
from briefgen.cli import admin, app, commands
from briefgen.cli.options import SETTING_FLAGS, Command
from briefgen.core.errors import describe_validation
from briefgen.core.settings import ModelSettings, Profile, Settings
from briefgen.infra.console import Reporter
from briefgen.render.lint import lint_markdown
from tests.conftest import REPO, SECRET_KEY, SMALL
from tests.fakes import FakeServer, Reply, Request

WEEK = ["--from", "2026-02-16", "--to", "2026-02-20"]


def run(runner: CliRunner, *args: str | Path, **kwargs: Any) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], **kwargs)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stored(runner: CliRunner, tmp_path: Path) -> Path:
    """A day briefed (so the store holds papers, analyses and a brief) and its JSON file."""
    brief = tmp_path / "stored" / "brief.json"
    code, _, err = run(runner, "daily", "--papers", SMALL, "-f", "json", "-o", brief)
    assert code == 0, err
    return brief


# 1. No internal error for what a user does --------------------------------------------------

# Each command that writes a document to a path, with {out} for that path.
WRITERS: dict[str, list[str]] = {
    "daily": ["daily", "--papers", str(SMALL), "-o", "{out}"],
    "daily html": ["daily", "--papers", str(SMALL), "-f", "html", "-o", "{out}"],
    "weekly": ["weekly", "--papers", str(SMALL), *WEEK, "-o", "{out}"],
    "analyze": ["analyze", "--papers", str(SMALL), "-o", "{out}"],
    "render": ["render", "{brief}", "-o", "{out}"],
    "feed": ["feed", "-o", "{out}"],
    "schema": ["schema", "-o", "{out}"],
    "config init": ["config", "init", "--force", "--config", "{out}"],
}

# Each command that prints to stdout.
PRINTERS: dict[str, list[str]] = {
    "daily": ["daily", "--papers", str(SMALL)],
    "daily --dry-run": ["daily", "--papers", str(SMALL), "--dry-run"],
    "weekly": ["weekly", "--papers", str(SMALL), *WEEK],
    "analyze": ["analyze", "--papers", str(SMALL)],
    "papers": ["papers", "--papers", str(SMALL)],
    "papers json": ["papers", "--papers", str(SMALL), "-f", "json"],
    "show": ["show", "2602.20001", "--abstract-only"],
    "lint": ["lint", "{fenced}"],
    "render": ["render", "{brief}"],
    "feed": ["feed"],
    "schema": ["schema"],
    "config show": ["config", "show"],
    "config path": ["config", "path"],
    "cache path": ["cache", "path"],
    "cache stats": ["cache", "stats"],
}


def _no_space(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _read_only(*args: object, **kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


# fault -> (exit code, what the one line says)
FAULTS = {
    "a directory": (2, "is a directory"),
    "a read-only folder": (2, "Permission denied"),
    "a full disk": (2, "No space left on device"),
    "/dev/full": (2, "No space left on device"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", list(WRITERS))
def test_an_unwritable_output_is_one_line_and_the_right_code(
    runner: CliRunner, stored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    command: str, fault: str,
) -> None:  # fmt: skip
    out = tmp_path / "out" / "doc"
    if fault == "a directory":
        out.mkdir(parents=True)
    elif fault == "/dev/full":
        if not Path("/dev/full").is_char_device():
            pytest.skip("no /dev/full here")
        out = Path("/dev/full")
    elif fault == "a read-only folder":  # as root chmod cannot refuse a write; the system can
        monkeypatch.setattr(tempfile, "mkstemp", _read_only)
    else:
        monkeypatch.setattr(os, "fsync", _no_space)
    args = [a.format(out=out, brief=stored) for a in WRITERS[command]]
    code, stdout, err = run(runner, *args)
    expected_code, message = FAULTS[fault]
    assert (code, stdout) == (expected_code, ""), err
    assert message in err and "internal error" not in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        line for line in err.splitlines()[-1:]
    ]  # one error line, the last
    if fault == "/dev/full":
        assert Path("/dev/full").is_char_device()  # written to, never replaced by a file
    if fault == "a full disk":
        assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


class _ClosedPipe(io.TextIOBase):
    """stdout after its reader went away (`briefgen … | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


class ClosedPipeRunner(CliRunner):
    @contextmanager
    def isolation(
        self, input: str | bytes | None = None, env: Any = None, color: bool = False
    ) -> Iterator[tuple[io.BytesIO, io.BytesIO, io.BytesIO]]:
        with super().isolation(input=input, env=env, color=color) as streams:
            kept = sys.stdout  # collected, it would close the runner's buffer
            sys.stdout = _ClosedPipe()
            yield streams
            del kept


@pytest.mark.parametrize("command", list(PRINTERS))
def test_a_closed_pipe_ends_quietly_with_141(
    stored: Path, tmp_path: Path, command: str
) -> None:
    fenced = tmp_path / "fenced.md"
    fenced.write_text("```markdown\n# AI Paper Insight Brief\n```\n")
    args = [a.format(brief=stored, fenced=fenced) for a in PRINTERS[command]]
    result = ClosedPipeRunner().invoke(app, args)
    assert result.exit_code == 141, result.stderr
    assert "error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [["config", "show"], ["daily", "--papers", str(SMALL), "-q"], ["papers", "--help"]]
)
def test_a_closed_pipe_in_a_real_process(tmp_path: Path, args: list[str]) -> None:
    """The reader is gone before briefgen writes: no traceback, no 'Exception ignored', 141."""
    read, write = os.pipe()
    os.close(read)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFGEN_")}
    env.update(BRIEFGEN_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", *args], stdout=write, stderr=subprocess.PIPE,
        env=env, cwd=REPO, timeout=60, check=False,
    )  # fmt: skip
    os.close(write)
    assert done.returncode == 141
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    assert b"error" not in done.stderr


def test_a_device_or_fifo_is_written_in_place(runner: CliRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run(runner, "daily", "--papers", SMALL, "-o", fifo)
    reader.join(10)
    assert code == 0, err
    assert received and received[0].startswith(b"# AI Paper Insight Brief")
    assert fifo.is_fifo()  # not replaced by a file


def test_an_output_dir_that_is_a_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "blog"
    blocker.write_text("")
    code, _, err = run(runner, "daily", "--papers", SMALL, "--output-dir", blocker)
    assert code == 2 and "is a file, not a directory" in err


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin, "stdin_is_terminal", lambda: True)


def analyses_stored(runner: CliRunner) -> int:
    _, out, _ = run(runner, "cache", "stats")
    match = re.search(r"analyses\s*│\s*(\d+)", out)
    assert match is not None
    return int(match.group(1))


@pytest.mark.parametrize(
    ("answer", "code", "message", "left"),
    [
        ("n\n", 0, "nothing was cleared", 6),
        ("\n", 0, "nothing was cleared", 6),  # the default is no
        ("", 130, "interrupted; nothing was cleared", 6),  # end of input (Ctrl-D)
        ("y\n", 0, "cleared ", 0),
    ],
)
def test_cache_clear_takes_no_for_an_answer(
    runner: CliRunner, stored: Path, terminal: None, answer: str, code: int, message: str,
    left: int,
) -> None:  # fmt: skip
    exit_code, _, err = run(runner, "cache", "clear", input=answer)
    assert exit_code == code and message in err
    assert "internal error" not in err and "Abort" not in err
    assert analyses_stored(runner) == left


def test_a_second_ctrl_c_never_prints_a_traceback(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while every analysis waits on a model that never answers, then Ctrl-C again
    while briefgen winds down: exit 130, one line, no traceback."""
    release = threading.Event()
    # The late replies find their client gone; that is expected, not worth a server traceback.
    monkeypatch.setattr(server.httpd, "handle_error", lambda *args: None)

    def never_answers(request: Request) -> Reply:
        release.wait(30)  # bounded: the server's thread ends with the test
        return Reply(status=529, body=b"{}", content_type="application/json")

    server.route("/v1/messages", never_answers)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BRIEFGEN_", "ANTHROPIC_", "OPENAI_"))}  # fmt: skip
    env.update(BRIEFGEN_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO),
               ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY=SECRET_KEY,
               BRIEFGEN_NETWORK__RETRY_WAIT_SECONDS="0")  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "daily", "--papers", str(SMALL), "--provider",
         "anthropic"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not server.hits("/v1/messages") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.hits("/v1/messages"), "the run never reached the model"
        child.send_signal(signal.SIGINT)
        time.sleep(0.002)  # the second one while the first is being handled
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
    finally:
        release.set()
        if child.poll() is None:
            child.kill()
            child.communicate()
    text = err.decode()
    assert child.returncode == 130, text
    assert "Traceback" not in text and "Exception ignored" not in text
    assert text.count("error: interrupted") == 1


SLOW_SHUTDOWN = """
import sys, time
from briefgen.cli.app import Interrupts
Interrupts.install()
try:
    print("ready", flush=True)
    time.sleep(30)
except KeyboardInterrupt:
    Interrupts.report(lambda: print("error: interrupted", file=sys.stderr, flush=True))
    print("winding down", flush=True)
    time.sleep(30)  # threads finishing, files closing: a second Ctrl-C must not wait for it
"""


def test_a_second_ctrl_c_during_a_slow_wind_down_leaves_at_once() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_SHUTDOWN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGINT)
        assert child.stdout.readline() == "winding down\n"
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130 and time.monotonic() - started < 5
    assert err == "error: interrupted\n"  # the first line only: no traceback, nothing more


# 3. Documents that say what they are --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["daily", "--papers", str(SMALL), "--lang", "zh"],
        ["daily", "--papers", str(SMALL), "--lang", "both", "--output-dir", "{tmp}"],
        ["daily", "--papers", str(SMALL), "--lang", "zh", "-f", "json"],
        ["weekly", "--papers", str(SMALL), *WEEK, "--lang", "zh"],
        ["analyze", "--papers", str(SMALL), "--lang", "zh"],
        ["render", "{brief}", "--lang", "zh"],
    ],
)
def test_chinese_with_english_text_says_so_in_one_line(
    runner: CliRunner, stored: Path, tmp_path: Path, args: list[str]
) -> None:
    args = [a.format(tmp=tmp_path / "out", brief=stored) for a in args]
    code, _, err = run(runner, *args)
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "English text" in notes[0] or "no Chinese text" in notes[0]
    code, _, err = run(runner, *args, "-q")
    assert "note:" not in err


def test_english_says_nothing_about_chinese(runner: CliRunner) -> None:
    code, _, err = run(runner, "daily", "--papers", SMALL)
    assert code == 0 and "note:" not in err


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize(
    "command",
    [["daily", "--papers", str(SMALL)], ["weekly", "--papers", str(SMALL), *WEEK],
     ["analyze", "--papers", str(SMALL)], ["render", "{brief}"]],
)  # fmt: skip
def test_two_languages_never_share_stdout(
    runner: CliRunner, stored: Path, tmp_path: Path, command: list[str], fmt: str
) -> None:
    args = [a.format(brief=stored) for a in command] + ["--lang", "both"]
    if command[0] != "analyze":
        args += ["-f", fmt]
    code, out, err = run(runner, *args)
    assert (code, out) == (2, "")
    assert "--output-dir" in err and "-o FILE" in err and "internal error" not in err
    # -o FILE: one file per language, each a whole document
    target = tmp_path / "post" / ("brief.html" if fmt == "html" else "brief.md")
    code, out, err = run(runner, *args, "-o", target)
    assert (code, out) == (0, ""), err
    written = sorted(p.name for p in target.parent.iterdir())
    assert written == [f"brief.en{target.suffix}", f"brief.zh{target.suffix}"]
    for path in target.parent.iterdir():
        text = path.read_text()
        if fmt == "html" and command[0] != "analyze":
            assert text.count("<!DOCTYPE html>") == 1
        elif command[0] != "analyze":
            assert lint_markdown(text) == []


def test_json_carries_both_languages_in_one_document(runner: CliRunner) -> None:
    code, out, err = run(runner, "daily", "--papers", SMALL, "--lang", "both", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["date"] == "2026-02-18"  # one document, whatever it holds


def test_both_from_the_config_says_where_it_came_from(
    runner: CliRunner, isolated_home: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('lang = "both"\n')
    code, _, err = run(runner, "daily", "--papers", SMALL)
    assert code == 2 and 'lang = "both" (from the config)' in err
    code, out, _ = run(runner, "daily", "--papers", SMALL, "--dry-run")
    assert code == 0 and out.startswith("Dry run")  # an estimate is one document


def test_analyze_output_dir(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, stdout, err = run(runner, "analyze", "--papers", SMALL, "--lang", "both",
                            "--output-dir", out)  # fmt: skip
    assert (code, stdout) == (0, ""), err
    assert sorted(p.name for p in out.iterdir()) == [
        "2026-02-18-report.en.md", "2026-02-18-report.zh.md",
    ]  # fmt: skip


# 4. Help that tells the truth ----------------------------------------------------------------


def all_commands() -> list[tuple[list[str], TyperCommand | TyperGroup]]:
    found: list[tuple[list[str], TyperCommand | TyperGroup]] = []

    def walk(path: list[str], command: TyperCommand | TyperGroup) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found.append((path, command))
            for name, sub in subcommands.items():
                walk([*path, name], sub)
        else:
            found.append((path, command))

    root = get_command(app)
    assert isinstance(root, TyperGroup)
    walk([], root)
    return found


WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}


def help_of(runner: CliRunner, path: list[str], env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, [*path, "--help"], env={**WIDE, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


def option_line(text: str, option: str) -> str:
    lines = [line for line in text.splitlines() if re.search(rf"│ {re.escape(option)}\b", line)]
    assert lines, f"{option} not in the help"
    return lines[0]


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=lambda p: " ".join(p))
def test_help_shows_flags_alone_and_arguments_in_capitals(
    runner: CliRunner, path: list[str]
) -> None:
    text = help_of(runner, path)
    assert "<bool>" not in text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage
    arguments = usage.split("[OPTIONS]", 1)[1].replace("COMMAND [ARGS]...", "").strip()
    assert arguments == arguments.upper()
    if path == ["show"]:
        assert arguments == "PAPER_ID"
    if path == ["lint"]:
        assert arguments == "FILES..."


# What each settings-backed option shows when no config says otherwise: the settings' own
# defaults, read from the Settings model so that a changed default changes the help with it.
BUILTIN = Settings()
EXPECTED = {
    "lang": BUILTIN.lang.value,
    "provider": BUILTIN.provider.value,
    "profile": BUILTIN.profile,
    "max_papers": str(BUILTIN.active_profile.max_papers),
    "concurrency": str(BUILTIN.model.concurrency),
    "analysis_model": BUILTIN.model_for("analysis"),
    "budget": f"{BUILTIN.sources.fulltext_budget} tokens",
}
# Options with no default value, or whose help says in words what happens without them.
NO_DEFAULT = {"date", "papers", "output", "output_dir", "max_cost", "week", "start", "end",
              "fulltext", "config", "base_url", "paper_id", "files", "file", "notify"}  # fmt: skip


def test_every_option_shows_its_real_default(runner: CliRunner) -> None:
    assert (BUILTIN.lang.value, BUILTIN.provider.value, BUILTIN.profile) == (
        "en", "offline", "default"
    )
    assert (BUILTIN.active_profile.max_papers, BUILTIN.model.concurrency) == (30, 8)
    checked = set()
    for path, command in all_commands():
        if getattr(command, "commands", None):
            continue
        text = help_of(runner, path)
        for param in command.params:
            if not isinstance(param, TyperOption) or param.name is None:
                continue
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"
            line = option_line(text, param.opts[0])
            if param.name in EXPECTED and param.default is None:
                assert f"[default: {EXPECTED[param.name]}]" in line, line
                checked.add(param.name)
            elif param.default is None and param.name not in NO_DEFAULT:
                assert param.name in SETTING_FLAGS, f"{param.name}: what is its default?"
                assert "[default: " in line, line
    assert checked == set(EXPECTED)


def test_an_option_that_sets_a_setting_is_helped_and_bounded_by_its_field(
    runner: CliRunner,
) -> None:
    """One source: the help of --profile, --concurrency, --max-papers … is the description of
    the setting it sets, its range the setting's."""
    text = help_of(runner, ["daily"])
    for option, field in [
        ("--profile", Settings.model_fields["profile"]),
        ("--provider", Settings.model_fields["provider"]),
        ("--concurrency", ModelSettings.model_fields["concurrency"]),
        ("--max-papers", Profile.model_fields["max_papers"]),
    ]:  # fmt: skip
        description = field.description or ""
        assert f"{description[:1].upper()}{description[1:]}." in option_line(text, option)
    assert "(1 to 64)" in option_line(text, "--concurrency")
    assert "(1 to 2000)" in option_line(text, "--max-papers")


def test_help_defaults_follow_the_config_and_environment(
    runner: CliRunner, isolated_home: Path, tmp_path: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    config = isolated_home / "config.toml"
    config.write_text('lang = "zh"\nprovider = "anthropic"\n[model]\nconcurrency = 3\n')
    text = help_of(runner, ["daily"], env={"BRIEFGEN_MAX_PAPERS": "7"})
    assert f"[default: zh, from {config}]" in option_line(text, "--lang")
    assert f"[default: 3, from {config}]" in option_line(text, "--concurrency")
    assert "[default: 7, from BRIEFGEN_MAX_PAPERS]" in option_line(text, "--max-papers")
    assert "claude-haiku-4-5" in option_line(text, "--analysis-model")
    other = tmp_path / "other.toml"
    other.write_text('lang = "both"\n')
    text = runner.invoke(app, ["daily", "--config", str(other), "--help"], env=WIDE).stdout
    assert f"[default: both, from {other}]" in option_line(text, "--lang")


def test_help_works_with_a_broken_config(runner: CliRunner, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text("lang = [")
    text = help_of(runner, ["daily"])
    assert "[default: en]" in option_line(text, "--lang")
    assert "defaults shown are briefgen's own" in text
    # ... and the command itself still says what is wrong with it
    code, _, err = run(runner, "daily", "--papers", SMALL)
    assert code == 5 and "not valid TOML" in err


def test_each_command_words_its_own_options(runner: CliRunner) -> None:
    for command in (["papers"], ["show"]):
        line = option_line(help_of(runner, command), "--no-cache")
        assert "analyse again" not in line and "again" in line
    assert "analyse again" in option_line(help_of(runner, ["daily"]), "--no-cache")
    init = option_line(help_of(runner, ["config", "init"]), "--config")
    assert "to read" not in init and "write" in init
    for path in (["lint"], ["feed"], ["render"], ["schema"]):
        option_line(help_of(runner, path), "--verbose")
    for name in ("--dry-run", "--max-cost", "--batch"):
        option_line(help_of(runner, ["weekly"]), name)
    option_line(help_of(runner, ["analyze"]), "--output-dir")
    assert isinstance(get_command(app), TyperGroup)
    assert all(isinstance(c, Command) for p, c in all_commands() if p and p[0] != "config"
               and p[0] != "cache")  # fmt: skip


# Weekly: --dry-run, --max-cost, this week by default -----------------------------------------


def test_weekly_dry_run_estimates_the_roundup_and_spends_nothing(
    runner: CliRunner, server: FakeServer, anthropic_api: object
) -> None:
    code, out, err = run(runner, "weekly", "--papers", SMALL, *WEEK, "--dry-run")
    assert code == 0, err
    assert out.startswith("Dry run for 2026-02-16 to 2026-02-20: nothing was sent")
    assert "engine offline: no model, no cost." in out
    code, out, err = run(runner, "weekly", "--papers", SMALL, *WEEK, "--dry-run",
                         "--provider", "anthropic", "--lang", "zh")  # fmt: skip
    assert code == 0, err
    assert server.hits("/v1/messages") == []
    assert out.count("would be analysed") == 7  # both days' papers
    assert re.search(r"^analysis +claude-haiku-4-5 +\d+ calls", out, re.M)
    assert re.search(r"^synthesis +claude-sonnet-4-6 +1 calls", out, re.M)  # one roundup
    assert re.search(r"^translation +", out, re.M)


def test_weekly_max_cost_stops_before_spending(
    runner: CliRunner, server: FakeServer, anthropic_api: object
) -> None:
    code, out, err = run(runner, "weekly", "--papers", SMALL, *WEEK, "--provider", "anthropic",
                         "--max-cost", "0.0001")  # fmt: skip
    assert (code, out) == (5, "")
    assert "above --max-cost $0.0001" in err and "nothing was spent" in err
    assert server.hits("/v1/messages") == []
    code, out, err = run(runner, "weekly", "--papers", SMALL, *WEEK, "--max-cost", "1")
    assert code == 0 and "## 2026-02-16 to 2026-02-20" in out


def test_weekly_without_a_period_is_this_week_in_new_york(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "eastern_today", lambda: date(2026, 2, 18))
    code, out, err = run(runner, "weekly", "--papers", SMALL)
    assert code == 0, err
    assert "## 2026-W08" in out
    code, _, err = run(runner, "weekly", "--papers", SMALL, "--from", "2026-02-16")
    assert code == 2 and "--from and --to go together" in err


# 5. Wording -----------------------------------------------------------------------------------


class _Checked(BaseModel):
    count: int

    @field_validator("count")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("count must be at least 1")
        return value


def test_pydantic_never_speaks_in_messages() -> None:
    with pytest.raises(ValidationError) as info:
        _Checked(count=0)
    assert describe_validation(info.value) == ["count: count must be at least 1"]
    stream = io.StringIO()
    reporter = Reporter()
    sys_stderr, sys.stderr = sys.stderr, stream
    try:
        reporter.error(f"the record is unreadable: {info.value}")
        reporter.warning(str(info.value))
    finally:
        sys.stderr = sys_stderr
    text = stream.getvalue()
    assert "Value error" not in text and "errors.pydantic.dev" not in text
    assert "[type=" not in text and len(text.splitlines()) == 2


def test_a_bad_date_says_the_format_once(runner: CliRunner) -> None:
    code, _, err = run(runner, "daily", "--papers", SMALL, "--date", "yesterday")
    assert code == 2 and err.count("YYYY-MM-DD") == 1
    code, _, err = run(runner, "daily", "--papers", SMALL, "--date", "2026-02-30")
    assert code == 2 and "day is out of range" in err and err.count("YYYY-MM-DD") == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('langg = "zh"\n', "langg: unknown setting; did you mean 'lang'?"),
        ("[profiles.default]\nkeywordz = []\n", "did you mean 'keywords'?"),
        ("[profiles.default]\nlang = 'zh'\n", "lang is a top-level setting"),
        ("max_papers = 3\n", "max_papers belongs to a profile"),
        ('profile = "defualt"\n', "did you mean 'default'?"),
    ],
)
def test_a_mistyped_config_gets_a_guess(
    runner: CliRunner, isolated_home: Path, config: str, message: str
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(config)
    code, _, err = run(runner, "papers", "--papers", SMALL)
    assert code == 5 and message in err and "Extra inputs" not in err


def test_a_mistyped_profile_flag_gets_a_guess(runner: CliRunner) -> None:
    code, _, err = run(runner, "papers", "--papers", SMALL, "--profile", "defualt")
    assert code == 5 and "did you mean 'default'?" in err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["daily", "--lang", "fr"],
         "error: Invalid value for '--lang': 'fr' is not one of 'en', 'zh', 'both'; see "
         "'briefgen daily --help'"),
        (["daily", "--max-papers", "0"],
         "error: Invalid value for '--max-papers': must be 1 or more; see 'briefgen daily --help'"),
        (["papers", "--no-such-flag"], None),
        (["frobnicate"], "error: No such command 'frobnicate'; see 'briefgen --help'"),
    ],
)  # fmt: skip
def test_a_usage_error_is_one_line_in_briefgens_words(
    runner: CliRunner, args: list[str], line: str | None
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert line is None or lines[0] == line
    assert not any(word in result.stderr for word in ("Usage:", "╭", "Value error", "Input should"))


def test_version_is_answered_before_the_cli_loads() -> None:
    """`briefgen --version` (the installed entry point) prints the version without importing
    Typer, pydantic or any command module: scripts and package managers ask it often."""
    probe = (
        "import sys; sys.argv = ['briefgen', '--version']; from briefgen.launch import main; "
        "main(); heavy = [m for m in ('typer', 'pydantic', 'briefgen.cli', 'numpy', 'httpx') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.splitlines() == [f"briefgen {__version__}", "[]"]

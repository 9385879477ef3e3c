"""Library code logs; a command's reporter shows the records while the command runs, with the
same words, prefixes and --quiet/--verbose rules as its own lines; used as a library, briefgen
prints nothing."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.agents.desk import Desk
from briefgen.cli import app
from briefgen.core.settings import load_settings
from briefgen.infra.console import Reporter, reporting
from briefgen.infra.secrets import install_log_redaction
from tests.conftest import REPO
from tests.fakes import FakeAnthropic

DAY = "2026-06-17"
HUGE_ABSTRACT = "word " * 5_000  # cut to 20,000 characters, with a warning


def test_a_reporter_shows_each_level_as_its_own_lines(capsys: pytest.CaptureFixture[str]) -> None:
    log = logging.getLogger("briefgen.tests")
    for reporter, shown in [
        (Reporter(), ["an info", "warning: a warning", "error: an error"]),
        (Reporter(verbose=True), ["a detail", "an info", "warning: a warning", "error: an error"]),
        (Reporter(quiet=True), ["error: an error"]),
    ]:
        with reporting(reporter):
            log.debug("a detail")
            log.info("an info")
            log.warning("a   warning\n")  # one line, as the reporter's own warnings
            log.error("an error")
        log.warning("after the command")  # no reporter any more: not shown
        out, err = capsys.readouterr()
        assert out == "" and err.splitlines() == shown


def test_a_message_is_shown_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    with reporting(Reporter()):
        logging.getLogger("briefgen.tests").warning("100% of [bold]%s[/bold] ({x})")
    assert capsys.readouterr().err == "warning: 100% of [bold]%s[/bold] ({x})\n"


def test_commands_in_one_process_show_a_line_once_and_leave_no_handler(
    runner: CliRunner, tmp_path: Path, example_papers: Path
) -> None:
    library = tmp_path / "lib.bib"
    library.write_text("@article{a, author={Nobody, A}}\n@article{b, title={Shape design}}\n")
    args = ["papers", "--papers", str(example_papers), "--date", DAY, "--library", str(library)]
    for _ in range(3):
        result = runner.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, result.stderr
        assert result.stderr.count("warning: library") == 1
        json.loads(result.stdout)  # stdout is the document only
    quiet = runner.invoke(app, [*args, "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    handlers = logging.getLogger("briefgen").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]
    assert logging.getLogger("briefgen").level == logging.NOTSET


def test_used_as_a_library_briefgen_prints_nothing(tmp_path: Path) -> None:
    papers = tmp_path / "day.jsonl"
    record = {"id": "2606.99999", "title": "T", "abstract": HUGE_ABSTRACT, "published": DAY}
    papers.write_text(json.dumps(record) + "\n")
    code = (
        "import sys; from pathlib import Path; from briefgen.sources.local import "
        "load_papers_file; [p] = load_papers_file(Path(sys.argv[1])); "
        "print(len(p.abstract) < 25_000)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(papers)], cwd=REPO,
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout == "True\n" and done.stderr == ""  # cut, and nothing said


def test_an_agent_gets_the_warnings_of_its_call_as_notes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    papers = home / "day.jsonl"
    record = {"id": "2606.99999", "title": "Kernel scheduling", "abstract": HUGE_ABSTRACT,
              "categories": ["cs.DC"], "published": DAY}  # fmt: skip
    papers.write_text(json.dumps(record) + "\n")
    settings = load_settings(env={"BRIEFGEN_HOME": str(home)})
    text = Desk(settings).rank(papers_file=str(papers))
    head = text.splitlines()[0]
    assert "Notes: 2606.99999: abstract cut from 25,000 to 20,000 characters" in head


def test_an_agent_that_writes_a_brief_gets_the_runs_warnings_as_notes(
    tmp_path: Path, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    """What the pipeline warns about (here: a paper the model refused) reaches the agent's
    answer, as it reaches the terminal of `briefgen daily`."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / small_papers.name).write_bytes(small_papers.read_bytes())
    config = home / "config.toml"
    config.write_text("[mcp]\nallow_spending = true\nmax_cost_per_call = 1\n")
    config.chmod(0o600)
    anthropic_api.enqueue_for(
        "analysis", FakeAnthropic.error(400, "invalid_request_error", "prompt too long")
    )
    env = {"BRIEFGEN_HOME": str(home), "BRIEFGEN_PROVIDER": "anthropic"}
    settings = load_settings(config, env=env)
    head = Desk(settings).new_brief(papers_file=small_papers.name).splitlines()[0]
    assert head.startswith("Wrote and stored the brief of ")
    assert re.search(r"Notes: failed: 2602\.\d+: .*HTTP 400: prompt too long", head), head


def test_a_command_draws_its_stages_progress_on_a_terminal_only(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, small_papers: Path
) -> None:
    args = ["daily", "--papers", str(small_papers), "--format", "json"]
    assert "analysing papers" not in runner.invoke(app, args).stderr  # not a terminal
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # Rich takes stderr for a terminal
    drawn = runner.invoke(app, [*args, "--no-cache"])
    assert drawn.exit_code == 0, drawn.stderr
    assert "analysing papers" in drawn.stderr
    assert "analysing papers" not in runner.invoke(app, [*args, "--no-cache", "-q"]).stderr


def test_a_bad_log_call_is_reported_not_raised(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytest's own capture handler (on the root logger) fails a test on a bad log call: the
    # record stops at the reporter, as it would in a command with no other handler.
    monkeypatch.setattr(logging.getLogger("briefgen"), "propagate", False)
    install_log_redaction()  # as every command does
    log = logging.getLogger("briefgen.tests")
    with reporting(Reporter()):
        log.warning("%d papers", "many")  # the arguments do not fit the message
        log.info("the command goes on")
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "Message: '%d papers'" in err
    assert err.endswith("the command goes on\n")


def test_verbose_shows_the_traceback_a_record_carries(capsys: pytest.CaptureFixture[str]) -> None:
    log = logging.getLogger("briefgen.tests")
    for reporter, traced in [(Reporter(), False), (Reporter(verbose=True), True),
                             (Reporter(verbose=True, quiet=True), False)]:  # fmt: skip
        with reporting(reporter):
            try:
                raise ValueError("the cause")
            except ValueError:
                log.warning("it failed", exc_info=True)
        err = capsys.readouterr().err
        assert err.startswith("warning: it failed\n") or (reporter.quiet and err == "")
        assert ("Traceback (most recent call last):" in err) is traced
        assert err.rstrip().endswith("ValueError: the cause") is traced

"""Library code logs; a command's reporter shows the records while the command runs, with the
same words, prefixes and --quiet/--verbose rules as its own lines; used as a library, briefgen
prints nothing."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.infra.console import Reporter, reporting

DAY = "2026-06-17"


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

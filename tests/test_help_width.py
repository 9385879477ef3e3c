"""--help fits a terminal: at 80 columns every line fits, no default is cut short, the commands
are listed in the order people use them, and each group's help names all its subcommands."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.cli.helpformat import paragraphs, summary
from tests.test_cli_truth import all_commands

NARROW = {"COLUMNS": "80", "TERMINAL_WIDTH": "80"}
WIDE = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}


def help_at(runner: CliRunner, path: list[str], env: dict[str, str]) -> str:
    result = runner.invoke(app, [*path, "--help"], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def flat(text: str) -> str:
    """The help's words in order, without the boxes and the negative forms of flags (which
    sit beside a wrapped help text)."""
    words = [w for w in text.replace("│", " ").split() if not w.startswith("--no-")]
    return " ".join(words)


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=lambda p: " ".join(p) or "-")
def test_help_fits_80_columns_and_cuts_no_default(runner: CliRunner, path: list[str]) -> None:
    narrow = help_at(runner, path, NARROW)
    too_wide = [line for line in narrow.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    assert "…" not in narrow
    defaults = re.findall(r"\[default: [^\]]*\]", help_at(runner, path, WIDE))
    for default in defaults:
        assert " ".join(default.split()) in flat(narrow), (default, narrow)


def test_daily_help_is_a_page_not_a_scroll(runner: CliRunner) -> None:
    lines = help_at(runner, ["daily"], NARROW).splitlines()
    assert len(lines) <= 90, len(lines)
    # the help column is wide enough to read: most option lines hold 30+ characters of help
    assert sum(len(line.rstrip(" │")) > 60 for line in lines) > len(lines) / 2


def test_commands_are_listed_in_the_order_people_use_them(runner: CliRunner) -> None:
    text = help_at(runner, [], WIDE)
    listed = re.findall(r"^│ (\w+) ", text.split("Commands")[1], re.M)
    assert listed[:4] == ["daily", "papers", "show", "analyze"]
    assert listed.index("weekly") < listed.index("feed") < listed.index("search")
    assert listed[-2:] == ["config", "cache"]


def test_each_group_names_all_its_subcommands() -> None:
    for path, command in all_commands():
        subcommands = getattr(command, "commands", None)
        if not subcommands or not path:
            continue  # the top level lists its commands in its Commands panel
        first = paragraphs(command.help)[0]
        for name in subcommands:
            assert re.search(rf"\b{name}\b", first), f"'{' '.join(path)} --help' omits {name}"


def test_a_command_summary_is_shown_as_written(runner: CliRunner) -> None:
    """A docstring is text, not Rich markup: `[mcp]` in one stays on the screen."""
    text = flat(help_at(runner, [], WIDE))
    for path, command in all_commands():
        if len(path) == 1:
            assert " ".join(summary(command).split()) in text, path

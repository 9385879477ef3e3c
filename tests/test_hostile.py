"""Issue 29: nothing in a paper, a planted file or a service's reply turns briefgen against its
user. Each hostile case of the issue, through the real CLI, real files and a real local server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Paper
from briefgen.infra.store import Store
from tests.conftest import SMALL

HOSTILE_TITLE = (
    "Evil [/bold] [link=http://evil.example]click[/link] [red on red]hidden[/] :smile: a:b:c"
)


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    # A terminal wide enough that a table keeps each title on one line.
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.stderr


def hostile_papers(tmp_path: Path) -> Path:
    lines = SMALL.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first["title"] = HOSTILE_TITLE
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", "utf-8")
    return path


# 2. A paper title is text, not Rich markup ---------------------------------------------------


def test_papers_shows_a_markup_title_as_written(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, "papers", "--papers", hostile_papers(tmp_path))
    assert code == 0, err
    assert "internal error" not in err
    assert HOSTILE_TITLE in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


def test_star_list_shows_a_markup_title_as_written(runner: CliRunner, isolated_home: Path) -> None:
    paper = Paper(id="2602.20001", version="v1", title=HOSTILE_TITLE, authors=["A [b]B[/b]"],
                  abstract="x", categories=["cs.LG"], published=date(2026, 2, 18))  # fmt: skip
    with Store.open(isolated_home) as store:
        store.star([paper])
    code, out, err = run(runner, "star", "--list")
    assert code == 0, err
    assert HOSTILE_TITLE in out


def test_an_error_keeps_emoji_codes_as_written(runner: CliRunner) -> None:
    code, _, err = run(runner, "search", "a:b:c")
    assert code == 2
    assert "'a:b:c'" in err
    assert "🅱" not in err

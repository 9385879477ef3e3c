"""Issue 29: whatever a user types or a config file holds, the CLI answers with its own one-line
error and exit code, never an internal error (exit 1). Derandomized, like tests/test_fuzz.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from briefgen.cli import app
from tests.conftest import SMALL

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Text as a hostile user, paper or shell would give it: any character, undecodable bytes as
# Python keeps them (lone surrogates), and the pieces FTS5, Rich and format() treat specially.
PIECES = ["\udcff", "\udc80", ":", "[", "[/bold]", "]", "/", "..", '"', "*", "(", ")", " OR ",
          "NEAR(", "{", "}", "{date}", "\\", "\n", "\x00", ":b:", "'", "-", "^"]  # fmt: skip
HOSTILE = st.lists(st.one_of(st.characters(), st.sampled_from(PIECES)), max_size=30).map("".join)


def answered(result_code: int, err: str) -> None:
    """An answer in briefgen's words: any exit but a bug's, and every error one line."""
    assert result_code != 1, err
    assert "internal error" not in err and "Traceback" not in err
    assert "\x1b" not in err  # no escape sequence reaches the terminal


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@FUZZ
@given(query=HOSTILE, author=HOSTILE)
def test_search_answers_any_query(cli: CliRunner, query: str, author: str) -> None:
    args = ["search", query] + (["--author", author] if author else [])
    result = cli.invoke(app, args)
    answered(result.exit_code, result.stderr)


@FUZZ
@given(value=HOSTILE)
def test_dates_and_ids_answer_any_text(cli: CliRunner, value: str) -> None:
    commands = (["papers", "--papers", str(SMALL), "--date", value],
                ["search", "kv", "--from", value], ["export", value], ["unstar", value])
    for args in commands:
        result = cli.invoke(app, args)
        answered(result.exit_code, result.stderr)


@FUZZ
@given(pattern=HOSTILE)
def test_any_file_name_pattern_is_used_or_refused(
    cli: CliRunner, pattern: str, isolated_home: Path, tmp_path: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    config = f"[output]\ndaily_filename = {json.dumps(pattern)}\n"
    (isolated_home / "config.toml").write_text(config)
    work = tmp_path / "work"  # the home is elsewhere in tmp_path
    out_dir = work / "out"
    result = cli.invoke(app, ["daily", "--papers", str(SMALL), "--output-dir", str(out_dir)])
    answered(result.exit_code, result.stderr)
    if out_dir.exists():  # whatever was written is inside the output folder
        outside = [p for p in work.rglob("*") if p.is_file()
                   and not p.resolve().is_relative_to(out_dir.resolve())]  # fmt: skip
        assert outside == []

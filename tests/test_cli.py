"""The CLI as a user runs it: exit codes, stdout carrying only the document, files written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.render.lint import lint_markdown
from briefgen.sources.local import load_papers_file

ANSI = re.compile(r"\x1b\[")
LINK = re.compile(r"\]\((https?://[^)]+)\)")


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_daily_prints_a_valid_brief_linking_only_input_papers(
    runner: CliRunner, small_papers: Path
) -> None:
    code, out, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18")
    assert code == 0, err
    assert out.startswith("# AI Paper Insight Brief\n## 2026-02-18\n")
    assert lint_markdown(out) == []
    assert not ANSI.search(out) and not ANSI.search(err)
    ids = {p.id for p in load_papers_file(small_papers) if p.published.isoformat() == "2026-02-18"}
    linked = {url.rsplit("/", 1)[1].split("v")[0] for url in LINK.findall(out)}
    assert linked and linked <= ids
    assert "2602.20006" not in linked  # q-bio: outside the profile's categories
    assert "6 of 8 papers selected" in err
    assert "Offline brief" in out


def test_daily_in_chinese_and_both(runner: CliRunner, small_papers: Path) -> None:
    code, zh, _ = run(runner, "daily", "--papers", small_papers, "--lang", "zh")
    assert code == 0
    assert zh.startswith("# AI 论文洞察简报\n## 2026-02-18\n")  # latest date in the file
    assert "### 1) 论文速览" in zh and lint_markdown(zh) == []
    # Two documents do not go to stdout one after the other (see tests/test_cli_truth.py).
    code, both, err = run(runner, "daily", "--papers", small_papers, "--lang", "both", "-q")
    assert (code, both) == (2, "") and "--output-dir" in err


def test_output_dir_and_output_files(runner: CliRunner, small_papers: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "blog"
    code, out, _ = run(
        runner, "daily", "--papers", small_papers, "--lang", "both", "--output-dir", out_dir
    )
    assert code == 0 and out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "2026-02-18-brief.en.md",
        "2026-02-18-brief.zh.md",
    ]
    code, _, _ = run(runner, "lint", *sorted(out_dir.iterdir()))
    assert code == 0
    target = tmp_path / "post.json"
    code, out, _ = run(runner, "daily", "--papers", small_papers, "--format", "json", "-o", target)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["date"] == "2026-02-18"
    assert not list(tmp_path.glob(".post.json.*"))  # no temporary file left behind


def test_rerun_reuses_stored_analyses(runner: CliRunner, small_papers: Path) -> None:
    first = run(runner, "daily", "--papers", small_papers)
    second = run(runner, "daily", "--papers", small_papers)
    assert first[0] == second[0] == 0
    assert "reused" not in first[2]
    assert "6 analyses reused from the store" in second[2]
    assert first[1] == second[1]
    third = run(runner, "daily", "--papers", small_papers, "--no-cache")
    assert "reused" not in third[2]


def test_flags_change_the_profile(runner: CliRunner, small_papers: Path) -> None:
    code, out, err = run(
        runner, "papers", "--papers", small_papers, "--format", "json",
        "-k", "cache", "--exclude", "survey", "--max-papers", "1",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["id"], r["reasons"]) for r in rows] == [
        ("2602.20002v2", ["matches your interests: cache"])
    ]


def test_papers_table_is_plain_when_piped(runner: CliRunner, small_papers: Path) -> None:
    code, out, err = run(runner, "papers", "--papers", small_papers)
    assert code == 0
    assert "SpecServe" in out and "score" in out
    assert not ANSI.search(out)
    assert "1 outside the profile's categories" in err


def test_empty_day_exits_3_saying_why(
    runner: CliRunner, small_papers: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, out, err = run(runner, "daily", "--papers", empty)
    assert (code, out) == (3, "")
    assert "contains no papers" in err
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-21")
    assert code == 3
    assert "no papers published on 2026-02-21" in err and "Saturday" in err
    code, _, err = run(runner, "daily", "--papers", small_papers, "-k", "nothingmatches")
    assert code == 3 and "scored below min_score" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--papers", "missing.jsonl"], 2, "papers file not found: missing.jsonl"),
        (["--papers", "{small}", "--date", "2026-02-30"], 2, "invalid date '2026-02-30'"),
        (["--papers", "{small}", "--date", "yesterday"], 2, "invalid date 'yesterday'"),
        (["--source", "file"], 2, "--source file needs --papers FILE"),
        (["--papers", "{bad}"], 2, "bad.jsonl:2: invalid JSON"),
    ],
)
def test_bad_input_is_one_line_and_the_right_code(
    runner: CliRunner, small_papers: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(small_papers.read_text().splitlines()[0] + "\n{oops\n")
    args = [a.format(small=small_papers, bad=bad) for a in args]
    exit_code, out, err = run(runner, "daily", *args)
    assert exit_code == code
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_config_exits_5(runner: CliRunner, small_papers: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("lang = [")
    code, _, err = run(runner, "daily", "--papers", small_papers, "--config", config)
    assert code == 5 and "not valid TOML" in err


def test_lint_command_exit_codes(runner: CliRunner, small_papers: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    run(runner, "daily", "--papers", small_papers, "-o", good)
    assert run(runner, "lint", good)[0] == 0
    fenced = tmp_path / "fenced.md"
    fenced.write_text("```markdown\n" + good.read_text() + "```\n")
    code, out, _ = run(runner, "lint", fenced, good)
    assert code == 1
    assert out.splitlines() == [
        f"{fenced}: line 1: ```markdown — a brief must be plain markdown, never inside a code fence"
    ]
    assert run(runner, "lint", tmp_path / "nope.md")[0] == 2


def test_config_init_show_path(runner: CliRunner, isolated_home: Path) -> None:
    code, out, _ = run(runner, "config", "path")
    assert code == 0 and out.strip() == str(isolated_home / "config.toml")
    assert run(runner, "config", "init")[0] == 0
    code, _, err = run(runner, "config", "init")
    assert code == 2 and "already exists" in err
    (isolated_home / "config.toml").write_text('lang = "zh"\n')
    code, out, _ = run(runner, "config", "show")
    assert code == 0 and 'lang = "zh"' in out and "max_papers = 30" in out


def test_cache_stats_path_clear(runner: CliRunner, small_papers: Path, isolated_home: Path) -> None:
    run(runner, "daily", "--papers", small_papers)
    code, out, _ = run(runner, "cache", "path")
    assert out.strip() == str(isolated_home / "briefgen.sqlite3")
    code, out, _ = run(runner, "cache", "stats")
    assert code == 0 and re.search(r"analyses\s*│\s*6", out)
    code, _, err = run(runner, "cache", "clear")
    assert code == 2 and "--yes" in err
    assert run(runner, "cache", "clear", "--yes")[0] == 0
    code, out, _ = run(runner, "cache", "stats")
    assert re.search(r"analyses\s*│\s*0", out)


def test_version(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--version")
    assert code == 0 and out.startswith("briefgen ")

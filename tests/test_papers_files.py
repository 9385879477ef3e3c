"""Papers files as people have them (`--papers FILE`): the format told by the content, stdin and
pipes, other tools' field names, papers without a date, and the arXiv source's cross-list rule."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.cli import app

# Recorded from dw-dengwei/daily-arXiv-ai-enhanced, kept beside the repository (not in it).
REAL_DAY = (
    Path(__file__).parents[2]
    / "shared"
    / "fixtures"
    / "real"
    / "daily-arxiv-ai-enhanced-2026-06-17.jsonl"
)
needs_real_day = pytest.mark.skipif(
    not REAL_DAY.is_file(),
    reason=f"the recorded daily-arXiv-ai-enhanced file is not beside the repository: {REAL_DAY}",
)
CROSS_HINT = "cross-listed (add --cross-lists to include them)"


def record(paper_id: str, categories: list[str], **fields: Any) -> dict[str, Any]:
    """A briefgen-shaped record whose title scores for the default profile."""
    return {
        "id": paper_id,
        "title": f"Efficient LLM Inference with Sparse Attention {paper_id}",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "abstract": "We make LLM inference faster with a sparse attention kernel.",
        "categories": categories,
        "published": "2026-06-17",
        **fields,
    }


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def listed(runner: CliRunner, papers: str | Path, *args: str, stdin: str | None = None) -> Any:
    """`briefgen papers --format json`: the papers the file gave, as the CLI lists them."""
    result = runner.invoke(
        app, ["papers", "--papers", str(papers), "-f", "json", *args], input=stdin
    )
    assert result.exit_code == 0, result.stderr
    return result


def ids(result: Any) -> list[str]:
    return sorted(row["id"] for row in json.loads(result.stdout))


# the real day, as it is -----------------------------------------------------------------------


@needs_real_day
def test_real_daily_arxiv_file_is_read_as_it_is(runner: CliRunner) -> None:
    result = runner.invoke(app, ["daily", "--papers", str(REAL_DAY), "--date", "2026-06-17"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# AI Paper Insight Brief\n## 2026-06-17\n")
    # 288 lines, 220 papers; with the default profile (cs.AI, cs.CL, cs.DC, cs.LG) 113 are
    # primary in it, 38 only cross-listed into it, 69 outside it.
    assert (
        f"file {REAL_DAY.name}: 182 papers for 2026-06-17; left out 38 {CROSS_HINT}"
        in result.stderr
    )
    assert (
        "69 outside the profile's categories"
        in listed(runner, REAL_DAY, "--date", "2026-06-17").stderr
    )


@needs_real_day
def test_real_daily_arxiv_file_takes_cross_lists_when_asked(runner: CliRunner) -> None:
    result = listed(runner, REAL_DAY, "--date", "2026-06-17", "--cross-lists")
    assert f"file {REAL_DAY.name}: 220 papers for 2026-06-17\n" in result.stderr
    rows = json.loads(result.stdout)
    assert {row["announce_type"] for row in rows} == {"new", "cross"}
    assert all(row["published"] == "2026-06-17" for row in rows)


@needs_real_day
def test_real_daily_arxiv_file_piped_to_stdin(runner: CliRunner) -> None:
    # cat FILE | briefgen daily --papers - --date 2026-06-17
    text = REAL_DAY.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["daily", "--papers", "-", "--date", "2026-06-17", "-q"], input=text
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# AI Paper Insight Brief\n## 2026-06-17\n")
    assert "sources: file stdin;" in result.stdout


# the format, told by the content ---------------------------------------------------------------


def test_stdin_dash(runner: CliRunner) -> None:
    text = jsonl(record("2606.00001", ["cs.LG"]), record("2606.00002", ["cs.CL"]))
    result = listed(runner, "-", stdin=text)
    assert ids(result) == ["2606.00001", "2606.00002"]
    assert "file stdin: 2 papers for 2026-06-17" in result.stderr


def test_stdin_that_is_not_json_is_named_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["papers", "--papers", "-"], input="id,title\n1,2\n")
    assert result.exit_code == 2
    assert "<stdin>:1: invalid JSON" in result.stderr


def test_a_pipe_is_read_once(runner: CliRunner) -> None:
    # What <(cat FILE) and /dev/stdin are: a file that cannot be read twice nor seeked.
    read_end, write_end = os.pipe()
    os.write(write_end, jsonl(record("2606.00001", ["cs.LG"])).encode())
    os.close(write_end)
    try:
        result = listed(runner, f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert ids(result) == ["2606.00001"]


def test_jsonl_named_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text(jsonl(record("2606.00001", ["cs.LG"]), record("2606.00002", ["cs.AI"])))
    assert ids(listed(runner, path)) == ["2606.00001", "2606.00002"]


def test_json_array_named_jsonl(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    records = [record("2606.00001", ["cs.LG"]), record("2606.00002", ["cs.AI"])]
    path.write_text(json.dumps(records, indent=2))
    assert ids(listed(runner, path)) == ["2606.00001", "2606.00002"]


def test_one_object_a_papers_object_and_objects_one_after_another(
    runner: CliRunner, tmp_path: Path
) -> None:
    single = tmp_path / "one.txt"
    single.write_text(json.dumps(record("2606.00001", ["cs.LG"]), indent=2))
    assert ids(listed(runner, single)) == ["2606.00001"]
    wrapped = tmp_path / "wrapped.jsonl"
    wrapped.write_text(json.dumps({"papers": [record("2606.00002", ["cs.LG"])]}))
    assert ids(listed(runner, wrapped)) == ["2606.00002"]
    # `jq '.[]' papers.json` prints pretty objects one after another; a BOM is dropped.
    stream = tmp_path / "jq-output"
    pretty = [json.dumps(record(f"2606.0000{i}", ["cs.LG"]), indent=2) for i in (3, 4)]
    stream.write_text("\ufeff" + "\n".join(pretty) + "\n")
    assert ids(listed(runner, stream)) == ["2606.00003", "2606.00004"]


# other tools' field names ----------------------------------------------------------------------


def test_arxiv_package_shaped_file(runner: CliRunner, tmp_path: Path) -> None:
    # What dumping `arxiv.Result`s gives: entry_id as a URL, summary, authors as objects, the
    # primary category apart (and not first in `categories`), no listing date.
    entry = {
        "entry_id": "http://arxiv.org/abs/2606.17291v2",
        "title": "Speculative Decoding for LLM Inference",
        "summary": "We speed up LLM inference.\nTwo lines, as arXiv wraps them.",
        "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
        "primary_category": "cs.LG",
        "categories": ["stat.ML", "cs.LG"],
        "comment": "12 pages",
        "pdf_url": "http://arxiv.org/pdf/2606.17291v2",
    }
    path = tmp_path / "arxiv.json"
    path.write_text(json.dumps([entry]))
    (row,) = json.loads(listed(runner, path, "--date", "2026-06-17").stdout)
    assert row["id"] == "2606.17291v2"  # the version kept
    assert row["url"] == "https://arxiv.org/abs/2606.17291v2"
    assert row["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert row["categories"] == ["cs.LG", "stat.ML"]  # primary first
    assert row["published"] == "2026-06-17"  # listed on the date asked for
    assert row["announce_type"] == "new"


def test_daily_arxiv_ai_enhanced_shaped_record(runner: CliRunner, tmp_path: Path) -> None:
    entry = {
        "id": "2606.17292",
        "categories": ["cs.CL", "cs.AI"],
        "pdf": "https://arxiv.org/pdf/2606.17292",
        "abs": "https://arxiv.org/abs/2606.17292v3",
        "authors": ["Grace Hopper"],
        "title": "Efficient LLM Inference",
        "comment": None,
        "summary": "An abstract.",
    }
    path = tmp_path / "2026-06-17.jsonl"
    path.write_text(jsonl(entry))
    (row,) = json.loads(listed(runner, path, "--date", "2026-06-17").stdout)
    assert row["id"] == "2606.17292v3"  # the version from `abs`
    assert row["categories"] == ["cs.CL", "cs.AI"]


def test_authors_as_objects_or_strings(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "authors.jsonl"
    path.write_text(
        jsonl(
            record("2606.00001", ["cs.LG"], authors=[{"name": "Ada Lovelace", "affil": "x"}]),
            record("2606.00002", ["cs.LG"], authors="Alan Turing, Grace Hopper"),
            record("2606.00003", ["cs.LG"], authors=["Edsger Dijkstra"]),
        )
    )
    rows = {row["id"]: row["authors"] for row in json.loads(listed(runner, path).stdout)}
    assert rows == {
        "2606.00001": ["Ada Lovelace"],
        "2606.00002": ["Alan Turing", "Grace Hopper"],
        "2606.00003": ["Edsger Dijkstra"],
    }


def test_a_file_without_dates_needs_date(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "undated.jsonl"
    undated = record("2606.00001", ["cs.LG"])
    del undated["published"]
    dated = record("2606.00002", ["cs.LG"], published="2026-06-16")
    path.write_text(jsonl(undated, dated))
    result = runner.invoke(app, ["papers", "--papers", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1: the record lacks published" in result.stderr
    assert "pass --date YYYY-MM-DD" in result.stderr
    # With --date, the undated paper is listed on it; a dated one keeps its own date.
    assert ids(listed(runner, path, "--date", "2026-06-17")) == ["2606.00001"]
    assert ids(listed(runner, path, "--date", "2026-06-16")) == ["2606.00001", "2606.00002"]


# the cross-list rule ---------------------------------------------------------------------------


def test_cross_lists_only_when_asked(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    path.write_text(
        jsonl(
            record("2606.00001", ["cs.LG", "cs.CV"]),  # primary in the profile
            record("2606.00002", ["cs.CV", "cs.LG"]),  # cross-listed into it
            record("2606.00003", ["eess.IV", "cs.AI", "cs.CV"]),  # cross-listed into it
            record("2606.00004", ["cs.CV"]),  # outside it
        )
    )
    default = listed(runner, path)
    assert ids(default) == ["2606.00001"]
    assert f"file day.jsonl: 2 papers for 2026-06-17; left out 2 {CROSS_HINT}" in default.stderr
    assert "1 outside the profile's categories" in default.stderr

    crossed = listed(runner, path, "--cross-lists")
    assert "file day.jsonl: 4 papers for 2026-06-17\n" in crossed.stderr
    kinds = {row["id"]: row["announce_type"] for row in json.loads(crossed.stdout)}
    assert kinds == {"2606.00001": "new", "2606.00002": "cross", "2606.00003": "cross"}

    # The profile decides what is primary: with cs.CV asked for, 2606.00002 is in.
    own = listed(runner, path, "-c", "cs.CV")
    assert ids(own) == ["2606.00002", "2606.00004"]
    assert f"left out 2 {CROSS_HINT}" in own.stderr

    # cross_lists = true in the config file does the same as --cross-lists.
    config = tmp_path / "config.toml"
    config.write_text("[sources]\ncross_lists = true\n")
    assert len(ids(listed(runner, path, "--config", str(config)))) == 3


def test_only_cross_lists_says_how_to_take_them(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    path.write_text(jsonl(record("2606.00002", ["cs.CV", "cs.LG"])))
    result = runner.invoke(app, ["papers", "--papers", str(path)])
    assert result.exit_code == 3
    assert f"no papers for 2026-06-17 from file (left out: 1 {CROSS_HINT})" in result.stderr


# a record that is not a paper ------------------------------------------------------------------


def test_unrecognised_record_says_what_was_expected_and_found(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "other.json"
    path.write_text(
        jsonl(
            record("2606.00001", ["cs.LG"]),
            {"paper_title": "T", "text": "B", "date": "2026-06-17"},
        )
    )
    result = runner.invoke(app, ["daily", "--papers", str(path), "--date", "2026-06-17"])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"error: {path}:2: the record lacks id, title")
    assert "a paper record needs id (or entry_id/abs" in message
    assert "abstract (or summary)" in message
    assert "this record has paper_title, text, date" in message

    text = json.dumps([record("2606.00001", ["cs.LG"]), ["2606.00002", "T"]], indent=2)
    path.write_text(text)
    line = text.splitlines().index("  [") + 1  # where the second item starts
    result = runner.invoke(app, ["papers", "--papers", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{line}: expected a JSON object with id" in result.stderr
    assert "found a JSON list" in result.stderr


def test_the_comment_is_kept_and_the_string_none_is_no_comment(tmp_path: Path) -> None:
    from briefgen.sources.local import load_papers_file

    path = tmp_path / "day.jsonl"
    path.write_text(
        jsonl(
            record("2606.00001", ["cs.LG"], comment="12 pages. Code: https://github.com/a/b"),
            record("2606.00002", ["cs.LG"], comment="None"),
            record("2606.00003", ["cs.LG"], comment=None),
            record("2606.00004", ["cs.LG"], comments="Accepted at ACL 2026\n  (main)"),
            record("2606.00005", ["cs.LG"]),
        )
    )
    papers = {p.id: p.comment for p in load_papers_file(path)}
    assert papers == {
        "2606.00001": "12 pages. Code: https://github.com/a/b",
        "2606.00002": None,
        "2606.00003": None,
        "2606.00004": "Accepted at ACL 2026 (main)",  # the snapshot's `comments`, on one line
        "2606.00005": None,
    }


def test_json_errors_name_the_line_the_column_and_what_to_do(
    runner: CliRunner, tmp_path: Path
) -> None:
    good = '{"id": "2601.00001", "title": "A", "abstract": "B", "published": "2026-01-01"}'
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([good, good, good, '{"id": broken', good]) + "\n")
    tab = tmp_path / "tab.jsonl"
    tab.write_text('{"id": "x", "title": "a\tb"}', encoding="utf-8")
    not_papers = tmp_path / "other.json"
    not_papers.write_text('{"name": "a list of something else"}')
    for path, line in (
        (broken, f"error: {broken}:4: invalid JSON at column 8: a value is missing or is not "
                 "JSON (strings need double quotes)"),
        (tab, f"error: {tab}:1: invalid JSON at column 24: a raw tab or line break inside a "
              "string; write it as \\t or \\n"),
    ):  # fmt: skip
        result = runner.invoke(app, ["papers", "--papers", str(path)])
        assert result.exit_code == 2, result.stderr
        assert result.stderr.splitlines() == [line]
    result = runner.invoke(app, ["papers", "--papers", str(not_papers)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {not_papers}:1: the record lacks id, title, abstract, published (a paper record "
        "needs id"
    )
    assert "Field required" not in result.stderr and "this record has name" in result.stderr


def test_render_says_it_takes_the_json_brief(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "brief.md"
    page.write_text("# AI Paper Insight Brief\n")
    result = runner.invoke(app, ["render", str(page)])
    assert result.exit_code == 2
    assert "render takes the JSON brief" in result.stderr and len(result.stderr.splitlines()) == 1

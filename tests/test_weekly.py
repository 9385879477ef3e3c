"""Roundups over a week or a range, from stored analyses; the Atom feed; profiles; file names."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import UsageError
from briefgen.core.periods import parse_range, parse_week
from briefgen.render.lint import lint_markdown
from tests.fakes import FakeAnthropic, FakeServer, Reply

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_iso_weeks_and_ranges() -> None:
    week = parse_week("2026-W08")
    assert (week.start, week.end, week.title) == (date(2026, 2, 16), date(2026, 2, 22),
                                                  "Week 2026-W08")  # fmt: skip
    assert parse_week("2026W01").start == date(2025, 12, 29)  # ISO week 1 starts in December
    assert parse_range("2026-02-17", "2026-02-18").label == "2026-02-17 to 2026-02-18"
    for text in ("2026-W54", "W08"):
        with pytest.raises(UsageError, match="invalid week"):
            parse_week(text)
    with pytest.raises(UsageError, match="before --from"):
        parse_range("2026-02-18", "2026-02-17")
    with pytest.raises(UsageError, match="at most 31 days"):
        parse_range("2026-01-01", "2026-03-01")


def test_a_roundup_reuses_the_dailies_and_cites_only_their_papers(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    papers = str(small_papers)
    for day in ("2026-02-17", "2026-02-18"):
        code, _, err = invoke(runner, "daily", "--papers", papers, "--date", day,
                              "--provider", "anthropic")  # fmt: skip
        assert code == 0, err
    before = [anthropic_api.kind(r.json()) for r in server.hits("/v1/messages")]
    code, out, err = invoke(runner, "weekly", "--from", "2026-02-17", "--to", "2026-02-18",
                            "--papers", papers, "--provider", "anthropic")  # fmt: skip
    assert code == 0, err
    after = [anthropic_api.kind(r.json()) for r in server.hits("/v1/messages")][len(before) :]
    assert after == ["synthesis"]  # no per-paper call: every analysis came from the store
    assert lint_markdown(out) == []
    assert out.startswith("# AI Paper Insight Brief\n## 2026-02-17 to 2026-02-18\n")
    linked = {line.split("arxiv.org/abs/")[1].split(")")[0][:10]
              for line in out.splitlines() if "arxiv.org/abs/" in line}  # fmt: skip
    assert "2602.10001" in linked  # the 17th's paper…
    assert "2602.20001" in linked  # …and the 18th's
    assert linked <= {"2602.10001", *{f"2602.2000{n}" for n in range(1, 9)}}
    content = server.hits("/v1/messages")[-1].json()["messages"][0]["content"]
    # a content block with cache_control when long enough for the model to cache
    synthesis_prompt = content if isinstance(content, str) else content[0]["text"]
    assert "roundup of 2 listing days" in synthesis_prompt


def test_a_week_analyses_only_the_days_it_lacks(
    runner: CliRunner, small_papers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "blog"
    code, _, err = invoke(runner, "weekly", "--week", "2026-W08", "--papers", str(small_papers),
                          "--lang", "both", "--output-dir", str(out))  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "2026-02-22-roundup-2026-W08.en.md", "2026-02-22-roundup-2026-W08.zh.md"
    ]  # fmt: skip  (a roundup's file starts with its date, its last day, as Jekyll needs)
    english = (out / "2026-02-22-roundup-2026-W08.en.md").read_text()
    assert english.startswith("# AI Paper Insight Brief\n## 2026-W08\n")
    assert "in this roundup, listed Tue 2026-02-17" in english or "Wed 2026-02-18" in english
    assert "2026-02-21: skipped" in err  # days without papers are named, not fatal
    assert "Week 2026-W08: 7 of 7 papers from 2 days" in err
    assert lint_markdown(english) == []


def test_the_atom_feed_has_an_entry_per_stored_brief(
    runner: CliRunner, small_papers: Path, tmp_path: Path
) -> None:
    for day in ("2026-02-17", "2026-02-18"):
        invoke(runner, "daily", "--papers", str(small_papers), "--date", day)
    invoke(runner, "weekly", "--week", "2026-W08", "--papers", str(small_papers))
    feed = tmp_path / "feed.xml"
    code, _, err = invoke(runner, "feed", "-o", str(feed), "--base-url",
                          "https://blog.example/briefs/", "--lang", "both")  # fmt: skip
    assert code == 0, err
    root = etree.parse(str(feed)).getroot()
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, ATOM) is not None
    entries = root.findall("a:entry", ATOM)
    assert len(entries) == 6  # 2 dailies and 1 roundup, in English and Chinese
    ids = [e.findtext("a:id", namespaces=ATOM) for e in entries]
    assert len(set(ids)) == 6 and all(i.startswith("tag:briefgen,2026:default/") for i in ids)
    assert ids[0].endswith("/weekly/2026-W08/en")  # newest first
    titles = [e.findtext("a:title", namespaces=ATOM) for e in entries]
    assert "AI Paper Insight Brief — 2026-02-17" in titles
    link = entries[0].find("a:link", ATOM)
    assert link is not None
    assert link.get("href") == "https://blog.example/briefs/2026-02-22-roundup-2026-W08.en.html"
    content = entries[0].find("a:content", ATOM)
    assert content is not None and content.get("type") == "html"
    assert "<h3>0) Executive takeaways" in (content.text or "")
    for entry in entries:
        assert str(entry.findtext("a:updated", namespaces=ATOM)).endswith("Z")


def test_no_stored_briefs_is_exit_3(runner: CliRunner) -> None:
    code, _, err = invoke(runner, "feed")
    assert code == 3 and "run briefgen daily first" in err


def test_profiles_keep_their_briefs_apart(
    runner: CliRunner, small_papers: Path, isolated_home: Path, tmp_path: Path
) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[profiles.systems]\ncategories = ["cs.DC"]\nkeywords = ["kv cache", "serving"]\n'
        "min_score = 1\n"
    )
    code, out, err = invoke(runner, "daily", "--papers", str(small_papers), "--profile", "systems")
    assert code == 0, err
    assert "profile: systems" in out and "selected for profile 'systems'" in err
    invoke(runner, "daily", "--papers", str(small_papers))
    feed = tmp_path / "systems.xml"
    invoke(runner, "feed", "--profile", "systems", "-o", str(feed))
    entries = etree.parse(str(feed)).getroot().findall("a:entry", ATOM)
    assert [e.findtext("a:id", namespaces=ATOM) for e in entries] == [
        "tag:briefgen,2026:systems/daily/2026-02-18/en"
    ]
    code, _, err = invoke(runner, "daily", "--papers", str(small_papers), "--profile", "nope")
    assert code == 5 and "profile 'nope' is not defined" in err


def test_file_names_follow_the_configured_pattern(
    runner: CliRunner, small_papers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFGEN_OUTPUT__DAILY_FILENAME", "posts/{date}-papers.{lang}.{ext}")
    out = tmp_path / "site"
    for _ in range(2):  # a rerun replaces the files
        code, _, err = invoke(runner, "daily", "--papers", str(small_papers), "--lang", "both",
                              "--front-matter", "--output-dir", str(out))  # fmt: skip
        assert code == 0, err
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["posts/2026-02-18-papers.en.md", "posts/2026-02-18-papers.zh.md"]
    assert (out / "posts/2026-02-18-papers.en.md").read_text().startswith("---\ntitle: ")


def test_the_automation_examples_name_their_secrets_without_holding_any() -> None:
    examples = Path(__file__).parent.parent / "examples"
    workflow = (examples / "github-actions-briefgen.yml").read_text()
    cron = (examples / "crontab.txt").read_text()
    assert "${{ secrets.ANTHROPIC_API_KEY }}" in workflow
    assert "briefgen daily" in workflow and "briefgen weekly" in workflow
    assert "briefgen daily" in cron and "briefgen weekly" in cron
    for text in (workflow, cron):
        assert "sk-ant-" not in text and "sk-" not in text.replace("sk-ant", "")


def test_a_roundup_of_stored_file_days_needs_no_network(
    runner: CliRunner, small_papers: Path, tmp_path: Path, services: FakeServer
) -> None:
    """A day briefed from a papers file is stored like any listing: a roundup without --papers
    reuses it and asks arXiv nothing; a day never stored and unreachable is named, exit 4."""
    for day in ("2026-02-17", "2026-02-18"):
        code, _, err = invoke(runner, "daily", "--papers", str(small_papers), "--date", day,
                              "-o", str(tmp_path / f"{day}.md"))  # fmt: skip
        assert code == 0, err
    out = tmp_path / "range.md"
    code, _, err = invoke(runner, "weekly", "--from", "2026-02-17", "--to", "2026-02-18",
                          "-o", str(out))  # fmt: skip
    assert code == 0, err
    assert services.requests == []
    assert "2026-02-17: 1 paper from the store (file papers-small.jsonl); nothing fetched" in err
    assert re.search(r"2026-02-18: \d+ papers from the store \(file papers-small\.jsonl\)", err)
    assert "days by source: Tue 2026-02-17, Wed 2026-02-18 from file papers-small.jsonl" in err
    assert "file papers-small.jsonl" in out.read_text()  # the brief names where it came from

    # A week: its other days are not stored, and arXiv does not answer.
    services.route("/api/query", lambda request: Reply(503, "down"))
    week = tmp_path / "week.md"
    code, _, err = invoke(runner, "weekly", "--week", "2026-W08", "-o", str(week))
    assert code == 4, err
    assert week.exists()
    assert "warning: 2026-02-16: left out of the roundup, it could not be fetched" in err
    assert "not stored and the network failed for an earlier day" in err
    assert "3 days could not be fetched and are missing from the roundup: 2026-02-16, " in err
    assert len(services.hits("/api/query")) <= 4  # one day tried, with its retries; no more

"""The Atom feed as a real feed reader parses it (feedparser): well-formed, dated by the briefs'
own days, one language per entry, a self link, the takeaways as summaries, and every roundup
an entry and a page of its own."""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Brief
from briefgen.core.settings import OutputSettings, Settings, load_settings
from briefgen.infra import store as store_module
from briefgen.infra.store import Store, StoredBrief
from briefgen.render.documents import Format, file_name
from briefgen.render.feed import atom_feed
from briefgen.render.markdown import RenderLang

BASE = "https://blog.example/briefs/"
DAY = "2026-02-18"
RANGE = "2026-02-17 to 2026-02-18"


def invoke(runner: CliRunner, *args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


class Clock:
    """The store's clock: each brief is written at a time the test chooses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        monkeypatch.setattr(store_module, "_now", self.iso)

    def iso(self) -> str:
        return self.now.isoformat(timespec="seconds")

    def tick(self, hours: int = 1) -> None:
        self.now += timedelta(hours=hours)


def parse_feed(path: Path) -> Any:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def utc(struct: time.struct_time) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(struct), UTC)


def stored(home: Path) -> dict[tuple[str, str], StoredBrief]:
    with Store.open(home) as store:
        return {(s.kind, s.period): s for s in store.list_briefs("default")}


def settings() -> Settings:
    return load_settings()


def link_of(brief: Brief, lang: RenderLang, roundup: bool) -> str:
    pattern = settings().output.weekly_filename if roundup else settings().output.daily_filename
    return BASE + file_name(pattern, brief, lang, Format.html)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def three_briefs(runner: CliRunner, small_papers: Path, clock: Clock) -> Callable[..., Path]:
    """A day's brief, a two-day range and a one-day range of the same day, then the feed."""
    invoke(runner, "daily", "--papers", small_papers, "--date", DAY, "-q")
    clock.tick()
    invoke(runner, "weekly", "--from", "2026-02-17", "--to", DAY, "--papers", small_papers, "-q")
    clock.tick()
    invoke(runner, "weekly", "--from", DAY, "--to", DAY, "--papers", small_papers, "-q")
    clock.tick()

    def feed(path: Path, *extra: str) -> Path:
        invoke(runner, "feed", "-o", path, "--base-url", BASE, *extra)
        return path

    return feed


def test_the_feed_is_well_formed_and_dated_by_the_briefs_own_days(
    three_briefs: Callable[..., Path], tmp_path: Path, isolated_home: Path
) -> None:
    parsed = parse_feed(three_briefs(tmp_path / "feed.xml"))
    briefs = stored(isolated_home)
    entries = parsed.entries
    assert len(entries) == 3
    published = [utc(e.published_parsed) for e in entries]
    assert published == sorted(published, reverse=True)  # newest first, by the brief's day
    by_id = {e.id.rsplit(":", 1)[1]: e for e in entries}
    for (kind, period), item in briefs.items():
        entry = by_id[f"default/{kind}/{period.replace(' ', '_')}/en"]
        end = item.brief.end  # a roundup is dated by its last day
        assert end is not None
        assert utc(entry.published_parsed) == datetime(end.year, end.month, end.day,
                                                       tzinfo=UTC)  # fmt: skip
        assert utc(entry.updated_parsed) == item.updated  # when it was last written
    assert utc(parsed.feed.updated_parsed) == max(s.updated for s in briefs.values())
    # all three end on the 18th: the day's brief first, then the longer roundup
    assert entries[0].id.endswith(f"/daily/{DAY}/en")
    assert entries[1].id.endswith(f"/weekly/{RANGE.replace(' ', '_')}/en")


def test_every_entry_and_the_feed_say_their_language(
    three_briefs: Callable[..., Path], tmp_path: Path
) -> None:
    parsed = parse_feed(three_briefs(tmp_path / "feed.xml", "--lang", "both"))
    assert parsed.feed.language == "en"
    assert len(parsed.entries) == 6
    for entry in parsed.entries:
        expected = "zh-CN" if entry.id.endswith("/zh") else "en"
        # feedparser reports an entry's xml:lang on each of its texts
        assert entry.title_detail.language == expected
        assert entry.summary_detail.language == expected
        assert entry.content[0].language == expected
    languages = [e.title_detail.language for e in parsed.entries]
    assert languages == ["en", "zh-CN"] * 3  # each brief in English, then in Chinese


def test_the_feed_links_to_itself(
    three_briefs: Callable[..., Path], tmp_path: Path, isolated_home: Path
) -> None:
    parsed = parse_feed(three_briefs(tmp_path / "feed.xml"))
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert len(self_links) == 1 and self_links[0].startswith(BASE)
    assert self_links[0] == BASE + "feed.xml"
    alternate = [link.href for link in parsed.feed.links if link.rel == "alternate"]
    assert alternate == [BASE]
    # a caller that knows the file's name (the CLI's -o) says where the feed is
    briefs = list(stored(isolated_home).values())
    published = settings().model_copy(update={"output": OutputSettings(feed_base_url=BASE)})
    text = atom_feed(briefs, ["en"], published, self_url=BASE + "atom.xml")
    (tmp_path / "atom.xml").write_text(text)
    again = parse_feed(tmp_path / "atom.xml")
    assert [link.href for link in again.feed.links if link.rel == "self"] == [BASE + "atom.xml"]
    # without a base URL there is nothing to link to
    plain = tmp_path / "plain.xml"
    plain.write_text(atom_feed(briefs, ["en"], settings()))
    assert all(link.rel != "self" for link in parse_feed(plain).feed.get("links", []))


def test_summaries_are_the_first_takeaways(
    three_briefs: Callable[..., Path], tmp_path: Path, isolated_home: Path
) -> None:
    parsed = parse_feed(three_briefs(tmp_path / "feed.xml"))
    briefs = stored(isolated_home)
    for (kind, period), item in briefs.items():
        [entry] = [e for e in parsed.entries
                   if e.id.endswith(f"/{kind}/{period.replace(' ', '_')}/en")]  # fmt: skip
        headlines = [t.headline for t in item.brief.takeaways[:3]]
        assert headlines and entry.summary == "; ".join(headlines)
        assert entry.summary_detail.type == "text/plain"


def test_a_chinese_entry_summarises_the_chinese_takeaways(
    three_briefs: Callable[..., Path], tmp_path: Path, isolated_home: Path
) -> None:
    three_briefs(tmp_path / "unused.xml")
    item = stored(isolated_home)[("daily", DAY)]
    zh = {f"takeaways.{i}.headline": f"要点 {i}：{t.headline}"
          for i, t in enumerate(item.brief.takeaways)}  # fmt: skip
    translated = StoredBrief(
        kind=item.kind, period=item.period, updated=item.updated,
        brief=item.brief.model_copy(update={"translations": {"zh": zh}}),
    )  # fmt: skip
    feed = tmp_path / "zh.xml"
    feed.write_text(atom_feed([translated], ["en", "zh"], settings()))
    english, chinese = parse_feed(feed).entries
    assert english.summary == "; ".join(t.headline for t in item.brief.takeaways[:3])
    assert chinese.summary == "；".join(zh[f"takeaways.{i}.headline"] for i in range(3))
    assert chinese.summary_detail.language == "zh-CN"
    assert "要点 0" in chinese.content[0].value and "要点 0" not in english.content[0].value


def test_a_day_and_a_one_day_roundup_are_two_entries_with_their_own_pages(
    three_briefs: Callable[..., Path], tmp_path: Path, isolated_home: Path
) -> None:
    parsed = parse_feed(three_briefs(tmp_path / "feed.xml", "--lang", "both"))
    briefs = stored(isolated_home)
    daily, one_day = briefs[("daily", DAY)], briefs[("weekly", DAY)]
    assert daily.brief.kind == "daily" and one_day.brief.kind == "range"
    assert daily.brief.date == one_day.brief.date == DAY  # the same label…
    for lang in ("en", "zh"):
        [day_entry] = [e for e in parsed.entries if e.id.endswith(f"/daily/{DAY}/{lang}")]
        [roundup_entry] = [e for e in parsed.entries if e.id.endswith(f"/weekly/{DAY}/{lang}")]
        assert day_entry.id != roundup_entry.id  # …two entries
        assert day_entry.link == link_of(daily.brief, lang, roundup=False)
        assert roundup_entry.link == link_of(one_day.brief, lang, roundup=True)
        assert day_entry.link != roundup_entry.link  # …two pages
        assert day_entry.title != roundup_entry.title
        assert utc(day_entry.published_parsed) == utc(roundup_entry.published_parsed)
    ranged = briefs[("weekly", RANGE)]
    [entry] = [e for e in parsed.entries if e.id.endswith("/weekly/2026-02-17_to_2026-02-18/en")]
    assert entry.link == link_of(ranged.brief, "en", roundup=True)
    assert len({e.id for e in parsed.entries}) == len({e.link for e in parsed.entries}) == 6
    # the day's entry before the roundups that end on that same day
    ids = [e.id for e in parsed.entries if e.id.endswith("/en")]
    assert ids[0].endswith(f"/daily/{DAY}/en") and ids[-1].endswith(f"/weekly/{DAY}/en")


def test_rewriting_an_old_brief_keeps_its_day_and_its_place(
    runner: CliRunner, small_papers: Path, tmp_path: Path, clock: Clock
) -> None:
    for day in ("2026-02-17", DAY):
        invoke(runner, "daily", "--papers", small_papers, "--date", day, "-q")
        clock.tick()
    feed = tmp_path / "feed.xml"
    invoke(runner, "feed", "-o", feed, "--base-url", BASE)
    before = parse_feed(feed).entries
    clock.tick(24 * 7)  # a week later the 17th is run again
    invoke(runner, "daily", "--papers", small_papers, "--date", "2026-02-17", "-q")
    rewritten_at = clock.now
    invoke(runner, "feed", "-o", feed, "--base-url", BASE)
    after = parse_feed(feed).entries
    assert [e.id for e in after] == [e.id for e in before]  # the 18th stays on top
    assert after[0].id.endswith(f"/daily/{DAY}/en")
    assert [e.published_parsed for e in after] == [e.published_parsed for e in before]
    assert utc(after[1].published_parsed) == datetime(2026, 2, 17, tzinfo=UTC)
    assert utc(after[1].updated_parsed) == rewritten_at  # …but says it was written again
    assert after[0].updated_parsed == before[0].updated_parsed

"""`briefgen feed`: an Atom 1.0 feed (RFC 4287) of the stored briefs, newest first.

Each entry is one brief in one language (its `xml:lang`): a stable tag: URI id, the brief's
title, when it is dated (`published`: the first day it covers, so rerunning an old day does not
move it to the top) and when it was last written (`updated`), a link to where it is published
(`feed_base_url` + its file name, when configured; a roundup's own page, a day's for a day),
its first takeaways as the summary, and the brief itself as HTML content. With a base URL the
feed links to itself (`rel="self"`). Built with lxml, so every text is escaped correctly.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from lxml import etree

from briefgen import __version__
from briefgen.core.settings import Settings
from briefgen.infra.store import StoredBrief
from briefgen.render.documents import Format, file_name
from briefgen.render.html import render_html_fragment
from briefgen.render.markdown import RenderLang
from briefgen.render.titles import title_of
from briefgen.translate.localize import localized

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_FILE = "feed.xml"  # the self link's file name when the caller does not say
SUMMARY_TAKEAWAYS = 3
_SEPARATOR: dict[RenderLang, str] = {"en": "; ", "zh": "；"}
_KIND_ORDER = {"daily": 0, "weekly": 1, "range": 2}  # among briefs dated the same day


def language_tag(lang: RenderLang) -> str:
    """The BCP 47 tag of a brief's language, as its HTML page and front matter say it."""
    return "zh-CN" if lang == "zh" else "en"


def published_url(base: str, name: str) -> str:
    """Where a file written as `name` is published under `base` ('…/briefs/' or '…/briefs')."""
    return base.rstrip("/") + "/" + name


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tag(settings: Settings, path: str, year: str) -> str:
    # RFC 4151 tag URIs: stable across hosts and renames of the site.
    return f"tag:briefgen,{year}:{settings.profile}/{path.replace(' ', '_')}"


def _add(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def is_roundup(item: StoredBrief) -> bool:
    """A week or a range, even a one-day range (its label looks like a day's): the store files
    every roundup as 'weekly', and the brief itself says which it is."""
    return item.kind != "daily" or item.brief.kind != "daily"


def published_at(item: StoredBrief) -> datetime:
    """The brief's own date: the last day it covers (a day's date; a roundup's last day, so a
    week in review comes after the days it reviews), at 00:00 UTC; when it was written for a
    brief whose label says no day."""
    end = item.brief.end
    return datetime.combine(end, time(), tzinfo=UTC) if end is not None else item.updated


def feed_order(stored: list[StoredBrief]) -> list[StoredBrief]:
    """Newest first by the brief's own date, not by when it was written; among briefs of the
    same day, a day before a week before a range, the longer range first."""
    return sorted(
        stored,
        key=lambda s: (
            -published_at(s).timestamp(),
            _KIND_ORDER.get(s.brief.kind, len(_KIND_ORDER)),
            s.brief.start.toordinal() if s.brief.start is not None else 0,
            s.period,
        ),
    )


def summary_of(item: StoredBrief, lang: RenderLang) -> str:
    """The brief's first takeaways (their headlines) in the entry's language."""
    brief = localized(item.brief, lang)
    headlines = [t.headline.strip() for t in brief.takeaways[:SUMMARY_TAKEAWAYS]]
    return _SEPARATOR[lang].join(h for h in headlines if h)


def atom_feed(
    stored: list[StoredBrief],
    langs: list[RenderLang],
    settings: Settings,
    *,
    self_url: str | None = None,
) -> str:
    """The feed of `stored` in each of `langs`. `self_url` is where the feed itself is
    published; without it, `feed.xml` under the base URL when there is one."""
    ordered = feed_order(stored)
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(XML_LANG, language_tag(langs[0]))
    year = stored[0].period[:4]
    _add(root, "id", _tag(settings, "feed/" + "+".join(langs), year))
    title = settings.output.feed_title + (
        "" if settings.profile == "default" else f" ({settings.profile})"
    )
    _add(root, "title", title)
    _add(root, "updated", _stamp(max(s.updated for s in stored)))
    author = _add(root, "author")
    _add(author, "name", "briefgen")
    _add(root, "generator", "briefgen", version=__version__)
    base = settings.output.feed_base_url
    if self_url is None and base:
        self_url = published_url(base, FEED_FILE)
    if self_url:
        _add(root, "link", href=self_url, rel="self", type="application/atom+xml")
    if base:
        _add(root, "link", href=base, rel="alternate", type="text/html")
    for item in ordered:
        roundup = is_roundup(item)
        for lang in langs:
            entry = _add(root, "entry")
            entry.set(XML_LANG, language_tag(lang))
            _add(entry, "id", _tag(settings, f"{item.kind}/{item.period}/{lang}", item.period[:4]))
            _add(entry, "title", title_of(item.brief, lang))
            _add(entry, "published", _stamp(published_at(item)))
            _add(entry, "updated", _stamp(item.updated))
            if base:
                names = settings.output
                pattern = names.weekly_filename if roundup else names.daily_filename
                href = published_url(base, file_name(pattern, item.brief, lang, Format.html))
                _add(entry, "link", href=href, rel="alternate", type="text/html")
            summary = summary_of(item, lang)
            if summary:
                _add(entry, "summary", summary)
            _add(entry, "content", render_html_fragment(item.brief, lang), type="html")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml.decode("utf-8")

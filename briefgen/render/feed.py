"""`briefgen feed`: an Atom 1.0 feed (RFC 4287) of the stored briefs, newest first.

Each entry is one brief in one language: a stable tag: URI id, the brief's title, when it was
written, a link to where it is published (`feed_base_url` + its file name, when configured),
and the brief itself as HTML content. Built with lxml, so every text is escaped correctly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from briefgen import __version__
from briefgen.core.settings import Settings
from briefgen.infra.store import StoredBrief
from briefgen.render.documents import Format, file_name
from briefgen.render.html import render_html_fragment
from briefgen.render.markdown import RenderLang
from briefgen.render.titles import is_daily, title_of

ATOM = "http://www.w3.org/2005/Atom"


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


def atom_feed(stored: list[StoredBrief], langs: list[RenderLang], settings: Settings) -> str:
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    year = stored[0].period[:4]
    _add(root, "id", _tag(settings, "feed/" + "+".join(langs), year))
    title = settings.feed_title + (
        "" if settings.profile == "default" else f" ({settings.profile})"
    )
    _add(root, "title", title)
    _add(root, "updated", _stamp(max(s.updated for s in stored)))
    author = _add(root, "author")
    _add(author, "name", "briefgen")
    _add(root, "generator", "briefgen", version=__version__)
    base = settings.feed_base_url
    if base:
        _add(root, "link", href=base, rel="alternate", type="text/html")
    for item in stored:
        for lang in langs:
            entry = _add(root, "entry")
            _add(entry, "id", _tag(settings, f"{item.kind}/{item.period}/{lang}", item.period[:4]))
            _add(entry, "title", title_of(item.brief, lang))
            _add(entry, "updated", _stamp(item.updated))
            if base:
                pattern = (
                    settings.daily_filename if is_daily(item.brief) else settings.weekly_filename
                )
                href = base.rstrip("/") + "/" + file_name(pattern, item.brief, lang, Format.html)
                _add(entry, "link", href=href, rel="alternate", type="text/html")
            summary = item.brief.takeaways[0].headline if item.brief.takeaways else ""
            if summary:
                _add(entry, "summary", summary)
            _add(entry, "content", render_html_fragment(item.brief, lang), type="html")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml.decode("utf-8")

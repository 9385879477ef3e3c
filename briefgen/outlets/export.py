"""`briefgen export`: a brief's papers as references: BibTeX, RIS or CSL-JSON.

The brief is a stored one (a day, `2026-06-17`, or a roundup, `2026-W08`) or a file briefgen
wrote: its JSON (`--format json`), or its markdown (with or without front matter; the papers
are read from its glance table and top-5 links, in either language). What a brief does not
carry (authors, abstract, categories, the listing date) comes from the store; a paper the store
does not know is exported with what the brief gives (id, version, title, contribution).

Every entry is an arXiv preprint: its id with the version the brief read, the arXiv DOI
(10.48550/arXiv.ID, registered by arXiv for every paper), the abs URL, the listing date, and
the brief's one-line contribution as a note:

- BibTeX (`@misc`, as arXiv and biblatex have it): eprint, archivePrefix = {arXiv},
  primaryClass, doi, url, year, month (a macro), date (biblatex), abstract, and `annote` for
  the contribution (a note for the reader, which citation styles do not print, unlike `note`;
  Zotero and JabRef import it as a note). Keys are the first author's family name, the year and
  the title's first word (`park2026specserve`), ASCII, with a, b, … after a key already used.
  Text is Unicode (LaTeX in titles converted, as in the brief) with BibTeX's specials escaped:
  \\ { } % & _ # $ ~ ^ (braces as \\{ \\}, or \\textbraceleft{} when a text's braces do not pair,
  since BibTeX counts them).
- RIS: TY UNPB (unpublished work: RIS has no preprint type), TI, AU (Family, Given, Suffix), PY, DA
  (YYYY/MM/DD/), DO, UR, AB, AN (arXiv:ID), DB arXiv, KW (categories), N1 the contribution, ER.
- CSL-JSON: type "article" with genre "preprint", publisher "arXiv" and number "arXiv:ID" (how
  Zotero and citeproc write a preprint), id (the BibTeX key), title, author, issued, DOI, URL,
  abstract, note.

Names are split as BibTeX and CSL split them (`person_name`, into bibtexparser's NameParts):
'Charles de la Vallée Poussin' is BibTeX's `de la Vallée Poussin, Charles` (von part 'de la',
last 'Vallée Poussin') and CSL's family 'Vallée Poussin' with non-dropping-particle 'de la';
'Martin Luther King Jr.' is `King, Jr., Martin Luther` and CSL's family 'King' with suffix
'Jr.'.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.core.errors import InputError, UsageError
from briefgen.core.models import Brief, Paper, period_of_label, split_arxiv_id
from briefgen.infra.store import Store
from briefgen.read.latex import plain_text
from briefgen.render.documents import load_brief

if TYPE_CHECKING:  # bibtexparser loads when a name is split (40 ms), not at every command
    from bibtexparser.middlewares.names import NameParts

TOP = 5
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_RANGE = re.compile(r"^\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$")


class ExportFormat(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


@dataclass
class BriefRow:
    paper_id: str
    version: str
    title: str
    contribution: str


@dataclass
class BriefPapers:
    """What export needs of a brief: its label and its papers, top ones first in `top`."""

    label: str
    rows: list[BriefRow]
    top: list[str] = field(default_factory=list)
    start: date | None = None


@dataclass
class Reference:
    paper_id: str
    version: str
    title: str
    contribution: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    categories: list[str] = field(default_factory=list)
    listed: date | None = None
    known: bool = True  # the store had the paper's metadata

    @property
    def eprint(self) -> str:
        return f"{self.paper_id}{self.version}"

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.eprint}"

    @property
    def doi(self) -> str:
        return f"10.48550/arXiv.{self.paper_id}"


# the brief ----------------------------------------------------------------------------------


def _row_version(url: str) -> str:
    try:
        return split_arxiv_id(url.rstrip("/"))[1]
    except ValueError:
        return ""


def papers_of_brief(brief: Brief) -> BriefPapers:
    rows = [BriefRow(r.paper_id, _row_version(r.url), r.title, r.contribution)
            for r in brief.papers_at_a_glance]  # fmt: skip
    return BriefPapers(brief.date, rows, [t.paper_id for t in brief.top_papers], brief.start)


def is_stored_label(what: str) -> bool:
    return bool(_DAY.match(what) or _WEEK.match(what) or _RANGE.match(what))


def stored_brief(store: Store, label: str, profile: str) -> Brief:
    kind = "daily" if _DAY.match(label) else "weekly"  # roundups of a week or a range
    brief = store.get_brief(kind, label, profile)
    if brief is None:
        command = f"daily --date {label}" if kind == "daily" else f"weekly --week {label}"
        raise UsageError(
            f"no stored {'daily brief' if kind == 'daily' else 'roundup'} for {label} "
            f"(profile '{profile}'); run `briefgen {command}` first, pass --profile, or give "
            "a brief's file (.json or .md)"
        )
    return brief


def read_brief_file(path: Path) -> BriefPapers:
    """A brief briefgen wrote: its JSON, or its markdown (see the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return papers_of_brief(load_brief(text, str(path)))
    if path.suffix.lower() in (".html", ".htm"):
        raise InputError(f"{path}: export reads a brief's .json or .md, not its HTML page")
    return _markdown_papers(text, path)


# A glance row: | 1 | [Title](https://arxiv.org/abs/ID) … | domain | contribution | read from |
_GLANCE_ROW = re.compile(r"^\|\s*\d+\s*\|\s*\[(?P<rest>.*)\|\s*$")
_LINK = re.compile(r"^(?P<title>(?:\\.|[^\]\\])*)\]\((?P<url>https?://arxiv\.org/abs/[^)\s]+)\)")
_TOP_LINE = re.compile(r"^\d+\) \[(?:\\.|[^\]\\])*\]\((?P<url>https?://arxiv\.org/abs/[^)\s]+)\)")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BACKSLASHED = re.compile(r"\\([!-/:-@\[-`{-~])")
_FRONT_DATE = re.compile(r"^(?:period|date):\s*\"?([^\"\n]+?)\"?\s*$", re.MULTILINE)
_HEADING_DATE = re.compile(r"^## (\d{4}-\S+(?: to \d{4}-\d{2}-\d{2})?)\s*$", re.MULTILINE)


def _unescape(cell: str) -> str:
    """Markdown text as briefgen escaped it (render.escape) back to the text."""
    return " ".join(html.unescape(_BACKSLASHED.sub(r"\1", cell)).split())


def _markdown_papers(text: str, path: Path) -> BriefPapers:
    rows: list[BriefRow] = []
    top: list[str] = []
    for line in text.splitlines():
        glance = _GLANCE_ROW.match(line)
        if glance:
            link = _LINK.match(glance.group("rest"))
            cells = _CELL_SPLIT.split(glance.group("rest"))
            if link is None or len(cells) < 4:
                continue
            paper_id, version = split_arxiv_id(link.group("url"))
            rows.append(BriefRow(paper_id, version, _unescape(link.group("title")),
                                 _unescape(cells[-2])))  # fmt: skip
            continue
        top_line = _TOP_LINE.match(line)
        if top_line:
            top.append(split_arxiv_id(top_line.group("url"))[0])
    if not rows:
        raise InputError(
            f"{path} holds no papers: export reads a brief briefgen wrote (its .json, or its "
            "markdown with the 'Papers at a glance' table)"
        )
    front = text.split("\n---", 1)[0] if text.startswith("---") else ""
    found = _FRONT_DATE.findall(front)
    heading = _HEADING_DATE.search(text)
    label = found[-1] if found else heading.group(1) if heading else ""
    return BriefPapers(label, rows, top, period_of_label(label)[1])


def references(
    store: Store, brief: BriefPapers, *, top_only: bool
) -> tuple[list[Reference], list[str]]:
    """The brief's papers (or its top 5) as references, and the ids the store does not know."""
    rows = {r.paper_id: r for r in brief.rows}
    ids = [i for i in brief.top if i in rows][:TOP] if top_only else list(rows)
    refs: list[Reference] = []
    unknown: list[str] = []
    for paper_id in ids:
        row = rows[paper_id]
        paper: Paper | None = store.get_paper(paper_id)
        if paper is None:
            unknown.append(paper_id)
            refs.append(Reference(paper_id, row.version, row.title, row.contribution,
                                  listed=brief.start, known=False))  # fmt: skip
            continue
        refs.append(Reference(
            paper_id, row.version or paper.version, row.title or paper.title, row.contribution,
            authors=list(paper.authors), abstract=paper.abstract,
            categories=list(paper.categories), listed=paper.published,
        ))  # fmt: skip
    return refs, unknown


# names ---------------------------------------------------------------------------------------

# Particles BibTeX reads as a name's "von" part: lower-case words before the family name. As in
# BibTeX, only a particle written in lower case is one: 'Luc Van Gool' splits as BibTeX splits
# it (family 'Gool'), since a capitalised 'Van' is as often a Vietnamese middle name.
_PARTICLES = frozenset({"van", "von", "vom", "zu", "zum", "zur", "der", "den", "de", "del",
                        "della", "degli", "dei", "di", "da", "das", "do", "dos", "du", "la",
                        "le", "lo", "ten", "ter", "te", "bin", "binti", "ibn", "al", "el",
                        "af", "av"})  # fmt: skip
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def person_name(name: str) -> NameParts:
    """The parts of a name as arXiv writes it ('Given Family', 'Given Family Jr.', 'Given
    Family, Jr.') or as BibTeX does ('von Last, First', 'von Last, Jr, First': read by
    bibtexparser, which splits as BibTeX does). One word is a last name alone."""
    from bibtexparser.middlewares.names import NameParts, parse_single_name_into_parts

    name = " ".join(name.split())
    if "," in name:
        head, rest = (part.strip() for part in name.split(",", 1))
        if rest.lower() in _SUFFIXES and " " in head:  # 'Martin Luther King, Jr.'
            return replace(person_name(head), jr=[rest])
        parts = parse_single_name_into_parts(name, strict=False)
        return parts if parts.last else NameParts(last=[name.strip(", ")])  # only a comma
    words = name.split(" ")
    jr = [words.pop()] if len(words) > 2 and words[-1].lower() in _SUFFIXES else []
    if len(words) == 1:
        return NameParts(last=words, jr=jr)
    for start in range(1, len(words) - 1):
        if words[start] in _PARTICLES:
            end = start
            while end < len(words) - 1 and words[end] in _PARTICLES:
                end += 1
            return NameParts(first=words[:start], von=words[start:end], last=words[end:], jr=jr)
    return NameParts(first=words[:-1], last=words[-1:], jr=jr)


def surname(parts: NameParts) -> str:
    """The family name as written, its particle first ('de la Vallée Poussin')."""
    return " ".join([*parts.von, *parts.last])


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a name for a form with two fields (RIS readers, Zotero): the family
    with its particle ('de la Vallée Poussin'), a suffix after the given names as Zotero takes
    it ('Martin Luther, Jr.')."""
    parts = person_name(name)
    given = ", ".join(" ".join(p) for p in (parts.first, parts.jr) if p) if parts.first else ""
    return surname(parts), given


def _ris_author(parts: NameParts) -> str:
    """RIS's 'Lastname, Firstname, Suffix'."""
    return ", ".join(" ".join(p) for p in ([*parts.von, *parts.last], parts.first, parts.jr) if p)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards",
               "toward", "via", "from", "at", "by", "is", "are", "do", "does", "can"}  # fmt: skip


def citation_keys(refs: list[Reference]) -> list[str]:
    """firstauthorfamily + year + first title word, ASCII; a, b, … after a repeated one."""
    keys: list[str] = []
    used: set[str] = set()
    for ref in refs:
        family = _ascii(surname(person_name(ref.authors[0]))) if ref.authors else ""
        words = [_ascii(w) for w in plain_text(ref.title).split()]
        first = next((w for w in words if w and w not in _STOP_WORDS), "")
        year = str(ref.listed.year) if ref.listed else ""
        base = f"{family or 'arxiv'}{year}{first}" or ref.paper_id
        key, n = base, 0
        while key in used:
            key = base + _suffix(n)
            n += 1
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# BibTeX --------------------------------------------------------------------------------------

_BIB = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "_": r"\_", "#": r"\#", "$": r"\$",
        "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _braces_pair(text: str) -> bool:
    depth = 0
    for char in text:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def bib_escape(text: str) -> str:
    """Plain text as a BibTeX field value: every special escaped, braces balanced."""
    text = " ".join(text.split())
    paired = _braces_pair(text)
    table: dict[str, str | int | None] = dict(_BIB)
    table["{"] = r"\{" if paired else r"\textbraceleft{}"
    table["}"] = r"\}" if paired else r"\textbraceright{}"
    return text.translate(str.maketrans(table))


def to_bibtex(refs: list[Reference]) -> str:
    entries = []
    for key, ref in zip(citation_keys(refs), refs, strict=True):
        fields: list[tuple[str, str]] = [
            ("title", "{" + bib_escape(plain_text(ref.title)) + "}"),  # {{…}}: case kept
        ]
        if ref.authors:
            # 'von Last, First' or 'von Last, Jr, First': the forms BibTeX splits right
            names = [person_name(a).merge_last_name_first for a in ref.authors]
            fields.append(("author", " and ".join(bib_escape(n) for n in names)))
        if ref.listed:
            fields += [("year", str(ref.listed.year)), ("date", ref.listed.isoformat())]
        fields += [
            ("eprint", ref.eprint),
            ("archivePrefix", "arXiv"),
            *([("primaryClass", ref.categories[0])] if ref.categories else []),
            ("doi", ref.doi),
            ("url", ref.url),
        ]
        if ref.abstract:
            fields.append(("abstract", bib_escape(plain_text(ref.abstract))))
        if ref.contribution:
            fields.append(("annote", bib_escape(plain_text(ref.contribution))))
        lines = [f"@misc{{{key},"]
        for name, value in fields:
            lines.append(f"  {name} = {{{value}}},")
            if name == "year" and ref.listed:
                lines.append(f"  month = {_MONTHS[ref.listed.month - 1]},")
        lines.append("}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n" if entries else ""


# RIS -----------------------------------------------------------------------------------------


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(refs: list[Reference]) -> str:
    records = []
    for key, ref in zip(citation_keys(refs), refs, strict=True):
        lines = [_ris_line("TY", "UNPB"), _ris_line("ID", key),
                 _ris_line("TI", plain_text(ref.title))]  # fmt: skip
        lines += [_ris_line("AU", _ris_author(person_name(a))) for a in ref.authors]
        if ref.listed:
            lines.append(_ris_line("PY", str(ref.listed.year)))
            lines.append(_ris_line("DA", ref.listed.strftime("%Y/%m/%d/")))
        lines += [_ris_line("DO", ref.doi), _ris_line("UR", ref.url),
                  _ris_line("AN", f"arXiv:{ref.eprint}"), _ris_line("DB", "arXiv"),
                  _ris_line("PB", "arXiv")]  # fmt: skip
        lines += [_ris_line("KW", c) for c in ref.categories]
        if ref.abstract:
            lines.append(_ris_line("AB", plain_text(ref.abstract)))
        if ref.contribution:
            lines.append(_ris_line("N1", plain_text(ref.contribution)))
        lines.append("ER  - ")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n" if records else ""


# CSL-JSON ------------------------------------------------------------------------------------


def csl_items(refs: list[Reference]) -> list[dict[str, Any]]:
    items = []
    for key, ref in zip(citation_keys(refs), refs, strict=True):
        item: dict[str, Any] = {
            "id": key,
            "type": "article",
            "genre": "preprint",
            "title": plain_text(ref.title),
            "publisher": "arXiv",
            "number": f"arXiv:{ref.eprint}",
            "DOI": ref.doi,
            "URL": ref.url,
        }
        if ref.authors:
            item["author"] = [_csl_name(a) for a in ref.authors]
        if ref.listed:
            item["issued"] = {"date-parts": [[ref.listed.year, ref.listed.month,
                                              ref.listed.day]]}  # fmt: skip
        if ref.categories:
            item["keyword"] = ", ".join(ref.categories)
        if ref.abstract:
            item["abstract"] = plain_text(ref.abstract)
        if ref.contribution:
            item["note"] = plain_text(ref.contribution)
        items.append(item)
    return items


def _csl_name(name: str) -> dict[str, str]:
    """A CSL name: family and given, with the particle and suffix in their own fields as
    citeproc reads them; a name of one word is a literal."""
    parts = person_name(name)
    if not parts.first:
        return {"literal": " ".join([surname(parts), *parts.jr])}
    item = {"family": " ".join(parts.last), "given": " ".join(parts.first)}
    if parts.von:
        item["non-dropping-particle"] = " ".join(parts.von)
    if parts.jr:
        item["suffix"] = " ".join(parts.jr)
    return item


def to_csl_json(refs: list[Reference]) -> str:
    return json.dumps(csl_items(refs), ensure_ascii=False, indent=2) + "\n"


def render(refs: list[Reference], fmt: ExportFormat) -> str:
    if fmt is ExportFormat.bibtex:
        return to_bibtex(refs)
    if fmt is ExportFormat.ris:
        return to_ris(refs)
    return to_csl_json(refs)

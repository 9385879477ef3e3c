"""The reader's library: the papers the ranking learns from (docs/concepts/ranking.md).

One entry of a profile's `library = [...]` (or one `--library`) names one source, told apart
by what it is:

- `zotero:USER_ID[/COLLECTION_KEY]` or `zotero:groups/GROUP_ID[/COLLECTION_KEY]`: a Zotero
  library read through the Zotero web API (`briefgen.sources.zotero_api`); notes and attachments
  are left out, and a paper's arXiv id is taken from its URL, DOI (10.48550/arXiv.…),
  `archiveID` ("arXiv:2401.12345") or `extra` ("arXiv: 2401.12345");
- a BibTeX file (`.bib`, or any file whose first entry starts with `@`), as Zotero, Google
  Scholar, DBLP, arXiv or JabRef export it: braces and LaTeX accents are resolved, `@string`
  macros expanded, and an entry that cannot be read is skipped and counted, never fatal;
- a papers JSON/JSONL file (`.json`, `.jsonl`, or text starting with `{` or `[`), read by the
  `file` source's reader;
- any other text: arXiv ids or links, one a line (`#` comments allowed) or inside prose (a
  curated list, a markdown page); their titles and abstracts come from the caller's `lookup`.

Every entry says where it came from (`origin`), and similarity is computed on its `text`. An
entry without any text (an id nobody could look up, a BibTeX entry without a title) cannot be
compared with anything: it is left out, and a warning says how many and why.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.core.errors import BriefgenError, ConfigError
from briefgen.core.models import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_TITLE_CHARS,
    Paper,
    strip_controls,
)
from briefgen.read.latex import bibtex_text

if TYPE_CHECKING:
    import httpx

    from briefgen.core.settings import Settings

Lookup = Callable[[list[str]], list[Paper]]
logger = logging.getLogger(__name__)


class PartialLookup(Exception):
    """A lookup that found only some papers (the store's) because arXiv could not be asked:
    the library goes on with `found`, and the one warning about the rest says `reason`."""

    def __init__(self, found: list[Paper], reason: str) -> None:
        super().__init__(reason)
        self.found = found
        self.reason = reason


KINDS_HELP = (
    "a .bib file, a text file of arXiv ids or links, a papers .json/.jsonl file, or "
    "zotero:USER_ID/COLLECTION_KEY"
)


# the entries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryPaper:
    """One paper of the reader's library."""

    key: str  # "arxiv:2401.12345", else "bib:KEY", "zotero:ITEMKEY" or "title:<sha1[:12]>"
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None  # without version
    origin: str = ""  # where it came from: "lib.bib", "zotero:123/ABCD", "ids.txt", "stars"

    @property
    def text(self) -> str:
        """What similarity is computed on: the title, then the abstract."""
        title, abstract = self.title.strip(), self.abstract.strip()
        if not abstract:
            return title
        if not title:
            return abstract
        return f"{title} {abstract}" if title[-1] in ".?!" else f"{title}. {abstract}"

    @property
    def short_title(self) -> str:
        """How a reason names it: the name before a colon ("SnapKV"), else the title cut at a
        word to about 60 characters."""
        title = " ".join(self.title.split())
        head, colon, _ = title.partition(":")
        if colon and head.strip() and len(head.strip()) <= 40:
            return head.strip()
        if len(title) <= 60:
            return title
        cut = title[:61].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
        return (cut or title[:60]) + "…"


def normalised_title(title: str) -> str:
    """The title as dedupe compares it: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def title_key(title: str) -> str:
    digest = hashlib.sha1(normalised_title(title).encode("utf-8")).hexdigest()
    return f"title:{digest[:12]}"


def _entry(
    *,
    title: str,
    abstract: str,
    authors: Iterable[str],
    arxiv_id: str | None,
    fallback_key: str | None,
    origin: str,
) -> LibraryPaper:
    if arxiv_id:
        key = f"arxiv:{arxiv_id}"
    elif fallback_key:
        key = fallback_key
    else:
        key = title_key(title)
    return LibraryPaper(
        key=key,
        title=title,
        abstract=abstract,
        authors=tuple(a for a in authors if a),
        arxiv_id=arxiv_id,
        origin=origin,
    )


# Entries are bounded like paper records (briefgen.core.models.bound_record): one entry costs no
# more than a normal one downstream. A BibTeX field is cut before its LaTeX is read (pylatexenc
# reads about 100 characters a millisecond: a 5 MB title took most of a minute and 900 MB),
# leaving its markup room, and the text cut again to the bound.
_LATEX_ROOM = 2
MAX_AUTHOR_FIELD_CHARS = 300_000  # 'A and B and …': the longest real lists run to ~150,000


def bounded_entry(entry: LibraryPaper, where: str,
                  sizes: Mapping[str, int] | None = None) -> LibraryPaper:  # fmt: skip
    """`entry` with its title, abstract and authors cut to a paper record's bounds, said in
    one warning naming the entry (`sizes`: the fields' lengths as written, if cut before)."""
    sizes = sizes or {}
    cuts: list[str] = []
    title, abstract, authors = entry.title, entry.abstract, entry.authors
    for name, value, limit in (("title", title, MAX_TITLE_CHARS),
                               ("abstract", abstract, MAX_ABSTRACT_CHARS)):  # fmt: skip
        written = max(len(value), sizes.get(name, 0))
        if written > limit:
            cuts.append(f"{name} cut from {written:,} to {limit:,} characters")
    title, abstract = title[:MAX_TITLE_CHARS], abstract[:MAX_ABSTRACT_CHARS]
    if len(authors) > MAX_AUTHORS or sizes.get("author", 0) > MAX_AUTHOR_FIELD_CHARS:
        cuts.append(f"author list cut to {min(len(authors), MAX_AUTHORS):,} names")
    if any(len(a) > MAX_AUTHOR_CHARS for a in authors[:MAX_AUTHORS]):
        cuts.append(f"author names cut to {MAX_AUTHOR_CHARS} characters")
    if not cuts:
        return entry
    shown = entry.key if not entry.key.startswith("title:") else repr(title[:60])
    logger.warning(f"{where}: entry {shown}: {'; '.join(cuts)}")
    return LibraryPaper(
        key=entry.key, title=title, abstract=abstract,
        authors=tuple(a[:MAX_AUTHOR_CHARS] for a in authors[:MAX_AUTHORS]),
        arxiv_id=entry.arxiv_id, origin=entry.origin,
    )  # fmt: skip


def _clean(value: object) -> str:
    """Text on one line, without control characters ('' for anything not a string)."""
    return " ".join(strip_controls(value).split()) if isinstance(value, str) else ""


def library_from_papers(papers: list[Paper], origin: str) -> list[LibraryPaper]:
    """Papers (the store's, a papers file's, the starred ones) as library entries."""
    return [
        LibraryPaper(
            key=f"arxiv:{paper.id}",
            title=paper.title,
            abstract=paper.abstract,
            authors=tuple(paper.authors),
            arxiv_id=paper.id,
            origin=origin,
        )
        for paper in papers
    ]


def dedupe(entries: list[LibraryPaper]) -> list[LibraryPaper]:
    """One entry per paper: the same arXiv id, or the same title however written, is one
    paper; the first entry wins."""
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    kept: list[LibraryPaper] = []
    for entry in entries:
        title = normalised_title(entry.title)
        if (entry.arxiv_id and entry.arxiv_id in seen_ids) or (title and title in seen_titles):
            continue
        if entry.arxiv_id:
            seen_ids.add(entry.arxiv_id)
        if title:
            seen_titles.add(title)
        kept.append(entry)
    return kept


# arXiv ids in text -------------------------------------------------------------------------------

# New-style ids (0704.0001 on: YYMM.NNNN, five digits from 2015) and old-style (hep-th/9901001,
# math.AG/0101001).
_NEW_ID = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?P<version>v\d+)?"
# Where an id sits in free text: an arXiv (or mirror) link, "arXiv:ID", arXiv's DOI.
_REFERENCE = re.compile(
    r"(?:(?<![\w.])(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/"
    r"|(?<![\w.])(?:www\.)?(?:huggingface\.co/papers|alphaxiv\.org/abs)/"
    r"|\barxiv:\s*"
    r"|\b10\.48550/arxiv\.)"
    rf"{_ID}(?![\w/]|\.\d)",
    re.IGNORECASE,
)
# A line (or a field) that is nothing but an id or a link to one.
_WHOLE = re.compile(
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)?"
    rf"{_ID}(?:\.pdf)?/?",
    re.IGNORECASE,
)


def _canonical(found: str) -> str:
    # Old-style archives are lower case, their subject class upper case (math.AG/0101001).
    if "/" not in found:
        return found
    archive, number = found.split("/", 1)
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def arxiv_id_in(text: str) -> str | None:
    """The arXiv id (without version) that `text` links to or cites as arXiv:ID, if any."""
    match = _REFERENCE.search(text or "")
    return _canonical(match.group("id")) if match else None


def arxiv_ids_in(text: str) -> list[str]:
    """Every arXiv id `text` links to or cites, in order, once each."""
    found: dict[str, None] = {}
    for match in _REFERENCE.finditer(text):
        found.setdefault(_canonical(match.group("id")), None)
    return list(found)


def as_arxiv_id(value: str) -> str | None:
    """The id when `value` is nothing but an arXiv id or a link to one ('2401.12345v2',
    'arXiv:2401.12345', 'https://arxiv.org/pdf/2401.12345v1'), else None."""
    match = _WHOLE.fullmatch(value.strip())
    return _canonical(match.group("id")) if match else None


# reading a file ----------------------------------------------------------------------------------

_BIB_SUFFIXES = {".bib", ".bibtex"}
_PAPERS_SUFFIXES = {".json", ".jsonl", ".ndjson"}
_MARKDOWN_SUFFIXES = {".md", ".markdown"}


def _read_text(path: Path, spec: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"library {spec}: no such file ({path.absolute()}); fix the path in the profile's "
            "`library = [...]` (or --library), or remove it"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"library {spec}: is a directory; name a file in it instead ({KINDS_HELP})"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"library {spec}: cannot read it ({exc.strerror}); check its permissions"
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older BibTeX tools write Latin-1; every byte decodes, so the file is still read.
        logger.warning(
            f"library {spec}: not UTF-8 text; read as Latin-1 (save it as UTF-8 to be sure)"
        )
        return data.decode("latin-1")


def _first_content(text: str) -> str:
    """The first character that is not space or a '%' comment line (BibTeX) — '' if none."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("%"):
            return stripped[0]
    return ""


def _kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in _BIB_SUFFIXES:
        return "bib"
    if suffix in _PAPERS_SUFFIXES:
        return "papers"
    first = _first_content(text)
    if first == "@":
        return "bib"
    if first in "{[" and first and suffix not in _MARKDOWN_SUFFIXES:
        return "papers"
    return "ids"


def read_library(
    spec: str,
    *,
    settings: Settings,
    lookup: Lookup | None = None,
    client: httpx.Client | None = None,
) -> list[LibraryPaper]:
    """The papers one library entry names. `lookup(ids)` gives the Papers of arXiv ids that
    come without a title (from the store or the arXiv API); `client` is the HTTP client for
    Zotero (one is made when not given); a warning says each thing left out.

    Raises ConfigError for what the user must fix (a missing or unreadable file, a library
    with no papers in it, a Zotero library the key cannot read) and UpstreamError when Zotero
    fails; nothing else is fatal."""
    spec = spec.strip()
    if not spec:
        raise ConfigError(f"library: an empty entry; name {KINDS_HELP}")
    if spec.lower().startswith("zotero:"):
        found = _read_zotero(spec, settings=settings, client=client)
        return [bounded_entry(entry, f"library {spec}") for entry in found]
    path = Path(spec).expanduser()
    text = _read_text(path, spec)
    kind = _kind(path, text)
    if kind == "bib":
        return read_bib(text, spec=spec, origin=path.name)
    if kind == "papers":
        return _read_papers_file(path, spec)
    found = read_ids(
        text, spec=spec, origin=path.name, lookup=lookup,
        markdown=path.suffix.lower() in _MARKDOWN_SUFFIXES,
    )  # fmt: skip
    return [bounded_entry(entry, f"library {spec}") for entry in found]


def _empty(spec: str, found: str) -> ConfigError:
    return ConfigError(
        f"library {spec}: {found}, so there is nothing to learn from; add papers to it or "
        f"remove it from the profile's `library = [...]` (it can be {KINDS_HELP})"
    )


def _plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


# papers files ------------------------------------------------------------------------------------

# Papers in a library need no listing date; one is given so that records without one load.
_ANY_DATE = date(1970, 1, 1)


def _read_papers_file(path: Path, spec: str) -> list[LibraryPaper]:
    from briefgen.sources.local import load_papers_file

    try:
        papers = load_papers_file(path, listing_date=_ANY_DATE)
    except BriefgenError as exc:
        raise ConfigError(f"library {spec}: {exc}") from exc
    if not papers:
        raise _empty(spec, "the papers file holds no papers")
    return library_from_papers(papers, path.name)


# ids and links -----------------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")


def _line_id(line: str) -> str | None:
    """The id of a line that is only an id or link (a list bullet and a trailing comment
    allowed)."""
    body = re.split(r"\s#", line, maxsplit=1)[0].strip()
    body = _BULLET.sub("", body).strip("<>()[] ")
    return as_arxiv_id(body) if body else None


def ids_in_text(text: str, *, markdown: bool = False) -> list[str]:
    """The arXiv ids of a text: lines that are an id or a link, and links or arXiv:IDs inside
    prose. Lines starting with '#' are comments, except in markdown (headings)."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not markdown):
            continue
        whole = _line_id(stripped)
        if whole is not None:
            found.setdefault(whole, None)
            continue
        for paper_id in arxiv_ids_in(stripped):
            found.setdefault(paper_id, None)
    return list(found)


def read_ids(
    text: str,
    *,
    spec: str,
    origin: str,
    lookup: Lookup | None,
    markdown: bool = False,
) -> list[LibraryPaper]:
    """Library entries for the arXiv ids a text holds, their titles and abstracts from
    `lookup`. Ids it cannot resolve are left out, with a warning."""
    ids = ids_in_text(text, markdown=markdown)
    if not ids:
        raise _empty(
            spec,
            "found no arXiv ids or links in it (expected one a line, like 2401.12345, "
            "arXiv:2401.12345 or https://arxiv.org/abs/2401.12345, or links inside the text)",
        )
    papers: dict[str, Paper] = {}
    failure = ""
    if lookup is not None:
        try:
            looked_up = lookup(list(ids))
        except PartialLookup as partial:
            looked_up, failure = partial.found, partial.reason
        for found in looked_up:
            papers.setdefault(found.id, found)
    entries: list[LibraryPaper] = []
    missing: list[str] = []
    for paper_id in ids:
        paper = papers.get(paper_id)
        if paper is None or not (paper.title.strip() or paper.abstract.strip()):
            missing.append(paper_id)
            continue
        entries.extend(library_from_papers([paper], origin))
    if missing:
        shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
        why = (
            "nothing looked their titles and abstracts up"
            if lookup is None
            else f"they are not in the store and arXiv could not be asked ({failure})"
            if failure
            else "their titles and abstracts could not be found"
        )
        logger.warning(
            f"library {spec}: {_plural(len(missing), 'arXiv id')} of {len(ids)} left out "
            f"({shown}): {why}, and an id alone cannot be compared with a day's papers"
        )
    return entries


# BibTeX ----------------------------------------------------------------------------------------

# Google Scholar and some exporters end the author list with "and others".
_OTHERS = {"others", "et al", "et al."}


def bib_authors(value: str) -> list[str]:
    """A BibTeX name list as ['First von Last Jr', …]: split at each 'and' outside braces and
    each name into its parts as BibTeX does, by bibtexparser (the functions its
    SeparateCoAuthors and SplitNameParts middlewares apply, here after the field is bounded
    and without their strictness: one odd name does not cost the entry), then read as text."""
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    names: list[str] = []
    for raw in split_multiple_persons_names(value):
        parts = parse_single_name_into_parts(raw, strict=False)
        text = bibtex_text(parts.merge_first_name_first)
        if text and text.lower() not in _OTHERS:
            names.append(text)
    return names


def _bib_arxiv_id(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "")
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and archive in ("", "arxiv"):
        found = as_arxiv_id(eprint) or arxiv_id_in(eprint)
        if found:
            return found
    for name in ("url", "doi", "journal", "journaltitle", "note", "number", "howpublished",
                 "eprint", "booktitle", "publisher"):  # fmt: skip
        found = arxiv_id_in(fields.get(name, ""))
        if found:
            return found
    # DBLP: journal = {CoRR}, volume = {abs/2004.05150}
    journal = (fields.get("journal") or fields.get("journaltitle") or "").strip().lower()
    volume = fields.get("volume", "").strip()
    if journal in ("corr", "arxiv") and volume.lower().startswith("abs/"):
        return as_arxiv_id(volume[4:])
    return None


def _fields(entry: Any) -> dict[str, str]:
    """An entry's fields by lower-case name; the first of a repeated field wins."""
    fields: dict[str, str] = {}
    for field in entry.fields:
        if isinstance(field.value, str):
            fields.setdefault(field.key.lower(), field.value)
    return fields


class _ThisThread(logging.Filter):
    """Drops the records of the thread that made it: another thread's (a full text's LaTeX,
    a concurrent MCP tool call) pass."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


@contextmanager
def _held_back(*modules: str) -> Iterator[None]:
    """The records this thread makes on the loggers of the modules' packages dropped while the
    block runs: bibtexparser logs each malformed block (on stderr, in a run with no logging
    set up) where one warning of ours counts them. A filter acts on the logger a record is
    made on, not on its parents, so it goes on each logger of the packages, which the modules'
    import made. Python 3.11 has no Logger.getChildren: they are found in the logger
    manager's table."""
    for module in modules:
        importlib.import_module(module)
    packages = {module.partition(".")[0] for module in modules}
    held = _ThisThread()
    loggers = [
        found
        for name, found in dict(logging.Logger.manager.loggerDict).items()
        if isinstance(found, logging.Logger) and name.partition(".")[0] in packages
    ]
    for found in loggers:
        found.addFilter(held)
    try:
        yield
    finally:
        for found in loggers:
            found.removeFilter(held)


def read_bib(text: str, *, spec: str, origin: str) -> list[LibraryPaper]:
    """Library entries for a BibTeX file's entries. What cannot be read (a malformed entry)
    or compared (no title) is left out, counted in one warning."""
    with _held_back("bibtexparser", "pylatexenc.latex2text"):
        return _read_bib(text, spec=spec, origin=origin)


def _read_bib(text: str, *, spec: str, origin: str) -> list[LibraryPaper]:
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.middlewares import RemoveEnclosingMiddleware
    from bibtexparser.model import Entry

    try:
        library = parse_string(text)
    except Exception as exc:  # the splitter is tolerant; anything else is a parser bug
        raise ConfigError(f"library {spec}: cannot be read as BibTeX ({exc})") from exc

    candidates: list[Any] = list(library.entries)
    skipped: Counter[str] = Counter()
    malformed_lines: list[int] = []
    for block in library.failed_blocks:
        readable = block.ignore_error_block
        if isinstance(readable, Entry):
            # a repeated field or key: the entry itself is readable (the first value wins;
            # a second entry with the same key is dropped below if it is the same paper),
            # its values' enclosing braces or quotes removed as the parse stack removed the
            # others'
            candidates.append(RemoveEnclosingMiddleware().transform_entry(readable, library))
            continue
        skipped["malformed"] += 1
        if block.start_line is not None:
            malformed_lines.append(block.start_line + 1)
    candidates.sort(key=lambda entry: entry.start_line or 0)

    entries: list[LibraryPaper] = []
    for entry in candidates:
        fields = _fields(entry)
        sizes = {name: len(fields.get(name, "")) for name in ("title", "abstract", "author")}
        title = bibtex_text(fields.get("title", "")[: MAX_TITLE_CHARS * _LATEX_ROOM])
        if not title:
            skipped["without a title"] += 1
            continue
        read = _entry(
            title=title,
            abstract=bibtex_text(fields.get("abstract", "")[: MAX_ABSTRACT_CHARS * _LATEX_ROOM]),
            authors=bib_authors(fields.get("author", "")[:MAX_AUTHOR_FIELD_CHARS]),
            arxiv_id=_bib_arxiv_id(fields),
            fallback_key=f"bib:{entry.key}" if entry.key else None,
            origin=origin,
        )
        entries.append(bounded_entry(read, f"library {spec}", sizes))
    if skipped:
        total = sum(skipped.values())
        reasons = ", ".join(f"{count} {reason}" for reason, count in skipped.most_common())
        lines = ""
        if malformed_lines:
            shown = ", ".join(str(n) for n in malformed_lines[:8])
            more = ", …" if len(malformed_lines) > 8 else ""
            lines = (
                f"; the unreadable one starts on line {shown}"
                if len(malformed_lines) == 1
                else f"; the unreadable ones start on lines {shown}{more}"
            )
        logger.warning(
            f"library {spec}: {_plural(total, 'entry', 'entries')} skipped ({reasons}){lines}"
        )
    if not entries:
        found = "holds no BibTeX entries" if not skipped else "has no readable entry with a title"
        raise _empty(spec, found)
    return entries


# Zotero items -------------------------------------------------------------------------------------


def _zotero_authors(creators: object) -> list[str]:
    if not isinstance(creators, list):
        return []
    people = [c for c in creators if isinstance(c, dict)]
    authors = [c for c in people if c.get("creatorType", "author") == "author"] or people
    names = []
    for creator in authors:
        if creator.get("name"):
            names.append(_clean(creator["name"]))
        else:
            first, last = _clean(creator.get("firstName")), _clean(creator.get("lastName"))
            names.append(f"{first} {last}".strip())
    return [name for name in names if name]


def _zotero_arxiv_id(data: Mapping[str, Any]) -> str | None:
    for name in ("archiveID", "url", "DOI", "extra", "number", "publicationTitle"):
        value = data.get(name)
        if isinstance(value, str):
            found = arxiv_id_in(value)
            if found:
                return found
    return None


# Zotero item types that are not papers: notes, attachments (PDFs, snapshots), annotations.
ZOTERO_SKIPPED = frozenset({"note", "attachment", "annotation"})
# Zotero's rich-text title markup: <i>, <b>, <sub>, <sup>, <span class="nocase">…
_MARKUP = re.compile(r"</?(?:i|b|sub|sup|span)(?:\s[^<>]*)?>", re.IGNORECASE)


def zotero_entry(raw: object, origin: str) -> LibraryPaper | str:
    """A library entry for one item of the API's JSON, or why it has none (a note, an
    attachment, no title)."""
    if not isinstance(raw, dict):
        return "unreadable"
    data = raw.get("data") if isinstance(raw.get("data"), dict) else raw
    assert isinstance(data, dict)
    if data.get("itemType") in ZOTERO_SKIPPED:
        return "note or attachment"
    title = _clean(_MARKUP.sub("", data.get("title") or ""))
    if not title:
        return "without a title"
    item_key = raw.get("key") or data.get("key")
    return _entry(
        title=title,
        abstract=_clean(data.get("abstractNote")),
        authors=_zotero_authors(data.get("creators")),
        arxiv_id=_zotero_arxiv_id(data),
        fallback_key=f"zotero:{item_key}" if isinstance(item_key, str) and item_key else None,
        origin=origin,
    )


def _read_zotero(
    spec: str, *, settings: Settings, client: httpx.Client | None
) -> list[LibraryPaper]:
    from briefgen.sources.zotero_api import (  # httpx loads only for Zotero
        ZoteroClient,
        api_key,
        parse_zotero_spec,
    )

    target = parse_zotero_spec(spec)
    items = ZoteroClient(
        target, f"library {target.spec}", settings=settings, key=api_key(), client=client
    ).read_items()
    entries: list[LibraryPaper] = []
    skipped: Counter[str] = Counter()
    for raw in items:
        entry = zotero_entry(raw, target.spec)
        if isinstance(entry, str):
            skipped[entry] += 1
        else:
            entries.append(entry)
    others = {reason: n for reason, n in skipped.items() if reason != "note or attachment"}
    if others:
        reasons = ", ".join(f"{n} {reason}" for reason, n in others.items())
        skipped_items = _plural(sum(others.values()), "item")
        logger.warning(f"library {target.spec}: {skipped_items} skipped ({reasons})")
    if not entries:
        found = (
            f"{target.described} is empty"
            if not items
            else f"{target.described} holds no papers (only notes, attachments or untitled items)"
        )
        raise ConfigError(
            f"library {target.spec}: {found}, so there is nothing to learn from; add papers "
            "to it, or name another collection"
        )
    return entries

"""The `file` source: a local list of papers (a hand-picked list, a mirror, another tool's dump).

Read as people have them: the format is told by the content, never the name (a JSON list, one
JSON object, `{"papers": [...]}`, JSON Lines, or objects one after another as `jq` prints them);
`-` is stdin, and a pipe (`/dev/stdin`, `<(…)`) is read once. Besides briefgen's own field
names, those of the `arxiv` package (`entry_id`, `summary`, `primary_category`, authors as
`{"name": …}`) and of daily-arXiv-ai-enhanced (`abs`, `summary`, no date) are understood.
"""

from __future__ import annotations

import json
import re
import stat
import sys
import weakref
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from briefgen.core.errors import InputError, describe_validation
from briefgen.core.models import Paper, split_arxiv_id
from briefgen.sources import merge_papers

FIELDS_HELP = (
    "id (or entry_id/abs: an arXiv id or abs URL), title, abstract (or summary), published "
    "(the listing date; optional with --date), and optionally authors, categories (primary "
    "first), primary_category, url, upvotes"
)
# The arXiv source's words for the same thing, so both sources report it alike.
CROSS_LISTED = "cross-listed (add --cross-lists to include them)"
STDIN_NAME = "<stdin>"

_ID_KEYS = ("id", "entry_id", "abs")
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<ref>.+?)(?:\.pdf)?/?$",
    re.IGNORECASE,
)

# What a stream or pipe held, kept for the rest of the run: it cannot be read a second time
# (a weekly roundup reads the papers file once per day).
_STDIN_TEXT: weakref.WeakKeyDictionary[IO[str], str] = weakref.WeakKeyDictionary()
_PIPE_TEXT: dict[tuple[str, int, int], str] = {}


def is_stdin(path: Path) -> bool:
    return str(path) == "-"


def papers_file_name(path: Path) -> str:
    """How provenance names the file: its name, or `stdin` for `-` (a brief's text, plain)."""
    return "stdin" if is_stdin(path) else path.name


def papers_file_label(path: Path) -> str:
    """The file as errors name it: its path, or `<stdin>` for `-`."""
    return STDIN_NAME if is_stdin(path) else str(path)


# reading ---------------------------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (Windows editors) is dropped
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{papers_file_label(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def _read_stdin(path: Path) -> str:
    stream = sys.stdin
    if stream is None:
        raise InputError("--papers -: there is no stdin to read")
    known = _STDIN_TEXT.get(stream)
    if known is not None:
        return known
    if stream.isatty():
        raise InputError(
            "--papers - reads the papers from stdin, but stdin is a terminal: pipe them in "
            "(cat papers.jsonl | briefgen daily --papers -)"
        )
    buffer = getattr(stream, "buffer", None)
    text = _decode(buffer.read(), path) if buffer is not None else stream.read()
    _STDIN_TEXT[stream] = text
    return text


def _read_path(path: Path) -> str:
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            return _decode(path.read_bytes(), path)
        # A pipe or a device (/dev/stdin, process substitution): readable once, so kept.
        key = (str(path), info.st_dev, info.st_ino)
        if key not in _PIPE_TEXT:
            _PIPE_TEXT[key] = _decode(path.read_bytes(), path)
        return _PIPE_TEXT[key]
    except FileNotFoundError:
        raise InputError(f"papers file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"papers file is a directory: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read papers file {path}: {exc.strerror}") from None


def read_papers_text(path: Path) -> str:
    """The file's text; `-` is stdin."""
    return _read_stdin(path) if is_stdin(path) else _read_path(path)


# the records -----------------------------------------------------------------------------------

_decoder = json.JSONDecoder()


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _top_values(text: str) -> Iterator[tuple[int, Any]]:
    """Each top-level JSON value with its offset: one document, JSON Lines, or values one
    after another (pretty-printed objects, as `jq` prints them). Raises JSONDecodeError."""
    pos = _skip_space(text, 0)
    while pos < len(text):
        value, end = _decoder.raw_decode(text, pos)
        yield pos, value
        pos = _skip_space(text, end)


def _array_items(text: str, start: int) -> Iterator[tuple[int, Any]]:
    """The items of the (valid) JSON array at `start`, each with its offset."""
    pos = _skip_space(text, start + 1)
    while text[pos] != "]":
        value, end = _decoder.raw_decode(text, pos)
        yield pos, value
        pos = _skip_space(text, end)
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)


def _records(text: str, where: str) -> Iterator[tuple[str, Any]]:
    """(where, record) for each paper record, `where` being FILE:LINE (or FILE: paper #N)."""

    counted = [0, 1]  # offset, line number there: positions only grow, so count on from it

    def line(pos: int) -> str:
        counted[1] += text.count("\n", counted[0], pos)
        counted[0] = pos
        return f"{where}:{counted[1]}"

    try:
        values = list(_top_values(text))
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if len(values) == 1:
        pos, value = values[0]
        if isinstance(value, list):
            for item_pos, item in _array_items(text, pos):
                yield line(item_pos), item
            return
        if isinstance(value, dict) and "papers" in value:
            items = value["papers"]
            if not isinstance(items, list):
                raise InputError(f'{line(pos)}: expected {{"papers": [...]}}, a list of papers')
            for index, item in enumerate(items, start=1):
                yield f"{where}: paper #{index}", item
            return
    for pos, value in values:
        yield line(pos), value


# one record ------------------------------------------------------------------------------------


def _arxiv_ref(value: str) -> str:
    """'https://arxiv.org/pdf/2606.17291v2.pdf' -> '2606.17291v2'; anything else unchanged."""
    match = _ARXIV_URL.match(value.strip())
    return match.group("ref") if match else value.strip()


def _paper_id(data: dict[str, Any]) -> str | None:
    """The id from `id`, `entry_id` or `abs` (the first that is an arXiv id), with a version
    another of them gives when it has none."""
    refs = [_arxiv_ref(data[key]) for key in _ID_KEYS if isinstance(data.get(key), str)]
    parsed: list[tuple[str, str]] = []
    for ref in refs:
        try:
            parsed.append(split_arxiv_id(ref))
        except ValueError:
            continue
    if not parsed:
        return refs[0] if refs else None  # the model says what is wrong with it
    paper_id, version = parsed[0]
    if not version:
        version = next((v for i, v in parsed[1:] if i == paper_id and v), "")
    return f"{paper_id}{version}"


def _categories(data: dict[str, Any]) -> list[str] | None:
    raw = data.get("categories", data.get("category"))
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    primary = data.get("primary_category")
    if isinstance(primary, dict):  # the arXiv Atom feed's {"term": "cs.LG", …}
        primary = primary.get("term")
    if not isinstance(primary, str) or not primary.strip():
        return raw if isinstance(raw, list) else None
    # Primary first, as arXiv lists them (the `arxiv` package keeps it apart).
    rest = [c for c in raw if c != primary.strip()] if isinstance(raw, list) else []
    return [primary.strip(), *rest]


def _normalise(record: dict[str, Any], listing_date: date | None) -> dict[str, Any]:
    data = dict(record)
    paper_id = _paper_id(data)
    if paper_id is not None:
        data["id"] = paper_id
    if data.get("abstract") is None and isinstance(data.get("summary"), str):
        data["abstract"] = data["summary"]
    if isinstance(data.get("authors"), str):
        data["authors"] = [a.strip() for a in data["authors"].split(",") if a.strip()]
    categories = _categories(data)
    if categories is not None:
        data["categories"] = categories
    data.pop("category", None)
    if isinstance(data.get("published"), str):
        # Accept full timestamps ("2026-02-17T18:59:59Z"): the listing date is the date part.
        data["published"] = data["published"][:10]
    if data.get("published") in (None, ""):
        data.pop("published", None)
        if listing_date is not None:
            data["published"] = listing_date  # no date of its own: listed on the date asked for
    data["source"] = "file"
    return data


_JSON_TYPES = {list: "a JSON list", str: "a string", int: "a number", float: "a number",
               bool: "true/false", type(None): "null"}  # fmt: skip


def _found(record: dict[str, Any]) -> str:
    keys = [str(key) for key in record]
    shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
    return f"this record has {shown}" if keys else "this record is empty"


def _paper(record: Any, where: str, listing_date: date | None) -> Paper:
    if not isinstance(record, dict):
        found = _JSON_TYPES.get(type(record), type(record).__name__)
        raise InputError(f"{where}: expected a JSON object with {FIELDS_HELP}; found {found}")
    try:
        return Paper.model_validate(_normalise(record, listing_date))
    except ValidationError as exc:
        message = f"{where}: {'; '.join(describe_validation(exc))}"
        missing = [error["loc"] for error in exc.errors() if error["type"] == "missing"]
        if missing:
            message += f" (expected {FIELDS_HELP}; {_found(record)})"
            if ("published",) in missing:
                message += "; pass --date YYYY-MM-DD to list papers without a date on that day"
        raise InputError(message) from exc
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from exc


def load_papers_file(path: Path, *, listing_date: date | None = None) -> list[Paper]:
    """Read papers from `path` (`-`: stdin). Papers without a published date are listed on
    `listing_date` (the --date asked for); without one they are an error. Errors name the file
    and the line (or the item of a `{"papers": [...]}` object)."""
    text = read_papers_text(path)
    where = papers_file_label(path)
    papers = [_paper(record, at, listing_date) for at, record in _records(text, where)]
    return merge_papers(papers)


# the profile's categories ----------------------------------------------------------------------


def primary_listing(
    papers: list[Paper], categories: list[str], *, cross_lists: bool
) -> tuple[list[Paper], Counter[str]]:
    """The papers a listing of `categories` holds, as the arXiv source takes them: those whose
    primary category (the first listed) is wanted; cross-lists (another category wanted) only
    with `cross_lists`, marked as such; the rest is left to the profile's filter. Returns the
    papers and what was left out, by reason."""
    wanted = {c.lower() for c in categories}
    kept: list[Paper] = []
    skipped: Counter[str] = Counter()
    for paper in papers:
        listed = [c.lower() for c in paper.categories]
        if not wanted or not listed or listed[0] in wanted or not wanted & set(listed):
            kept.append(paper)
        elif cross_lists:
            cross = paper.announce_type == "new"
            kept.append(paper.model_copy(update={"announce_type": "cross"}) if cross else paper)
        else:
            skipped[CROSS_LISTED] += 1
    return kept, skipped

"""The `file` source: a local list of papers (a hand-picked list, a mirror, another tool's dump).

Read as people have them: the format is told by the content, never the name (a JSON list, one
JSON object, `{"papers": [...]}`, JSON Lines, or objects one after another as `jq` prints them);
`-` is stdin, and a pipe (`/dev/stdin`, `<(…)`) is read once. Besides briefgen's own field
names, those of the `arxiv` package (`entry_id`, `summary`, `primary_category`, authors as
`{"name": …}`) and of daily-arXiv-ai-enhanced (`abs`, `summary`, no date) are understood.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import stat
import sys
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import jiter
from pydantic import ValidationError

from briefgen.core.errors import InputError, describe_validation
from briefgen.core.models import Paper, bound_record, split_arxiv_id
from briefgen.sources import merge_papers

FIELDS_HELP = (
    "id (or entry_id/abs: an arXiv id or abs URL), title, abstract (or summary), published "
    "(the listing date; optional with --date), and optionally authors, categories (primary "
    "first), primary_category, url, upvotes, comment (arXiv's comments field)"
)
# The arXiv source's words for the same thing, so both sources report it alike.
CROSS_LISTED = "cross-listed (add --cross-lists to include them)"
STDIN_NAME = "<stdin>"
Say = Callable[[str], None]
logger = logging.getLogger(__name__)

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
    """(where, record) for each paper record, `where` being FILE:LINE (or FILE: paper #N).
    Values are parsed as they are asked for, so the records are never all held at once; a
    JSON error raises InputError when it is reached."""

    counted = [0, 1]  # offset, line number there: positions only grow, so count on from it

    def line(pos: int) -> str:
        counted[1] += text.count("\n", counted[0], pos)
        counted[0] = pos
        return f"{where}:{counted[1]}"

    try:
        values = _top_values(text)
        first = next(values, None)
        if first is None:
            return
        second = next(values, None)
        if second is None:
            pos, value = first
            first = None  # the items are parsed again one by one, each with its place
            if isinstance(value, list):
                del value
                for item_pos, item in _array_items(text, pos):
                    yield line(item_pos), item
                return
            if isinstance(value, dict) and "papers" in value:
                items = value["papers"]
                if not isinstance(items, list):
                    raise InputError(
                        f'{line(pos)}: expected {{"papers": [...]}}, a list of papers'
                    )
                for index, item in enumerate(items, start=1):
                    yield f"{where}: paper #{index}", item
                return
            yield line(pos), value
            return
        for pos, value in (first, second):
            yield line(pos), value
        first = second = None
        for pos, value in values:
            yield line(pos), value
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}:{exc.lineno}: invalid JSON at column {exc.colno}: {_json_problem(exc.msg)}"
        ) from None


# The JSON parser's terse messages, with what to do about each.
_JSON_PROBLEMS = {
    "Invalid control character": "a raw tab or line break inside a string; write it as \\t or "
    "\\n",
    "Expecting value": "a value is missing or is not JSON (strings need double quotes)",
    "Expecting property name enclosed in double quotes": "a key is not in double quotes, or a "
    "comma is left before '}'",
    "Unterminated string": "a string is not closed with a double quote",
    "Extra data": "more than one JSON value here (JSONL wants one paper per line)",
    "Expecting ',' delimiter": "a comma is missing between two items",
    "Expecting ':' delimiter": "a colon is missing after a key",
}


def _json_problem(message: str) -> str:
    return next((said for start, said in _JSON_PROBLEMS.items() if message.startswith(start)),
                message)  # fmt: skip


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


def _normalise(record: dict[str, Any], listing_date: date | None, say: Say) -> dict[str, Any]:
    data = dict(record)
    paper_id = _paper_id(data)
    if paper_id is not None:
        data["id"] = paper_id
    if data.get("abstract") is None and isinstance(data.get("summary"), str):
        data["abstract"] = data["summary"]
    if data.get("comment") is None and isinstance(data.get("comments"), str):
        data["comment"] = data["comments"]  # the arXiv metadata snapshot's (OAI) spelling
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
    return bound_record(data, say)


_JSON_TYPES = {list: "a JSON list", str: "a string", int: "a number", float: "a number",
               bool: "true/false", type(None): "null"}  # fmt: skip


def _found(record: dict[str, Any]) -> str:
    keys = [str(key) for key in record]
    shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
    return f"this record has {shown}" if keys else "this record is empty"


def _paper(record: Any, where: str, listing_date: date | None, say: Say) -> Paper:
    if not isinstance(record, dict):
        found = _JSON_TYPES.get(type(record), type(record).__name__)
        raise InputError(f"{where}: expected a JSON object with {FIELDS_HELP}; found {found}")
    try:
        return Paper.model_validate(_normalise(record, listing_date, say))
    except ValidationError as exc:
        missing = [error["loc"] for error in exc.errors() if error["type"] == "missing"]
        others = [line for line in describe_validation(exc) if not line.endswith("Field required")]
        names = ", ".join(".".join(str(part) for part in loc) for loc in missing)
        message = f"{where}: " + "; ".join(
            ([f"the record lacks {names}"] if missing else []) + others
        )
        if missing:
            message += f" (a paper record needs {FIELDS_HELP}; {_found(record)})"
            if ("published",) in missing:
                message += "; pass --date YYYY-MM-DD to list papers without a date on that day"
        raise InputError(message) from exc
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from exc


# What was said about a file's records (a cut), by the file as read: a weekly roundup reads the
# papers file once per day, and each cut is said once.
_SAID: set[tuple[object, str]] = set()


def _file_key(path: Path) -> object:
    if is_stdin(path):
        return (STDIN_NAME, id(sys.stdin))
    try:
        info = path.stat()
    except OSError:
        return str(path)
    return (str(path), info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


class _NotJsonLines(Exception):
    """The file is not plain JSON Lines that reads without a fault: the general reader
    decides (and says what is wrong, exactly as it always has)."""


_BOM = b"\xef\xbb\xbf"
_JSON_SPACE = b" \t\r\n"


def _json_lines(path: Path, where: str, listing_date: date | None, say: Say) -> list[Paper]:
    """The papers of a regular file of JSON Lines, streamed: each line parsed (jiter) and
    made a Paper before the next is read, so neither the file's text nor its records are
    ever held whole. Raises _NotJsonLines for anything else, or at the first fault."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise _NotJsonLines
        papers: list[Paper] = []
        first: tuple[int, Any] | None = None  # held until a second value shows it is JSONL
        values = 0
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                if not raw.strip(_JSON_SPACE):
                    continue
                value = jiter.from_json(raw)
                values += 1
                if values == 1:
                    first = (number, value)
                    continue
                if first is not None:
                    papers.append(_paper(first[1], f"{where}:{first[0]}", listing_date, say))
                    first = None
                papers.append(_paper(value, f"{where}:{number}", listing_date, say))
        if first is not None:
            number, value = first
            if isinstance(value, list) or (isinstance(value, dict) and "papers" in value):
                raise _NotJsonLines  # one document holding the papers
            papers.append(_paper(value, f"{where}:{number}", listing_date, say))
        return papers
    except (ValueError, InputError, OSError):
        raise _NotJsonLines from None


def _from_text(text: str, where: str, listing_date: date | None, say: Say) -> list[Paper]:
    """Any of the accepted layouts. A JSON error anywhere in the file is told before a record
    that cannot be read (the first of those), as when the whole file was parsed first."""
    papers: list[Paper] = []
    fault: InputError | None = None
    for at, record in _records(text, where):
        if fault is not None:
            continue  # only the JSON is still checked
        try:
            papers.append(_paper(record, at, listing_date, say))
        except InputError as exc:
            fault, papers = exc, []
    if fault is not None:
        raise fault
    return papers


def load_papers_file(path: Path, *, listing_date: date | None = None) -> list[Paper]:
    """Read papers from `path` (`-`: stdin). Papers without a published date are listed on
    `listing_date` (the --date asked for); without one they are an error. Errors name the file
    and the line (or the item of a `{"papers": [...]}` object). A title, abstract or author
    list beyond the bounds of core.models is cut, and a warning says so once
    ('2606.00001: abstract cut from 50,000,000 to 20,000 characters')."""
    where = papers_file_label(path)
    key = _file_key(path)
    pending: list[str] = []

    def say(message: str) -> None:
        if (key, message) not in _SAID:
            pending.append(message)

    # Records hold no reference cycles: the cyclic collector, which would walk every paper
    # read so far again and again as they pile up, is paused while they are read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            papers = _json_lines(path, where, listing_date, say) if not is_stdin(path) else None
        except _NotJsonLines:
            papers = None
        if papers is None:
            pending.clear()  # read again from the start: each cut is met again
            papers = _from_text(read_papers_text(path), where, listing_date, say)
    finally:
        if collecting:
            gc.enable()
    for message in dict.fromkeys(pending):
        _SAID.add((key, message))
        logger.warning(message)
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

"""`briefgen lint`: check a markdown (or JSON) brief against the brief's structure and rules
(docs/concepts/brief.md) with markdown-it-py.

The markdown is parsed, not pattern-matched, so a heading inside a code fence is not a heading
and a link is whatever CommonMark says is a link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from markdown_it.token import Token

from briefgen.core.errors import describe_validation
from briefgen.core.models import Brief
from briefgen.core.rules import (
    NEXT_STEPS,
    TAKEAWAYS,
    THEMES,
    TOP_PAPERS,
    check_brief,
    check_counts,
    linked_paper_id,
)
from briefgen.render.markdown import LABELS

SECTION_KEYS = ("takeaways", "glance", "themes", "synthesis", "top", "next_steps")
DATE_HEADING = re.compile(r"^\d{4}-(?:\d{2}-\d{2}|W\d{2})\b")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _normal(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split()).casefold()


def _expected_headings(index: int) -> list[str]:
    return [getattr(labels, SECTION_KEYS[index]) for labels in LABELS.values()]


@dataclass
class Item:
    """A top-level list item or table row: its first line and the links inside it."""

    line: int
    text: str
    links: list[str] = field(default_factory=list)
    children: int = 0


@dataclass
class Block:
    """What one h3 section (or one h4 theme inside section 2) contains."""

    heading: str
    line: int
    bullets: list[Item] = field(default_factory=list)
    ordered: list[Item] = field(default_factory=list)
    rows: list[Item] = field(default_factory=list)
    header_cells: list[str] = field(default_factory=list)
    themes: list[Block] = field(default_factory=list)
    # Bullets that follow each numbered top-5 item, keyed by that item's position.
    trailing_bullets: dict[int, list[Item]] = field(default_factory=dict)


@dataclass
class Document:
    title: tuple[str, int] | None = None
    date: tuple[str, int] | None = None
    sections: list[Block] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    fences: list[tuple[str, int, str]] = field(default_factory=list)  # (info, line, content)
    ends_with_footer: bool = False


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _parse(text: str) -> Document:
    from markdown_it import MarkdownIt  # loaded when markdown is linted

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    doc = _Parser().walk(tokens)
    doc.ends_with_footer = _ends_with_footer(tokens)
    return doc


def _ends_with_footer(tokens: list[Token]) -> bool:
    """The footer is the one line of text after the last horizontal rule."""
    rules = [index for index, token in enumerate(tokens) if token.type == "hr"]
    if not rules:
        return False
    return sum(1 for token in tokens[rules[-1] + 1 :] if token.type == "inline") == 1


@dataclass
class _Parser:
    """The walk over markdown-it's token stream, one method per kind of token that matters.

    Only top-level list items and table rows become `Item`s; what they hold is filed under
    the current h3 section, or under the current h4 theme inside it.
    """

    doc: Document = field(default_factory=Document)
    section: Block | None = None
    target: Block | None = None  # section, or the current theme inside section 2
    item: Item | None = None
    list_stack: list[str] = field(default_factory=list)
    row: Item | None = None
    in_header: bool = False
    last_ordered: int | None = None
    heading_level: int = 0  # set by heading_open until the heading's text arrives

    def walk(self, tokens: list[Token]) -> Document:
        for token in tokens:
            if token.type == "heading_open":
                self.heading_level = int(token.tag[1])
            elif token.type == "inline" and self.heading_level:
                self._heading(token.content.strip(), _line(token))
                self.heading_level = 0
            elif (handler := _HANDLERS.get(token.type)) is not None:
                handler(self, token)
        return self.doc

    def _heading(self, text: str, line: int) -> None:
        level = self.heading_level
        if level == 1 and self.doc.title is None:
            self.doc.title = (text, line)
        elif level == 2 and self.doc.date is None:
            self.doc.date = (text, line)
        elif level == 3:
            self.section = Block(heading=text, line=line)
            self.doc.sections.append(self.section)
            self.target, self.last_ordered = self.section, None
        elif level == 4 and self.section is not None:
            theme = Block(heading=text, line=line)
            self.section.themes.append(theme)
            self.target = theme

    def _fence(self, token: Token) -> None:
        self.doc.fences.append((token.info.strip(), _line(token), token.content))

    def _list_open(self, token: Token) -> None:
        self.list_stack.append(token.type)

    def _list_close(self, token: Token) -> None:
        self.list_stack.pop()

    def _list_item(self, token: Token) -> None:
        if self.target is None:
            return
        if len(self.list_stack) == 1:
            self.item = Item(line=_line(token), text="")
            self._file_item(
                self.target, self.item, ordered=self.list_stack[0] == "ordered_list_open"
            )
        elif self.item is not None and len(self.list_stack) == 2:
            self.item.children += 1

    def _file_item(self, target: Block, item: Item, *, ordered: bool) -> None:
        """A bullet after a numbered item belongs to it (a top paper's facts)."""
        if ordered:
            target.ordered.append(item)
            self.last_ordered = len(target.ordered) - 1
        else:
            target.bullets.append(item)
            if self.last_ordered is not None:
                target.trailing_bullets.setdefault(self.last_ordered, []).append(item)

    def _thead_open(self, token: Token) -> None:
        self.in_header = True

    def _thead_close(self, token: Token) -> None:
        self.in_header = False

    def _row_open(self, token: Token) -> None:
        if not self.in_header and self.target is not None:
            self.row = Item(line=_line(token), text="")
            self.target.rows.append(self.row)

    def _row_close(self, token: Token) -> None:
        self.row = None

    def _inline(self, token: Token) -> None:
        """Text: a header cell, or the first line of the current row or list item."""
        holder = self.row if self.row is not None else self.item
        if self.in_header and self.target is not None:
            self.target.header_cells.append(token.content.strip())
        elif holder is not None and not holder.text:
            holder.text = token.content.strip()
        self._links(token, holder)

    def _links(self, token: Token, holder: Item | None) -> None:
        """Every link goes to the document's list, and to the row or item it is in."""
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                self.doc.links.append((href, _line(token)))
                if holder is not None:
                    holder.links.append(href)


_HANDLERS: dict[str, Callable[[_Parser, Token], None]] = {
    "fence": _Parser._fence,
    "code_block": _Parser._fence,
    "bullet_list_open": _Parser._list_open,
    "ordered_list_open": _Parser._list_open,
    "bullet_list_close": _Parser._list_close,
    "ordered_list_close": _Parser._list_close,
    "list_item_open": _Parser._list_item,
    "thead_open": _Parser._thead_open,
    "thead_close": _Parser._thead_close,
    "tr_open": _Parser._row_open,
    "tr_close": _Parser._row_close,
    "inline": _Parser._inline,
}


def _labels(name: str) -> list[str]:
    """One of the renderer's labels in every language, normalised for comparison."""
    return [_normal(getattr(labels, name)) for labels in LABELS.values()]


def _starts_with_label(text: str, name: str) -> bool:
    return _normal(text).startswith(tuple(_labels(name)))


def _paper_id(item: Item) -> str | None:
    """The paper an item is about: its first link, if that is a paper page."""
    return linked_paper_id(item.links[0]) if item.links else None


def _check_structure(doc: Document, front_matter: bool = False) -> list[str]:
    # Under front matter the title may live there alone (a blog page does not repeat it).
    untitled_page = front_matter and doc.title is None and doc.date is None
    problems = [] if untitled_page else _check_heading(doc)
    found, section_problems = _sections(doc)
    problems += section_problems
    glance = found.get(1)
    paper_ids: list[str] = []
    if glance is not None:
        paper_ids, glance_problems = _glance(glance)
        problems += glance_problems
    papers = len(paper_ids) if paper_ids else None  # the day's paper count, when known
    for number, check in _SECTION_CHECKS.items():
        if (block := found.get(number)) is not None:
            problems += check(block, papers)
    problems += _check_links(doc, set(paper_ids) if glance is not None else None)
    if not doc.ends_with_footer:
        problems.append("missing footer: the brief must end with '---' and a provenance line")
    return problems


def _check_heading(doc: Document) -> list[str]:
    """The '# title' and '## date' lines that open a brief."""
    problems: list[str] = []
    if doc.title is None or not _starts_with_label(doc.title[0], "title"):
        problems.append("missing title: the brief must start with '# AI Paper Insight Brief'")
    if doc.date is None or not DATE_HEADING.match(doc.date[0]):
        problems.append("missing date heading: expected '## YYYY-MM-DD' under the title")
    return problems


def _section_number(heading: str) -> int:
    """The N of an 'N) …' heading, -1 when it has none."""
    match = re.match(r"^(\d)\)", heading)
    return int(match.group(1)) if match else -1


def _sections(doc: Document) -> tuple[dict[int, Block], list[str]]:
    """(section number -> its first block, problems with the headings, their set and order)."""
    problems: list[str] = []
    found: dict[int, Block] = {}
    for block in doc.sections:
        number = _section_number(block.heading)
        if not 0 <= number < len(SECTION_KEYS):
            problems.append(f"line {block.line}: unexpected section '{block.heading}'")
            continue
        expected = _expected_headings(number)
        if _normal(block.heading) not in {_normal(e) for e in expected}:
            problems.append(
                f"line {block.line}: section heading '{block.heading}' should read "
                f"'{expected[0]}' (or '{expected[1]}')"
            )
        if number in found:
            problems.append(f"line {block.line}: section {number}) appears twice")
            continue
        found[number] = block
    problems += [
        f"missing section '### {_expected_headings(number)[0]}'"
        for number in range(len(SECTION_KEYS))
        if number not in found
    ]
    order = list(found)  # in the order they appear
    if order != sorted(order):
        problems.append(
            "sections are out of order: found "
            + ", ".join(f"{n})" for n in order)
            + "; expected 0) to 5) in sequence"
        )
    return found, problems


def _glance(glance: Block) -> tuple[list[str], list[str]]:
    """(the ids the glance table links, in order; problems with the table)."""
    problems: list[str] = []
    columns = {tuple(_normal(c) for c in labels.glance_columns) for labels in LABELS.values()}
    if tuple(_normal(c) for c in glance.header_cells) not in columns:
        problems.append(
            f"line {glance.line}: papers at a glance needs a table with columns "
            + " | ".join(LABELS["en"].glance_columns)
        )
    if not glance.rows:
        problems.append(f"line {glance.line}: papers at a glance lists no papers")
    paper_ids: list[str] = []
    for row in glance.rows:
        if (paper_id := _paper_id(row)) is None:
            problems.append(f"line {row.line}: a papers-at-a-glance row has no paper link")
        else:
            paper_ids.append(paper_id)
    if len(set(paper_ids)) != len(paper_ids):
        problems.append(f"line {glance.line}: papers at a glance lists a paper twice")
    return paper_ids, problems


def _check_takeaways(takeaways: Block, papers: int | None) -> list[str]:
    return check_counts("executive takeaways", len(takeaways.bullets), TAKEAWAYS, papers)


def _check_themes(themes: Block, papers: int | None) -> list[str]:
    problems = check_counts("key themes", len(themes.themes), THEMES, papers)
    for theme in themes.themes:
        if not _starts_with_label(theme.heading, "theme"):
            problems.append(
                f"line {theme.line}: theme heading '{theme.heading}' should start with 'Theme: '"
            )
        if not any(link for bullet in theme.bullets for link in bullet.links):
            problems.append(f"line {theme.line}: theme '{theme.heading}' names no paper")
    return problems


def _check_top_papers(top: Block, papers: int | None) -> list[str]:
    problems: list[str] = []
    expected = TOP_PAPERS if papers is None else min(TOP_PAPERS, papers)
    if len(top.ordered) != expected:
        problems.append(
            f"line {top.line}: top papers lists {len(top.ordered)}, expected {expected}"
        )
    top_ids: list[str] = []
    for position, entry in enumerate(top.ordered):
        if (paper_id := _paper_id(entry)) is None:
            problems.append(f"line {entry.line}: top paper entry has no paper link")
            continue
        top_ids.append(paper_id)
        problems += _check_top_bullets(entry, paper_id, top.trailing_bullets.get(position, []))
    if len(set(top_ids)) != len(top_ids):
        repeated = sorted({i for i in top_ids if top_ids.count(i) > 1})
        problems.append(f"line {top.line}: top papers repeat {', '.join(repeated)}")
    return problems


def _check_top_bullets(entry: Item, paper_id: str, bullets: list[Item]) -> list[str]:
    """A top paper's facts, then its skepticism, as bullets under its numbered line."""
    problems: list[str] = []
    if len(bullets) < 3:
        problems.append(
            f"line {entry.line}: top paper {paper_id} has {len(bullets)} bullets, "
            "expected at least 3 (facts, then a skepticism bullet)"
        )
    if not any(_starts_with_label(b.text, "skepticism") for b in bullets):
        problems.append(f"line {entry.line}: top paper {paper_id} has no 'Skepticism:' bullet")
    return problems


def _check_synthesis(synthesis: Block, papers: int | None) -> list[str]:
    if not synthesis.bullets:
        return [f"line {synthesis.line}: technical synthesis has no bullets"]
    return []


def _check_next_steps(steps: Block, papers: int | None) -> list[str]:
    return check_counts("practical next steps", len(steps.bullets), NEXT_STEPS, papers)


# What each section but the glance table (checked first, for the day's paper count) must hold.
_SECTION_CHECKS: dict[int, Callable[[Block, int | None], list[str]]] = {
    0: _check_takeaways,
    2: _check_themes,
    3: _check_synthesis,
    4: _check_top_papers,
    5: _check_next_steps,
}


def _check_links(doc: Document, known: set[str] | None) -> list[str]:
    """Only paper pages may be linked, and (with a glance table) only its papers."""
    problems: list[str] = []
    for href, line in doc.links:
        paper_id = linked_paper_id(href)
        if paper_id is None:
            problems.append(
                f"line {line}: link to {href!r}: only arXiv or Hugging Face paper pages "
                "may be linked"
            )
        elif known is not None and paper_id not in known:
            problems.append(
                f"line {line}: links to {paper_id}, which is not in the papers at a glance"
            )
    return problems


FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _without_front_matter(text: str) -> str:
    """A static site's YAML front matter is not part of the brief; blank it, keeping lines."""
    match = FRONT_MATTER.match(text)
    return "\n" * match.group(0).count("\n") + text[match.end() :] if match else text


def front_matter_fields(text: str) -> dict[str, str]:
    """The top-level `key: value` pairs of a document's YAML front matter (values written as
    JSON strings are read as such); empty without front matter."""
    match = FRONT_MATTER.match(text)
    fields: dict[str, str] = {}
    for line in match.group(0).splitlines()[1:-1] if match else []:
        key, _, value = line.partition(": ")
        if key and not key.startswith((" ", "#")):
            try:
                loaded = json.loads(value)
            except ValueError:
                loaded = value
            fields[key] = loaded if isinstance(loaded, str) else value
    return fields


def lint_markdown(text: str) -> list[str]:
    """Problems with a markdown brief, one line each; an empty list means it passes."""
    has_front_matter = FRONT_MATTER.match(text) is not None
    doc = _parse(_without_front_matter(text))
    problems: list[str] = []
    wrapped = (
        len(doc.fences) == 1
        and doc.title is None
        and doc.fences[0][0].lower() in ("markdown", "md", "")
    )
    for info, line, _ in doc.fences:
        fence = f"```{info}" if info else "a code block"
        problems.append(
            f"line {line}: {fence} — a brief must be plain markdown, never inside a code fence"
        )
    if wrapped:
        # Report what the wrapped brief itself lacks, so the user sees every fix at once.
        return problems + _check_structure(_parse(doc.fences[0][2]))
    return problems + _check_structure(doc, front_matter=has_front_matter)


def lint_json(text: str) -> list[str]:
    try:
        brief = Brief.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        return [f"line {exc.lineno}: invalid JSON: {exc.msg}"]
    except ValidationError as exc:
        return describe_validation(exc)
    return check_brief(brief)


def lint_file(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return lint_json(text) if path.suffix.lower() == ".json" else lint_markdown(text)


def structure(text: str) -> list[str]:
    """A brief's shape, language-free: per section (and theme) how many bullets, numbered
    items, table rows and sub-bullets, and every link in order."""
    doc = _parse(_without_front_matter(text))
    shape = [f"date {doc.date[0] if doc.date else '-'}"]

    def block(prefix: str, b: Block) -> list[str]:
        return [
            f"{prefix}: {len(b.bullets)} bullets, {len(b.ordered)} numbered, {len(b.rows)} rows, "
            f"{sum(i.children for i in b.bullets)} sub-bullets"
        ]

    for number, section in enumerate(doc.sections):
        shape += block(f"section {number}", section)
        for index, theme in enumerate(section.themes):
            shape += block(f"section {number} theme {index + 1}", theme)
    shape += [f"link {href}" for href, _ in doc.links]
    return shape


def compare_structures(first: str, second: str) -> list[str]:
    """Where two briefs (an English and a Chinese one) differ in structure; empty if equal."""
    a, b = structure(first), structure(second)
    problems = [f"{x} ≠ {y}" for x, y in zip(a, b, strict=False) if x != y]
    if len(a) != len(b):
        problems.append(f"{len(a)} structural elements ≠ {len(b)}")
    return problems


def brief_language(text: str) -> str | None:
    """'en' or 'zh' from a markdown brief's title line, None if it has neither."""
    lang = front_matter_fields(text).get("lang", "")
    if lang:
        return "zh" if lang.lower().startswith("zh") else "en"
    doc = _parse(_without_front_matter(text))
    title = doc.title[0] if doc.title else ""
    for code, labels in LABELS.items():
        if title == labels.title:
            return code
    return None

"""`briefgen lint`: check a markdown (or JSON) brief against SPEC §2 with markdown-it-py.

The markdown is parsed, not pattern-matched, so a heading inside a code fence is not a heading
and a link is whatever CommonMark says is a link.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import ValidationError

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
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    doc = Document()
    section: Block | None = None
    target: Block | None = None  # section, or the current theme inside section 2
    item: Item | None = None
    list_stack: list[str] = []
    row: Item | None = None
    in_header = False
    last_ordered: int | None = None
    heading_level = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
            continue
        if token.type == "inline" and heading_level:
            text, line = token.content.strip(), _line(token)
            if heading_level == 1 and doc.title is None:
                doc.title = (text, line)
            elif heading_level == 2 and doc.date is None:
                doc.date = (text, line)
            elif heading_level == 3:
                section = Block(heading=text, line=line)
                doc.sections.append(section)
                target, last_ordered = section, None
            elif heading_level == 4 and section is not None:
                theme = Block(heading=text, line=line)
                section.themes.append(theme)
                target = theme
            heading_level = 0
            continue
        if token.type in ("fence", "code_block"):
            doc.fences.append((token.info.strip(), _line(token), token.content))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_stack.append(token.type)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif token.type == "list_item_open" and target is not None:
            if len(list_stack) == 1:
                item = Item(line=_line(token), text="")
                if list_stack[0] == "ordered_list_open":
                    target.ordered.append(item)
                    last_ordered = len(target.ordered) - 1
                else:
                    target.bullets.append(item)
                    if last_ordered is not None:
                        target.trailing_bullets.setdefault(last_ordered, []).append(item)
            elif item is not None and len(list_stack) == 2:
                item.children += 1
        elif token.type == "thead_open":
            in_header = True
        elif token.type == "thead_close":
            in_header = False
        elif token.type == "tr_open" and not in_header and target is not None:
            row = Item(line=_line(token), text="")
            target.rows.append(row)
        elif token.type == "tr_close":
            row = None
        elif token.type == "inline":
            holder = row if row is not None else item
            if in_header and target is not None:
                target.header_cells.append(token.content.strip())
            elif holder is not None and not holder.text:
                holder.text = token.content.strip()
            for child in token.children or []:
                if child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    doc.links.append((href, _line(token)))
                    if holder is not None:
                        holder.links.append(href)
        elif token.type == "hr":
            rest = [t for t in tokens[index + 1 :] if t.type == "inline"]
            doc.ends_with_footer = len(rest) == 1
    return doc


def _check_structure(doc: Document) -> list[str]:
    problems: list[str] = []
    titles = {_normal(labels.title) for labels in LABELS.values()}
    if doc.title is None or not any(_normal(doc.title[0]).startswith(t) for t in titles):
        problems.append("missing title: the brief must start with '# AI Paper Insight Brief'")
    if doc.date is None or not DATE_HEADING.match(doc.date[0]):
        problems.append("missing date heading: expected '## YYYY-MM-DD' under the title")

    found: dict[int, Block] = {}
    order: list[int] = []
    for block in doc.sections:
        match = re.match(r"^(\d)\)", block.heading)
        number = int(match.group(1)) if match else -1
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
        order.append(number)
    for number in range(len(SECTION_KEYS)):
        if number not in found:
            problems.append(f"missing section '### {_expected_headings(number)[0]}'")
    if order != sorted(order):
        problems.append(
            "sections are out of order: found "
            + ", ".join(f"{n})" for n in order)
            + "; expected 0) to 5) in sequence"
        )

    paper_ids: list[str] = []
    glance = found.get(1)
    if glance is not None:
        columns = {tuple(_normal(c) for c in labels.glance_columns) for labels in LABELS.values()}
        if tuple(_normal(c) for c in glance.header_cells) not in columns:
            problems.append(
                f"line {glance.line}: papers at a glance needs a table with columns "
                + " | ".join(LABELS["en"].glance_columns)
            )
        if not glance.rows:
            problems.append(f"line {glance.line}: papers at a glance lists no papers")
        for row in glance.rows:
            ids = [linked_paper_id(link) for link in row.links]
            if not ids or ids[0] is None:
                problems.append(f"line {row.line}: a papers-at-a-glance row has no paper link")
            else:
                paper_ids.append(ids[0])
        if len(set(paper_ids)) != len(paper_ids):
            problems.append(f"line {glance.line}: papers at a glance lists a paper twice")
    papers = len(paper_ids) if glance is not None and paper_ids else None

    if (takeaways := found.get(0)) is not None:
        problems += check_counts("executive takeaways", len(takeaways.bullets), TAKEAWAYS, papers)

    if (themes := found.get(2)) is not None:
        problems += check_counts("key themes", len(themes.themes), THEMES, papers)
        theme_prefixes = [_normal(labels.theme) for labels in LABELS.values()]
        for theme in themes.themes:
            if not any(_normal(theme.heading).startswith(p) for p in theme_prefixes):
                problems.append(
                    f"line {theme.line}: theme heading '{theme.heading}' should start with "
                    "'Theme: '"
                )
            if not any(link for bullet in theme.bullets for link in bullet.links):
                problems.append(f"line {theme.line}: theme '{theme.heading}' names no paper")

    if (synthesis := found.get(3)) is not None and not synthesis.bullets:
        problems.append(f"line {synthesis.line}: technical synthesis has no bullets")

    if (top := found.get(4)) is not None:
        expected_top = TOP_PAPERS if papers is None else min(TOP_PAPERS, papers)
        if len(top.ordered) != expected_top:
            problems.append(
                f"line {top.line}: top papers lists {len(top.ordered)}, expected {expected_top}"
            )
        top_ids = []
        skeptic = [_normal(labels.skepticism.strip()) for labels in LABELS.values()]
        for position, entry in enumerate(top.ordered):
            ids = [linked_paper_id(link) for link in entry.links]
            if not ids or ids[0] is None:
                problems.append(f"line {entry.line}: top paper entry has no paper link")
                continue
            top_ids.append(ids[0])
            bullets = top.trailing_bullets.get(position, [])
            if len(bullets) < 3:
                problems.append(
                    f"line {entry.line}: top paper {ids[0]} has {len(bullets)} bullets, "
                    "expected at least 3 (facts, then a skepticism bullet)"
                )
            if not any(_normal(b.text).startswith(tuple(skeptic)) for b in bullets):
                problems.append(
                    f"line {entry.line}: top paper {ids[0]} has no 'Skepticism:' bullet"
                )
        if len(set(top_ids)) != len(top_ids):
            repeated = sorted({i for i in top_ids if top_ids.count(i) > 1})
            problems.append(f"line {top.line}: top papers repeat {', '.join(repeated)}")

    if (steps := found.get(5)) is not None:
        problems += check_counts("practical next steps", len(steps.bullets), NEXT_STEPS, papers)

    known = set(paper_ids)
    for href, line in doc.links:
        paper_id = linked_paper_id(href)
        if paper_id is None:
            problems.append(
                f"line {line}: link to {href!r}: only arXiv or Hugging Face paper pages "
                "may be linked"
            )
        elif glance is not None and paper_id not in known:
            problems.append(
                f"line {line}: links to {paper_id}, which is not in the papers at a glance"
            )
    if not doc.ends_with_footer:
        problems.append("missing footer: the brief must end with '---' and a provenance line")
    return problems


FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _without_front_matter(text: str) -> str:
    """A static site's YAML front matter is not part of the brief; blank it, keeping lines."""
    match = FRONT_MATTER.match(text)
    return "\n" * match.group(0).count("\n") + text[match.end() :] if match else text


def lint_markdown(text: str) -> list[str]:
    """Problems with a markdown brief, one line each; an empty list means it passes."""
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
    return problems + _check_structure(doc)


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
    doc = _parse(_without_front_matter(text))
    title = doc.title[0] if doc.title else ""
    for code, labels in LABELS.items():
        if title == labels.title:
            return code
    return None

"""The values that flow between briefgen's stages.

sources -> Paper, select -> ScoredPaper, read -> PaperText, analyze -> PaperAnalysis,
synthesize -> Brief. Every model round-trips through JSON, which is how the store keeps them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from briefgen.core.translatable import NOT_TRANSLATED, TRANSLATED, Translatable

# New-style ids (2602.13531) and old-style ones (astro-ph/0601001, math.GT/0309136).
ARXIV_ID_RE = re.compile(
    r"^(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?P<version>v\d+)?$"
)

ReadFrom = Literal["html", "abstract"]


# C0/C1 control characters (a terminal escape, a NUL) and the bidirectional overrides that can
# disguise text: paper metadata is untrusted and must not reach a terminal or a page raw.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def split_arxiv_id(raw: str) -> tuple[str, str]:
    """'2602.13531v2' -> ('2602.13531', 'v2'); raises ValueError for anything else."""
    text = raw.strip()
    for prefix in ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv:", "arXiv:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = ARXIV_ID_RE.match(text)
    if not match:
        raise ValueError(f"not an arXiv id: {raw!r} (expected e.g. 2602.13531 or 2602.13531v1)")
    return match.group("id"), match.group("version") or ""


def arxiv_abs_url(paper_id: str, version: str = "") -> str:
    return f"https://arxiv.org/abs/{paper_id}{version}"


# Bounds on one paper's metadata, applied by every source as it reads (see `bound_record`):
# well above any real paper (arXiv titles run to ~300 characters and abstracts to its limit
# of 1,920; the longest author lists, the LHC collaborations', to ~3,000 names and the record
# 5,154; a name to ~100 characters), so that no single record costs more than a normal one
# anywhere downstream. Full text is bounded by its token budget and its page size
# (read.fulltext.MAX_HTML_BYTES).
MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_AUTHORS = 10_000
MAX_AUTHOR_CHARS = 300
MAX_COMMENT_CHARS = 2_000  # arXiv's comments field (pages, venue, code link) runs to ~300


def _cut_text(value: object, limit: int, what: str, say: Callable[[str], None]) -> object:
    if isinstance(value, str) and len(value) > limit:
        say(f"{what} cut from {len(value):,} to {limit:,} characters")
        return value[:limit]
    return value


def _long_name(author: object) -> bool:
    name = author.get("name") if isinstance(author, dict) else author
    return isinstance(name, str) and len(name) > MAX_AUTHOR_CHARS


def _named(data: dict[str, Any], say: Callable[[str], None]) -> Callable[[str], None]:
    """`say`, each line naming the paper of `data` by its id without the version."""
    raw = data.get("id")
    if not isinstance(raw, str):
        shown = "a paper without an id"
    else:
        try:
            shown = split_arxiv_id(raw)[0]
        except ValueError:
            shown = raw[:80]
    return lambda message: say(f"{shown}: {message}")


def bound_record(data: dict[str, Any], say: Callable[[str], None]) -> dict[str, Any]:
    """`data` (a paper's fields as a source gives them, before validation) with its title,
    abstract and authors cut to the bounds above; each cut is said through `say`, naming the
    paper by its `id` ('2606.00001: abstract cut from 50,000,000 to 20,000 characters'). The
    same dict when nothing is cut."""
    title, abstract, authors = data.get("title"), data.get("abstract"), data.get("authors")
    long_title = isinstance(title, str) and len(title) > MAX_TITLE_CHARS
    long_abstract = isinstance(abstract, str) and len(abstract) > MAX_ABSTRACT_CHARS
    many = isinstance(authors, list) and _authors_out_of_bounds(authors)
    if not (long_title or long_abstract or many):
        return data
    say = _named(data, say)
    data = dict(data)
    if long_title:
        data["title"] = _cut_text(title, MAX_TITLE_CHARS, "title", say)
    if long_abstract:
        data["abstract"] = _cut_text(abstract, MAX_ABSTRACT_CHARS, "abstract", say)
    if many and isinstance(authors, list):
        data["authors"] = _bound_authors(authors, say)
    return data


def _authors_out_of_bounds(authors: list[object]) -> bool:
    return len(authors) > MAX_AUTHORS or any(
        len(a) > MAX_AUTHOR_CHARS if type(a) is str else _long_name(a) for a in authors
    )


def _bound_authors(authors: list[object], say: Callable[[str], None]) -> list[object]:
    """The first MAX_AUTHORS authors, each name (a string, or a dict's "name") cut to
    MAX_AUTHOR_CHARS; each kind of cut said once."""
    if len(authors) > MAX_AUTHORS:
        say(f"author list cut from {len(authors):,} to {MAX_AUTHORS:,} names")
        authors = authors[:MAX_AUTHORS]
    longest, cut = 0, 0
    kept: list[object] = []
    for author in authors:
        if _long_name(author):
            name = author.get("name") if isinstance(author, dict) else author
            assert isinstance(name, str)
            longest, cut = max(longest, len(name)), cut + 1
            short = name[:MAX_AUTHOR_CHARS]
            author = {**author, "name": short} if isinstance(author, dict) else short
        kept.append(author)
    if cut:
        say(
            f"{cut:,} author name{'s' if cut != 1 else ''} cut to {MAX_AUTHOR_CHARS:,} "
            f"characters (the longest had {longest:,})"
        )
    return kept


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paper(Model):
    """One paper as a source describes it. `id` never carries the version."""

    # Sources carry more than we use (doi, journal_ref, HF's ai_summary…); ignore the rest.
    model_config = ConfigDict(extra="ignore")

    id: str
    version: str = ""
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str
    categories: list[str] = Field(default_factory=list, description="primary category first")
    published: date
    url: str | None = None
    upvotes: int | None = None
    announce_type: Literal["new", "cross", "replace"] = "new"
    source: str = "file"
    comment: str | None = Field(
        default=None,
        description="the authors' arXiv comment (pages, venue, code link), None when absent",
    )

    @model_validator(mode="before")
    @classmethod
    def _split_version(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            paper_id, version = split_arxiv_id(data["id"])
            data = {**data, "id": paper_id}
            if version and not data.get("version"):
                data["version"] = version
        return data

    @field_validator("title", "abstract")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # arXiv wraps long titles and abstracts over lines; the brief wants them on one.
        return " ".join(strip_controls(value).split())

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value: object) -> object:
        # One line, no controls; empty, or the string 'None' some papers files write for a
        # missing comment, is no comment.
        if not isinstance(value, str):
            return value
        text = " ".join(strip_controls(value[:MAX_COMMENT_CHARS]).split())
        return None if text.lower() in ("", "none", "null") else text

    @field_validator("authors", mode="before")
    @classmethod
    def _author_names(cls, value: object) -> object:
        # The `arxiv` package and Hugging Face give authors as objects: {"name": "…", …}.
        if isinstance(value, list):
            return [
                item["name"] if isinstance(item, dict) and "name" in item else item
                for item in value
            ]
        return value

    @field_validator("authors")
    @classmethod
    def _clean_authors(cls, value: list[str]) -> list[str]:
        return [name for name in (" ".join(strip_controls(n).split()) for n in value) if name]

    @property
    def versioned_id(self) -> str:
        return f"{self.id}{self.version}"

    @property
    def abs_url(self) -> str:
        return arxiv_abs_url(self.id, self.version)


class ScoredPaper(Model):
    paper: Paper
    score: float
    reasons: list[str] = Field(default_factory=list)
    followed: list[str] = Field(default_factory=list, description="followed authors of it")


class Section(Model):
    heading: str
    text: str
    tokens: int = 0
    level: int = Field(default=1, description="1 section or appendix, 2 subsection")
    appendix: bool = False
    truncated: bool = Field(default=False, description="cut short to fit the token budget")


class PaperText(Model):
    """What the analysis reads for one paper, and where it came from."""

    paper_id: str
    read_from: ReadFrom
    sections: list[Section]
    omitted: list[Section] = Field(
        default_factory=list, description="sections left out to fit the budget (text empty)"
    )
    budget: int | None = None
    note: str = Field(default="", description="why the abstract was read instead of HTML")

    @property
    def tokens(self) -> int:
        return sum(section.tokens for section in self.sections)


class ParsedHtml(Model):
    """A paper's HTML page, parsed once and cached; the token budget is applied on each read."""

    title: str
    abstract: str
    sections: list[Section]


NOT_STATED = "not stated"


# The descriptions of UsageGuide, Experiments, Takeaway, Theme and TopPaper are part of the
# JSON schemas a model fills: they are written for the model.
class UsageGuide(Model):
    """What someone who wants to use the method needs to know."""

    inputs: Annotated[str, TRANSLATED] = Field(
        default=NOT_STATED,
        description="What the method takes in (data, model, format), or 'not stated'.",
    )
    how_to_use: Annotated[str, TRANSLATED] = Field(
        default=NOT_STATED,
        description="How one would apply it in practice, in a sentence or two, or 'not stated'.",
    )
    hardware: Annotated[str, TRANSLATED] = Field(
        default=NOT_STATED,
        description="The hardware the paper used or requires (GPU type and count), or "
        "'not stated'.",
    )
    open_source: Annotated[str, TRANSLATED] = Field(
        default=NOT_STATED,
        description="Whether code or weights are released, with the link as written, "
        "'promised' if only announced, or 'not stated'.",
    )


class Experiments(Model):
    """The evaluation as the text reports it."""

    datasets: Annotated[list[str], NOT_TRANSLATED] = Field(  # names
        default_factory=list, description="Datasets and benchmarks evaluated on, by name."
    )
    key_results: Annotated[list[str], Translatable(key="results")] = Field(
        default_factory=list,
        description="Each main result with its number and unit copied exactly, the metric, "
        "the setting and what it is compared with.",
    )
    baselines: Annotated[list[str], NOT_TRANSLATED] = Field(  # names
        default_factory=list, description="The methods or systems it is compared with."
    )


class PaperAnalysis(Model):
    """The per-paper analysis. Unknowns are 'not stated', never guesses."""

    # Translated: what the per-paper report shows (render/report.py). The rest feeds the
    # synthesis, which is translated as the brief's own texts.
    paper_id: Annotated[str, NOT_TRANSLATED]
    version: Annotated[str, NOT_TRANSLATED] = ""
    title: Annotated[str, NOT_TRANSLATED]  # papers keep their English titles
    domain: Annotated[str, TRANSLATED]
    one_line_contribution: Annotated[str, Translatable(key="contribution")]
    problem: Annotated[str, NOT_TRANSLATED] = NOT_STATED
    method: Annotated[str, NOT_TRANSLATED] = NOT_STATED
    usage_guide: Annotated[UsageGuide, Translatable(key="usage")] = Field(
        default_factory=UsageGuide
    )
    innovations: Annotated[list[str], TRANSLATED] = Field(default_factory=list)
    experiments: Annotated[Experiments, Translatable(key="")] = Field(default_factory=Experiments)
    limitations: Annotated[list[str], TRANSLATED] = Field(default_factory=list)
    not_shown: Annotated[list[str], NOT_TRANSLATED] = Field(
        default_factory=list, description="what the text read cannot show (an abstract's gaps)"
    )
    skeptical_note: Annotated[str, NOT_TRANSLATED] = NOT_STATED
    why_now: Annotated[str, NOT_TRANSLATED] = NOT_STATED
    keywords: Annotated[list[str], NOT_TRANSLATED] = Field(default_factory=list)
    read_from: ReadFrom = "abstract"


class Takeaway(Model):
    """One executive takeaway of the day."""

    headline: Annotated[str, TRANSLATED] = Field(
        description="A short headline a reader can skim, a few words."
    )
    body: Annotated[str, TRANSLATED] = Field(
        description="One or two sentences that support the headline; name papers by their "
        "method or short title, never by id."
    )
    paper_ids: Annotated[list[str], NOT_TRANSLATED] = Field(
        default_factory=list, description="The ids of the papers this takeaway rests on."
    )


class GlanceRow(Model):
    paper_id: Annotated[str, NOT_TRANSLATED]
    title: Annotated[str, NOT_TRANSLATED]  # papers keep their English titles
    url: Annotated[str, NOT_TRANSLATED]
    domain: Annotated[str, TRANSLATED]
    contribution: Annotated[str, TRANSLATED]
    read_from: ReadFrom
    followed: Annotated[list[str], NOT_TRANSLATED] = Field(  # names
        default_factory=list, description="the paper's authors the reader follows"
    )


class Theme(Model):
    """A theme that clusters several of the day's papers."""

    title: Annotated[str, TRANSLATED] = Field(
        description="A specific name for the theme, a few words."
    )
    why_it_matters: Annotated[str, TRANSLATED] = Field(
        description="Why a practitioner should care, one or two sentences."
    )
    paper_ids: Annotated[list[str], NOT_TRANSLATED] = Field(
        description="The ids of the theme's representative papers."
    )
    common_approach: Annotated[list[str], TRANSLATED] = Field(
        description="2 to 4 approaches the theme's papers share, one per item."
    )
    open_questions: Annotated[list[str], TRANSLATED] = Field(
        description="1 to 3 open questions or failure modes, one per item."
    )


class TopPaper(Model):
    """One of the day's top papers for this reader."""

    paper_id: Annotated[str, NOT_TRANSLATED] = Field(
        description="The paper's id, from the analyses."
    )
    bullets: Annotated[list[str], TRANSLATED] = Field(
        description="2 to 4 factual bullets from its analysis: what it does and its results."
    )
    why_now: Annotated[str, TRANSLATED] = Field(description="Why it matters now, one sentence.")
    skepticism: Annotated[str, TRANSLATED] = Field(
        description="One specific reason to doubt or check the result."
    )


class Provenance(Model):
    sources: list[str]
    paper_count: int
    engine: str
    models: list[str] = Field(default_factory=list)
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    profile: str = "default"
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    note: str = ""


BriefKind = Literal["daily", "weekly", "range"]
# 2: kind, start and end added (a brief stored before them reads them from its date label).
SCHEMA_VERSION = 2
_WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


def period_of_label(label: str) -> tuple[BriefKind, date | None, date | None]:
    """(kind, first day, last day) of a brief's date label: '2026-02-17', '2026-W08' or
    '2026-02-17 to 2026-02-18'; (…, None, None) for a label of none of these shapes."""
    week = _WEEK_LABEL.match(label)
    try:
        if week:
            monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
            return "weekly", monday, monday + timedelta(days=6)
        if " to " in label:
            first, last = label.split(" to ", 1)
            return "range", date.fromisoformat(first), date.fromisoformat(last)
        day = date.fromisoformat(label)
    except ValueError:
        return "daily", None, None
    return "daily", day, day


class Brief(Model):
    """One Paper Insight Brief, language-neutral: renderers add the headings."""

    schema_version: int = Field(
        default=SCHEMA_VERSION, description="the version of this JSON shape (briefgen schema)"
    )
    kind: BriefKind = Field(
        default="daily", description="a day's brief, or a roundup of a week or a date range"
    )
    date: Annotated[str, NOT_TRANSLATED] = Field(
        description="the label of what the brief covers: the listing date (YYYY-MM-DD), the ISO "
        "week (2026-W08) or the range ('2026-02-17 to 2026-02-18')"
    )
    # (datetime.date spelled out: inside this class `date` is the field above)
    start: datetime.date | None = Field(default=None, description="the first day covered")
    end: datetime.date | None = Field(default=None, description="the last day covered")
    takeaways: Annotated[list[Takeaway], TRANSLATED]
    papers_at_a_glance: Annotated[list[GlanceRow], Translatable(key="glance")]
    themes: Annotated[list[Theme], TRANSLATED]
    technical_synthesis: Annotated[list[str], TRANSLATED]
    top_papers: Annotated[list[TopPaper], Translatable(key="top")]
    next_steps: Annotated[list[str], TRANSLATED]
    provenance: Annotated[Provenance, NOT_TRANSLATED]  # names; the renderer words its note
    translations: Annotated[dict[str, dict[str, str]], NOT_TRANSLATED] = Field(
        default_factory=dict,
        description="language -> text key -> translated text (see translate.brief_texts)",
    )

    @model_validator(mode="before")
    @classmethod
    def _period_from_label(cls, data: object) -> object:
        # Briefs stored before `kind`, `start` and `end` existed read them from their label.
        if isinstance(data, dict) and isinstance(data.get("date"), str):
            kind, start, end = period_of_label(data["date"])
            data = {"kind": kind, "start": start, "end": end, **data}
        return data

    def row(self, paper_id: str) -> GlanceRow:
        for row in self.papers_at_a_glance:
            if row.paper_id == paper_id:
                return row
        raise KeyError(paper_id)


class AnalysedPaper(BaseModel):
    """A selected paper with its analysis: what synthesis works from."""

    model_config = ConfigDict(extra="forbid")

    scored: Annotated[ScoredPaper, NOT_TRANSLATED]
    analysis: Annotated[PaperAnalysis, Translatable(key="")]

    @property
    def paper_id(self) -> str:
        return self.scored.paper.id


# The parts of a brief that synthesis writes; the glance table and provenance are not
# synthesised (they come straight from the analyses and the run). The descriptions are read by
# the model that fills this schema.
class Synthesis(BaseModel):
    """The synthesis of a research brief across the analysed papers."""

    model_config = ConfigDict(extra="forbid")

    takeaways: list[Takeaway] = Field(description="The executive takeaways, most important first.")
    themes: list[Theme] = Field(description="Themes that cluster the papers.")
    technical_synthesis: list[str] = Field(
        description="Statements that connect methods and results across papers, one per item."
    )
    top_papers: list[TopPaper] = Field(description="The top papers for this reader, best first.")
    next_steps: list[str] = Field(
        description="Practical next steps a reader could take this week, one per item."
    )

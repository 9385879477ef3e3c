"""The analysis request: the system prompt with its field contract, the paper fenced as data,
and the reply's schema.

What each field must hold is stated once, in prompts/analyze_paper.fields.md, and rendered into
the system prompt: the full one (with worked examples, cached by Anthropic) or a compact one
for OpenAI-compatible servers, which cache nothing and often run small-context models; the
schema is sent without descriptions, so the contract is never said twice or two ways.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from briefgen.core.errors import ConfigError
from briefgen.core.models import Experiments, PaperText, ScoredPaper, UsageGuide
from briefgen.engines.prompt_text import bare_schema, fence, validation_summary
from briefgen.infra.prompts import fill, load_template, template_version
from briefgen.read.abstract import estimate_tokens

ANALYSIS_PROMPT = "analyze_paper"
COMPACT_SYSTEM = "analyze_paper.compact.system"
FIELDS_PROMPT = "analyze_paper.fields"
FIELDS_MARKER = "[[FIELDS]]"


def schema_fields(schema: dict[str, Any]) -> list[str]:
    """The fields of an object schema, nested objects as 'outer.inner', in schema order."""
    defs = schema.get("$defs", {})

    def walk(node: dict[str, Any], prefix: str) -> list[str]:
        names: list[str] = []
        for name, sub in node.get("properties", {}).items():
            ref = sub.get("$ref") or next(
                (a.get("$ref") for a in sub.get("allOf", []) if "$ref" in a), None
            )
            if ref:
                names += walk(defs[ref.rsplit("/", 1)[-1]], f"{prefix}{name}.")
            else:
                names.append(f"{prefix}{name}")
        return names

    return walk(schema, "")


def read_fields(text: str) -> dict[str, tuple[str, str]]:
    """prompts/analyze_paper.fields.md: '- name: what it must hold' lines, each optionally
    followed by indented lines of how to write it well -> {name: (contract, guidance)}."""
    fields: dict[str, tuple[str, str]] = {}
    name = ""
    for line in text.splitlines():
        entry = re.match(r"^- ([\w.]+): (.+)$", line)
        if entry:
            name = entry.group(1)
            fields[name] = (entry.group(2).strip(), "")
        elif line.startswith((" ", "\t")) and line.strip() and name:
            contract, guidance = fields[name]
            fields[name] = (contract, f"{guidance} {line.strip()}".strip())
    return fields


def field_guide(fields: dict[str, tuple[str, str]], order: list[str], *, full: bool) -> str:
    lines = []
    for name in order:
        contract, guidance = fields[name]
        lines.append(f"- {name}: {contract}")
        if full and guidance:
            lines.append(f"  {guidance}")
    return "\n".join(lines)


def with_fields(system: str, guide: str) -> str:
    """The system prompt with the field contract where it has the marker (at its end if a
    user's own prompt has none)."""
    if FIELDS_MARKER in system:
        return system.replace(FIELDS_MARKER, guide)
    return f"{system.rstrip()}\n\nFields:\n{guide}\n"



# What the model writes for one paper. Ids, title and read_from are not asked for:
# briefgen knows them, and a model cannot get them wrong if it never writes them. What each
# field must hold is prompts/analyze_paper.fields.md (one statement, rendered into the system
# prompt); why the paper matters now is the synthesis's to say, for its reader.
class AnalysisOutput(BaseModel):
    """An analysis of one paper for a research brief, faithful to the paper's text."""

    model_config = ConfigDict(extra="forbid")

    domain: str
    one_line_contribution: str
    problem: str
    method: str
    usage_guide: UsageGuide
    innovations: list[str]
    experiments: Experiments
    limitations: list[str]
    not_shown: list[str]
    skeptical_note: str
    keywords: list[str]

    @model_validator(mode="before")
    @classmethod
    def _earlier_contract(cls, data: object) -> object:
        """A reply asked for under the earlier contract (a Message Batch sent before it) had
        a why_now and no not_shown: read without the one, with nothing for the other."""
        if isinstance(data, dict) and ("why_now" in data or "not_shown" not in data):
            data = {k: v for k, v in data.items() if k != "why_now"}
            data.setdefault("not_shown", [])
        return data


ANALYSIS_SCHEMA: dict[str, Any] = bare_schema(AnalysisOutput.model_json_schema())


def render_paper_text(text: PaperText) -> str:
    """The sections as plain text; a stray fence tag in the paper cannot close the fence."""
    parts = [
        f"## {section.heading}\n\n{fence(section.text, 'paper')}"
        for section in text.sections
        if section.heading != "Title"
    ]
    return "\n\n".join(parts)


def parse_analysis(reply_text: str) -> tuple[AnalysisOutput | None, list[str]]:
    """A reply as the analysis it must be, or pydantic's errors in one line (for the repair)."""
    try:
        return AnalysisOutput.model_validate_json(reply_text), []
    except (ValidationError, ValueError) as exc:
        return None, [validation_summary(exc)]



class AnalysisPrompt:
    """The prompts of one analysis call, loaded once: `compact` for a server that caches
    nothing (the full prompt's worked examples would be paid for by every paper)."""

    def __init__(self, prompts_dir: Path | None = None, *, compact: bool = False) -> None:
        fields = read_fields(load_template(FIELDS_PROMPT, prompts_dir))
        order = schema_fields(ANALYSIS_SCHEMA)
        if sorted(fields) != sorted(order):
            raise ConfigError(
                f"{FIELDS_PROMPT}.md must describe exactly the fields {', '.join(order)}; "
                f"it describes {', '.join(fields) or 'none'}"
            )
        system = load_template(COMPACT_SYSTEM if compact else f"{ANALYSIS_PROMPT}.system",
                               prompts_dir)  # fmt: skip
        self.system = with_fields(system, field_guide(fields, order, full=not compact))
        self.template = load_template(ANALYSIS_PROMPT, prompts_dir)
        self.schema_text = json.dumps(ANALYSIS_SCHEMA, sort_keys=True)
        # The version covers what shapes a reply: both prompt parts and the schema.
        self.version = template_version(self.system + self.template + self.schema_text)

    def message(self, paper: ScoredPaper, text: PaperText) -> str:
        """The user's message: what briefgen vouches for (id, listing date, what was read)
        above the fence; all the paper gives (title, categories, comment, text) inside it."""
        p = paper.paper
        return fill(
            self.template,
            title=fence(p.title, "paper"),
            paper_id=p.versioned_id,
            listed=p.published.isoformat(),
            categories=fence(", ".join(p.categories), "paper") or "not given",
            comment=fence(p.comment, "paper") if p.comment else "not given",
            read_from="full text (arXiv HTML)" if text.read_from == "html" else "abstract only",
            paper_text=render_paper_text(text),
        )

    def request_tokens(self, paper: ScoredPaper, text: PaperText) -> int:
        """The estimated input of one analysis call: system prompt, message and the schema
        (sent with every call, or written into the system prompt in JSON mode)."""
        return estimate_tokens(self.system + self.message(paper, text) + self.schema_text)

"""The engine for language models: one structured call per paper, validated and repaired.

The paper (title, categories, the authors' comment and its text) is fenced as untrusted data.
What each field must hold is stated once, in prompts/analyze_paper.fields.md, and rendered into
the system prompt: the full one (with worked examples, cached by Anthropic) or a compact one
for OpenAI-compatible servers, which cache nothing and often run small-context models; the
schema is sent without descriptions, so the contract is never said twice or two ways.
The reply must parse as `AnalysisOutput`; if it does not, the model is shown the validation
errors and asked once more; a paper that still fails is reported as failed, never replaced by
its abstract. Synthesis works the same way over
the compact analyses, against SPEC §2's rules (synthesis_rules.py); what still breaks a rule
after the one retry is dropped by the caller, never passed through.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from briefgen.core.calls import CallRecord, ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.core.models import (
    AnalysedPaper,
    Experiments,
    PaperAnalysis,
    PaperText,
    ScoredPaper,
    Synthesis,
    UsageGuide,
)
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, THEMES, TOP_PAPERS
from briefgen.core.settings import Price
from briefgen.engines.base import RuleCheck
from briefgen.engines.caching import worth_caching
from briefgen.engines.provider import Provider
from briefgen.engines.providers.context import context_window
from briefgen.engines.repair import Wording, ask_validated
from briefgen.engines.spares import analysis_synthesis
from briefgen.infra.prompts import fill, load_template, template_version
from briefgen.read.abstract import estimate_tokens

ANALYSIS_PROMPT = "analyze_paper"
COMPACT_SYSTEM = "analyze_paper.compact.system"
FIELDS_PROMPT = "analyze_paper.fields"
FIELDS_MARKER = "[[FIELDS]]"
SYNTHESIS_PROMPT = "synthesize_brief"
MAX_ERRORS_SHOWN = 8
MAX_TOKENS_CEILING = 32_000  # a cut-off reply is retried once with twice the budget, up to this
MAX_ENUM_IDS = 200  # beyond this an id enum bloats the schema; the validator still checks ids
TYPICAL_REPLY = 800  # output tokens of an analysis (what must fit beside the prompt)
# What the two calls' messages say (users and tests read them; see briefgen.engines.repair).
ANALYSIS_WORDING = Wording(
    declined="the model declined to analyse this paper (refusal)",
    failed="the model's reply failed twice",
    invalid="That reply does not match the required JSON schema",
)
SYNTHESIS_WORDING = Wording(
    declined="the model declined to write the synthesis (refusal)",
    failed="the synthesis reply failed validation twice",
    invalid="That synthesis breaks the brief's rules",
    listed=True,
)


def fence(text: str, tag: str) -> str:
    """Untrusted text cannot open or close the fence it is put in, in any letter case or
    spacing ('</PAPER>', '< /paper >' become '</ PAPER>', '< paper >')."""
    pattern = re.compile(rf"<\s*(/?)\s*({re.escape(tag)})(?=[\s>/])", re.IGNORECASE)
    return pattern.sub(lambda m: f"<{m.group(1)} {m.group(2)}", text)


logger = logging.getLogger(__name__)


def bare_schema(schema: Any) -> Any:
    """`schema` without its titles and descriptions: what the model is sent, so that what a
    field must hold is stated once, in the prompt (property and definition names are kept)."""
    if isinstance(schema, list):
        return [bare_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "description"):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: bare_schema(sub) for name, sub in value.items()}
        else:
            out[key] = bare_schema(value)
    return out


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


def compact_analysis(item: AnalysedPaper) -> dict[str, Any]:
    """What synthesis reads of a paper: its analysis, not its full text. (An analysis written
    under the faithfulness contract has no why_now: the synthesis writes it for the reader.)"""
    a = item.analysis
    return {
        "id": item.paper_id,
        "title": a.title,
        "relevance_score": item.scored.score,
        "listed": item.scored.paper.published.isoformat(),
        "read_from": a.read_from,
        "domain": a.domain,
        "contribution": a.one_line_contribution,
        "problem": a.problem,
        "method": a.method,
        "innovations": a.innovations,
        "key_results": a.experiments.key_results,
        "datasets": a.experiments.datasets,
        "baselines": a.experiments.baselines,
        "limitations": a.limitations,
        "not_shown": a.not_shown,
        "skeptical_note": a.skeptical_note,
        "keywords": a.keywords,
        # Code and hardware are what "practical next steps" are made of.
        "usage_guide": a.usage_guide.model_dump(),
    }


def roundup_scope(papers: list[AnalysedPaper]) -> str:
    """For a weekly or range roundup: cover the whole period and say which days themes span."""
    days = sorted({p.scored.paper.published for p in papers})
    if len(days) <= 1:
        return ""
    return (
        f"This is a roundup of {len(days)} listing days ({days[0]} to {days[-1]}; each "
        "analysis has its `listed` date): write themes across days, and say in each theme's "
        "why_it_matters on which days its papers appeared."
    )


def synthesis_schema(ids: list[str]) -> dict[str, Any]:
    """The Synthesis schema, bare (its contract is the synthesis prompt), with paper ids
    constrained to the analysed set (an enum)."""
    schema: dict[str, Any] = bare_schema(Synthesis.model_json_schema())
    if len(ids) > MAX_ENUM_IDS:
        return schema
    id_type = {"type": "string", "enum": sorted(ids)}
    defs = schema["$defs"]
    defs["Takeaway"]["properties"]["paper_ids"]["items"] = dict(id_type)
    defs["Theme"]["properties"]["paper_ids"]["items"] = dict(id_type)
    defs["TopPaper"]["properties"]["paper_id"] = dict(id_type)
    return schema


# What the model writes for one paper (SPEC §7). Ids, title and read_from are not asked for:
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


def validation_summary(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        lines = [
            f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
            for item in error.errors()[:MAX_ERRORS_SHOWN]
        ]
        return "; ".join(lines)
    return str(error)


def parse_analysis(reply_text: str) -> tuple[AnalysisOutput | None, list[str]]:
    """A reply as the analysis it must be, or pydantic's errors in one line (for the repair)."""
    try:
        return AnalysisOutput.model_validate_json(reply_text), []
    except (ValidationError, ValueError) as exc:
        return None, [validation_summary(exc)]


class ModelEngine:
    """An Engine backed by a Provider; thread-safe, so papers are analysed concurrently."""

    def __init__(
        self,
        provider: Provider,
        model: str,
        *,
        prompts_dir: Path | None = None,
        max_tokens: int = 4096,
        price: Price | None = None,
        synthesis_model: str | None = None,
        synthesis_price: Price | None = None,
        synthesis_max_tokens: int = 8192,
        batch_size: int = 40,
        prompt_caching: bool = True,
        interests: str = "",
        compact: bool | None = None,
        context_tokens: int | None = None,
    ) -> None:
        self.provider = provider
        self.name = provider.name
        self.model = model
        self.max_tokens = max_tokens
        self.price = price
        # The compact prompt where nothing caches the long one (OpenAI-compatible servers).
        self.compact = not provider.caches_by_marker if compact is None else compact
        fields = read_fields(load_template(FIELDS_PROMPT, prompts_dir))
        order = schema_fields(ANALYSIS_SCHEMA)
        if sorted(fields) != sorted(order):
            raise ConfigError(
                f"{FIELDS_PROMPT}.md must describe exactly the fields {', '.join(order)}; "
                f"it describes {', '.join(fields) or 'none'}"
            )
        system = load_template(COMPACT_SYSTEM if self.compact else f"{ANALYSIS_PROMPT}.system",
                               prompts_dir)  # fmt: skip
        self.system = with_fields(system, field_guide(fields, order, full=not self.compact))
        self.template = load_template(ANALYSIS_PROMPT, prompts_dir)
        self.schema_text = json.dumps(ANALYSIS_SCHEMA, sort_keys=True)
        # The version covers what shapes a reply: both prompt parts and the schema.
        self.analysis_version = template_version(self.system + self.template + self.schema_text)
        # What fits: prompt + paper + the reply's budget within the model's context window.
        local = bool(getattr(provider, "local", False)) and context_tokens is None
        self.context_tokens = context_tokens or context_window(model, local=local)
        self._context_source = " (a local server's default, Ollama's)" if local else ""
        self._told: set[str] = set()
        self.synthesis_model = synthesis_model or model
        self.synthesis_price = synthesis_price if synthesis_model else price
        self.synthesis_max_tokens = synthesis_max_tokens
        self.synthesis_batch: int | None = batch_size
        self.synthesis_system = load_template(f"{SYNTHESIS_PROMPT}.system", prompts_dir)
        self.synthesis_template = load_template(SYNTHESIS_PROMPT, prompts_dir)
        self.synthesis_schema_text = json.dumps(bare_schema(Synthesis.model_json_schema()),
                                                sort_keys=True)  # fmt: skip
        self.synthesis_version = template_version(
            self.synthesis_system + self.synthesis_template + self.synthesis_schema_text
        )
        # The analysis system prompt is the one prefix every paper shares; it is marked for
        # the cache only when the API will cache it (see briefgen.engines.caching).
        self.prompt_caching = prompt_caching and provider.caches_by_marker
        self.cache_analysis_prompt = self.prompt_caching and worth_caching(model, self.system)
        self._cache_analyses = self.cache_analysis_prompt
        # Calls sent at once all miss the cache and all pay to write it: the API makes an
        # entry readable only once the response that writes it has started. So a run with
        # several analyses first sends one call of one output token that writes the prefix
        # (set up by `prepare`); the analyses then read it at a tenth of the price.
        self._warm_lock = threading.Lock()
        self._warmed = True
        self.interests = interests or "not given"
        self._calls: list[CallRecord] = []
        self._lock = threading.Lock()
        self._stopped: ConfigError | None = None

    # calls ---------------------------------------------------------------------------------

    def drain_calls(self) -> list[CallRecord]:
        with self._lock:
            calls, self._calls = self._calls, []
        return calls

    def _call(
        self,
        paper_id: str,
        messages: list[ChatMessage],
        *,
        purpose: str = "analysis",
        system: str | None = None,
        schema: dict[str, Any] | None = None,
        model: str | None = None,
        price: Price | None = None,
        max_tokens: int | None = None,
        cache: bool | None = None,
    ) -> Reply:
        if self._stopped is not None:
            # A bad key or a spend limit concerns every paper: no further requests.
            raise self._stopped
        model = model or self.model
        price = price if model != self.model else self.price
        started = time.perf_counter()
        try:
            reply = self.provider.complete(
                model=model,
                system=system if system is not None else self.system,
                messages=messages,
                schema=schema if schema is not None else ANALYSIS_SCHEMA,
                max_tokens=max_tokens or self.max_tokens,
                cache=self.cache_analysis_prompt if cache is None else cache,
            )
        except ConfigError as exc:
            self._stopped = exc
            raise
        except (AnalysisError, UpstreamError) as exc:
            seconds = time.perf_counter() - started
            failed = CallRecord(paper_id, purpose, model, Usage(), seconds, ok=False,
                                message=str(exc))  # fmt: skip
            self._record(failed)
            raise
        self._record(
            CallRecord(
                paper_id, purpose, reply.model or model, reply.usage,
                time.perf_counter() - started, ok=True, cost_usd=reply.usage.cost(price),
            )
        )  # fmt: skip
        return reply

    def prepare(self, analyses: int) -> None:
        self._cache_analyses = self.cache_analysis_prompt and analyses >= 2
        self._warmed = not self._cache_analyses

    def _warm_cache(self) -> None:
        """Write the analysis prompt into the cache once, before the first analysis; the
        others wait here meanwhile (about the time to a first token)."""
        if self._warmed:
            return
        with self._warm_lock:
            if self._warmed:
                return
            try:
                # A failed warm-up costs nothing more: the analyses run, missing the cache.
                with contextlib.suppress(AnalysisError, UpstreamError):
                    self._call(
                        "cache", [{"role": "user", "content": "Reply with {}."}],
                        purpose="cache warm-up", max_tokens=1, cache=True,
                    )  # fmt: skip
            finally:
                self._warmed = True  # only now: the others wait on the lock until it is done

    def record(self, record: CallRecord) -> None:
        """Record a call made elsewhere (a Message Batch) with the engine's own."""
        self._record(record)

    def _record(self, record: CallRecord) -> None:
        with self._lock:
            self._calls.append(record)

    # the Engine interface ------------------------------------------------------------------

    def prompt(self, paper: ScoredPaper, text: PaperText) -> str:
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
        return estimate_tokens(self.system + self.prompt(paper, text) + self.schema_text)

    def context_problem(self, paper: ScoredPaper, text: PaperText) -> str | None:
        """Why this paper's call may not fit the model's context window, or None."""
        if self.context_tokens is None:
            return None
        needed = self.request_tokens(paper, text)
        if needed + TYPICAL_REPLY <= self.context_tokens:
            return None
        return (
            f"{paper.paper.id}: the prompt and paper are about {needed:,} tokens and a reply "
            f"about {TYPICAL_REPLY:,}, more than {self.model}'s context of "
            f"{self.context_tokens:,} tokens{self._context_source}; the server may cut the "
            "paper or the reply (read it from its abstract, or raise the server's context size)"
        )

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        problem = self.context_problem(paper, text)
        if problem is not None and paper.paper.id not in self._told:
            self._told.add(paper.paper.id)
            logger.warning(problem)
        return self.complete_analysis(paper, text)

    def complete_analysis(
        self, paper: ScoredPaper, text: PaperText, first_reply: Reply | None = None
    ) -> PaperAnalysis:
        """Validate a reply (the first one may come from a Message Batch) and fix it once
        (`ask_validated`): a reply cut off at the token limit is asked again with twice the
        budget; one that does not fit the schema is shown its errors; a refusal is reported,
        not retried."""
        p = paper.paper

        def call(messages: list[ChatMessage], budget: int) -> Reply:
            self._warm_cache()
            return self._call(p.id, messages, max_tokens=budget, cache=self._cache_analyses)

        output = ask_validated(
            call, [{"role": "user", "content": self.prompt(paper, text)}], parse_analysis,
            budget=self.max_tokens, ceiling=MAX_TOKENS_CEILING, wording=ANALYSIS_WORDING,
            first_reply=first_reply,
        )  # fmt: skip
        return PaperAnalysis(
            paper_id=p.id,
            version=p.version,
            title=p.title,
            read_from=text.read_from,
            **output.model_dump(),
        )

    def ask(
        self,
        purpose: str,
        system: str,
        messages: list[ChatMessage],
        schema: dict[str, Any],
        *,
        model: str | None = None,
        price: Price | None = None,
        max_tokens: int | None = None,
    ) -> Reply:
        """One structured call for another stage (translation), recorded like the others.
        Its system prompt is marked for the cache only when it is long enough to be cached."""
        chosen = model or self.model
        cache = self.prompt_caching and worth_caching(chosen, system)
        return self._call(
            purpose, messages, purpose=purpose, system=system, schema=schema, model=chosen,
            price=price, max_tokens=max_tokens, cache=cache,
        )  # fmt: skip

    def fallback_synthesis(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        """Assembled from the model's own analyses, no offline-engine text: what fills a
        section left short (see briefgen.engines.spares)."""
        return analysis_synthesis(papers)

    def synthesize(
        self, period: str, papers: list[AnalysedPaper], check: RuleCheck | None = None
    ) -> Synthesis:
        """One call, and at most one repair (`ask_validated`): a reply cut off is asked again
        with twice the budget; one that does not parse, or breaks a rule `check` finds, is
        shown its problems. What still breaks a rule after that is the caller's to drop."""
        schema = synthesis_schema([p.paper_id for p in papers])
        prompt = self.synthesis_prompt(period, papers)
        # The analyses are the long part of the prompt: cached, a repair round reads them at a
        # tenth of the price instead of paying for them again.
        cache = self.prompt_caching and worth_caching(
            self.synthesis_model, self.synthesis_system, prompt
        )

        def call(messages: list[ChatMessage], budget: int) -> Reply:
            return self._call(
                period, messages, purpose="synthesis", system=self.synthesis_system,
                schema=schema, model=self.synthesis_model, price=self.synthesis_price,
                max_tokens=budget, cache=cache,
            )  # fmt: skip

        def parse(reply_text: str) -> tuple[Synthesis | None, list[str]]:
            try:
                parsed = Synthesis.model_validate_json(reply_text)
            except (ValidationError, ValueError) as exc:
                return None, [validation_summary(exc)]
            return parsed, check(parsed, papers) if check is not None else []

        return ask_validated(
            call, [{"role": "user", "content": prompt, "cache": True}], parse,
            budget=self.synthesis_max_tokens, ceiling=MAX_TOKENS_CEILING,
            wording=SYNTHESIS_WORDING,
        )  # fmt: skip

    def synthesis_prompt(self, period: str, papers: list[AnalysedPaper]) -> str:
        n = len(papers)
        compact = [compact_analysis(p) for p in sorted(papers, key=lambda p: -p.scored.score)]
        return fill(
            self.synthesis_template,
            period=period,
            paper_count=str(n),
            takeaways_range=f"{TAKEAWAYS.lowest_for(n)}-{TAKEAWAYS.high}",
            themes_range=f"{THEMES.lowest_for(n)}-{min(THEMES.high, n)}",
            top_count=str(min(TOP_PAPERS, n)),
            next_steps_range=f"{NEXT_STEPS.lowest_for(n)}-{NEXT_STEPS.high}",
            analyses=fence(json.dumps(compact, ensure_ascii=False, indent=1), "analyses"),
            scope=roundup_scope(papers),
            interests=self.interests,
        )

"""The engine for language models: one structured call per paper, validated and repaired.

The paper's text is fenced as untrusted data. The reply must parse as `AnalysisOutput`; if it
does not, the model is shown the validation errors and asked once more; a paper that still
fails is reported as failed, never replaced by its abstract. Synthesis is assembled from the
model's analyses by the offline synthesiser until the model writes it (the synthesis issue).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefgen.config import Price
from briefgen.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.llm.base import AnalysedPaper, Synthesis
from briefgen.llm.offline import OfflineEngine
from briefgen.llm.provider import CallRecord, ChatMessage, Provider, Reply, Usage
from briefgen.models import Experiments, PaperAnalysis, PaperText, ScoredPaper, UsageGuide
from briefgen.prompts import fill, load_template, template_version

ANALYSIS_PROMPT = "analyze_paper"
MAX_ERRORS_SHOWN = 8


class AnalysisOutput(BaseModel):
    """What the model writes for one paper (SPEC §7). Ids, title and read_from are not asked
    for: briefgen knows them, and a model cannot get them wrong if it never writes them."""

    model_config = ConfigDict(extra="forbid")

    domain: str = Field(description="the research area in a few words")
    one_line_contribution: str = Field(description="what the paper contributes, one sentence")
    problem: str = Field(description="the problem it addresses, or 'not stated'")
    method: str = Field(description="how it addresses it, or 'not stated'")
    usage_guide: UsageGuide
    innovations: list[str] = Field(description="what is new compared with prior work")
    experiments: Experiments
    limitations: list[str] = Field(description="limitations the paper states or shows")
    skeptical_note: str = Field(description="what to doubt, what is missing")
    why_now: str = Field(description="why this matters now")
    keywords: list[str] = Field(description="3-8 keywords")


def render_paper_text(text: PaperText) -> str:
    """The sections as plain text; a stray fence tag in the paper cannot close the fence."""
    parts = []
    for section in text.sections:
        if section.heading == "Title":
            continue
        body = section.text.replace("</paper>", "</ paper>").replace("<paper>", "< paper>")
        parts.append(f"## {section.heading}\n\n{body}")
    return "\n\n".join(parts)


def validation_summary(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        lines = [
            f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
            for item in error.errors()[:MAX_ERRORS_SHOWN]
        ]
        return "; ".join(lines)
    return str(error)


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
    ) -> None:
        self.provider = provider
        self.name = provider.name
        self.model = model
        self.max_tokens = max_tokens
        self.price = price
        self.system = load_template(f"{ANALYSIS_PROMPT}.system", prompts_dir)
        self.template = load_template(ANALYSIS_PROMPT, prompts_dir)
        schema_text = json.dumps(AnalysisOutput.model_json_schema(), sort_keys=True)
        # The version covers what shapes a reply: both prompt parts and the schema.
        self.analysis_version = template_version(self.system + self.template + schema_text)
        self.synthesis_version = OfflineEngine().synthesis_version
        self._synthesiser = OfflineEngine(extractive=False)
        self._calls: list[CallRecord] = []
        self._lock = threading.Lock()
        self._stopped: ConfigError | None = None

    # calls ---------------------------------------------------------------------------------

    def drain_calls(self) -> list[CallRecord]:
        with self._lock:
            calls, self._calls = self._calls, []
        return calls

    def _call(self, paper_id: str, messages: list[ChatMessage]) -> Reply:
        if self._stopped is not None:
            # A bad key or a spend limit concerns every paper: no further requests.
            raise self._stopped
        started = time.perf_counter()
        try:
            reply = self.provider.complete(
                model=self.model,
                system=self.system,
                messages=messages,
                schema=AnalysisOutput.model_json_schema(),
                max_tokens=self.max_tokens,
            )
        except ConfigError as exc:
            self._stopped = exc
            raise
        except (AnalysisError, UpstreamError) as exc:
            seconds = time.perf_counter() - started
            failed = CallRecord(paper_id, "analysis", self.model, Usage(), seconds, ok=False,
                                message=str(exc))  # fmt: skip
            self._record(failed)
            raise
        self._record(
            CallRecord(
                paper_id, "analysis", reply.model or self.model, reply.usage,
                time.perf_counter() - started, ok=True, cost_usd=reply.usage.cost(self.price),
            )
        )  # fmt: skip
        return reply

    def _record(self, record: CallRecord) -> None:
        with self._lock:
            self._calls.append(record)

    # the Engine interface ------------------------------------------------------------------

    def prompt(self, paper: ScoredPaper, text: PaperText) -> str:
        p = paper.paper
        return fill(
            self.template,
            title=p.title,
            paper_id=p.versioned_id,
            categories=", ".join(p.categories) or "not given",
            read_from="full text (arXiv HTML)" if text.read_from == "html" else "abstract only",
            paper_text=render_paper_text(text),
        )

    def analyze(self, paper: ScoredPaper, text: PaperText) -> PaperAnalysis:
        p = paper.paper
        messages: list[ChatMessage] = [{"role": "user", "content": self.prompt(paper, text)}]
        problem = ""
        for attempt in (1, 2):
            reply = self._call(p.id, messages)
            try:
                if reply.stop_reason == "max_tokens":
                    raise ValueError(
                        f"the reply was cut off at the {self.max_tokens}-token limit; "
                        "answer more briefly"
                    )
                output = AnalysisOutput.model_validate_json(reply.text)
            except (ValidationError, ValueError) as exc:
                problem = validation_summary(exc)
                if attempt == 2:
                    break
                messages = [
                    *messages,
                    {"role": "assistant", "content": reply.text or "(empty reply)"},
                    {
                        "role": "user",
                        "content": "That reply does not match the required JSON schema: "
                        f"{problem}. Reply again with only the corrected JSON object.",
                    },
                ]
                continue
            return PaperAnalysis(
                paper_id=p.id,
                version=p.version,
                title=p.title,
                read_from=text.read_from,
                **output.model_dump(),
            )
        raise AnalysisError(f"the model's reply failed validation twice: {problem}")

    def synthesize(self, period: str, papers: list[AnalysedPaper]) -> Synthesis:
        return self._synthesiser.synthesize(period, papers)

"""Triage (`--triage`): the analysis model scores every candidate's relevance before any paper
is read, from titles and abstracts only, about BATCH_SIZE papers a call.

The model sees the reader as the ranking does (categories, keywords, followed authors) plus the
titles of up to LIBRARY_TITLES papers of their library, and gives each paper a relevance from 0
to 10 and a one-line reason. The day's selection is then the top `max_papers` by that relevance
(ties broken by the keyword/library score), followed authors first as always.

Each answer is stored per paper, keyed by the paper's id and version, the prompt's version, the
model and a hash of the reader's description, so a rerun makes no call. Batches go out
concurrently. A batch whose reply still fails validation after its one repair, or a model that
cannot be reached, costs the run nothing but precision: those papers are ranked by the keyword
and library score instead, with one warning. A bad key or a spend limit (ConfigError) stops
the run, as it would stop the analyses.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefgen.core.calls import ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError, UpstreamError
from briefgen.core.models import Paper, ScoredPaper
from briefgen.core.settings import Profile
from briefgen.engines.asker import Asker
from briefgen.engines.prompt_text import validation_summary
from briefgen.engines.validated_call import Wording, ask_validated
from briefgen.infra.net import UnreachableError, WorkerPool
from briefgen.infra.prompts import fill, load_template, template_version
from briefgen.infra.store import Store, input_key
from briefgen.select.rank import Reader, Selection, followed_by

PROMPT = "triage"
CACHE_KIND = "triage"
BATCH_SIZE = 20  # papers per call, at most
LIBRARY_TITLES = 30  # library titles the model is shown, at most
ABSTRACT_CHARACTERS = 1600  # a longer abstract is cut at a word (a few outliers are 3,000+)
AUTHORS_SHOWN = 8
MAX_TOKENS = 2048  # per call: 20 papers take about 800; a cut-off reply is asked again at 2x
MAX_TOKENS_CEILING = 4096
# What one paper's entry of a reply takes ({"id": …, "relevance": 7, "reason": "…"}), rounded
# up from the replies the prompt asks for: the estimate's output tokens per paper.
OUTPUT_TOKENS_PER_PAPER = 45
WORDING = Wording(
    declined="the model declined to triage these papers (refusal)",
    failed="the triage reply failed validation twice",
    invalid="That triage reply does not match the required JSON schema",
)
NOT_RELEVANT = "triage: 0/10, not relevant"


class TriageItem(BaseModel):
    """One paper's relevance to the reader."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The paper's id, exactly as given.")
    relevance: int = Field(
        ge=0, le=10, description="0 (unrelated) to 10 (squarely on the reader's interests)."
    )
    reason: str = Field(
        description="At most 20 words: the reader's interest the paper meets, or that it "
        "meets none."
    )


class TriageOutput(BaseModel):
    """The relevance of each paper given, each exactly once."""

    model_config = ConfigDict(extra="forbid")

    relevance: list[TriageItem] = Field(description="One entry per paper, in any order.")


def triage_schema(ids: Sequence[str]) -> dict[str, Any]:
    """The reply's schema, its ids constrained to the batch's (an enum)."""
    schema = TriageOutput.model_json_schema()
    item = schema["$defs"]["TriageItem"]["properties"]
    item["id"] = {**item["id"], "enum": sorted(ids)}
    return schema


@dataclass(frozen=True)
class Verdict:
    relevance: int
    reason: str

    @property
    def text(self) -> str:
        """The paper's reason in a listing."""
        return f"triage: {self.relevance}/10 — {self.reason}"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def library_titles(
    reader: Reader, candidates: list[Paper], limit: int = LIBRARY_TITLES
) -> list[str]:
    """Up to `limit` titles of the reader's library: the papers closest to the day's candidates
    first (the ones most often a candidate's best match, when the library is compared by
    similarity), then the rest in the library's own order."""
    library = list(reader.library)
    if not library:
        return []
    order = list(range(len(library)))
    if reader.match is not None and candidates and len(library) > limit:
        weight: dict[int, float] = {}
        for similarity, index in reader.match(candidates):
            weight[index] = weight.get(index, 0.0) + 1.0 + max(similarity, 0.0)
        order.sort(key=lambda i: -weight.get(i, 0.0))
    titles = [str(getattr(library[i], "title", "") or library[i].short_title) for i in order]
    return [_cut(t, 200) for t in titles if t.strip()][:limit]


def describe_reader(profile: Profile, titles: list[str], total: int) -> str:
    """The reader as the model reads it (and as the cache key hashes it)."""
    lines = [
        f"arXiv categories: {', '.join(profile.categories) or 'any'}",
        f"Keywords: {', '.join(profile.keywords) or 'none given'}",
        f"Followed authors: {', '.join(profile.authors) or 'none'}",
    ]
    if titles:
        shown = f" ({len(titles)} of {total})" if total > len(titles) else ""
        lines.append(f"Library, titles of papers they keep{shown}:")
        lines += [f"- {title}" for title in titles]
    else:
        lines.append("Library: none given")
    return "\n".join(lines)


def paper_entry(paper: Paper) -> dict[str, Any]:
    authors = paper.authors[:AUTHORS_SHOWN]
    if len(paper.authors) > AUTHORS_SHOWN:
        authors = [*authors, f"and {len(paper.authors) - AUTHORS_SHOWN} more"]
    return {
        "id": paper.id,
        "title": " ".join(paper.title.split()),
        "authors": authors,
        "categories": paper.categories,
        "abstract": _cut(paper.abstract, ABSTRACT_CHARACTERS),
    }


def batches(papers: list[Paper], size: int = BATCH_SIZE) -> list[list[Paper]]:
    """ceil(n / size) batches of nearly equal size (45 papers: 15, 15, 15), in id order: a
    day's arXiv numbers say nothing of relevance, so each batch is a fair sample of the day."""
    ordered = sorted(papers, key=lambda p: p.id)
    count = math.ceil(len(ordered) / size)
    if not count:
        return []
    step, extra = divmod(len(ordered), count)
    out, start = [], 0
    for index in range(count):
        end = start + step + (1 if index < extra else 0)
        out.append(ordered[start:end])
        start = end
    return out


def parse_reply(ids: Sequence[str]) -> Callable[[str], tuple[dict[str, Verdict] | None, list[str]]]:
    """How a batch's reply is read: every id exactly once; what is missing or unknown is a
    problem (sent back once; the papers still missing after that fall back)."""
    wanted = set(ids)

    def parse(text: str) -> tuple[dict[str, Verdict] | None, list[str]]:
        try:
            output = TriageOutput.model_validate_json(text)
        except (ValidationError, ValueError) as exc:
            return None, [validation_summary(exc)]
        found: dict[str, Verdict] = {}
        problems: list[str] = []
        for item in output.relevance:
            if item.id not in wanted:
                problems.append(f"unknown id {item.id!r}")
            elif item.id in found:
                problems.append(f"id {item.id} scored twice")
            else:
                reason = " ".join(item.reason.split()).rstrip(" .")  # a listing joins with ;
                found[item.id] = Verdict(item.relevance, reason or "no reason given")
        missing = [i for i in ids if i not in found]
        if missing:
            problems.append(f"no entry for {len(missing)} ids: {', '.join(missing)}")
        return (found or None), problems

    return parse


@dataclass
class TriageOutcome:
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # paper id -> its verdict
    failed: dict[str, str] = field(default_factory=dict)  # paper id -> why it has none
    from_cache: int = 0
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0


class Triage:
    """Scores papers for one reader: from the store when it can, else by the model."""

    def __init__(
        self,
        asker: Asker,
        profile: Profile,
        reader: Reader,
        candidates: list[Paper],
        *,
        store: Store | None = None,
        use_cache: bool = True,
        prompts_dir: Path | None = None,
        concurrency: int = 8,
    ) -> None:
        self.asker = asker
        self.model = asker.model
        self.price = asker.price
        self.store = store
        self.use_cache = use_cache
        self.concurrency = max(1, concurrency)
        self.system = load_template(f"{PROMPT}.system", prompts_dir)
        self.template = load_template(PROMPT, prompts_dir)
        schema_text = json.dumps(TriageOutput.model_json_schema(), sort_keys=True)
        self.version = template_version(self.system + self.template + schema_text)
        titles = library_titles(reader, candidates)
        self.reader_text = describe_reader(profile, titles, len(reader.library))
        self.reader_hash = template_version(self.reader_text)

    # the store (SQLite stays on the calling thread) ------------------------------------------

    def _key(self, paper: Paper) -> str:
        return input_key(self.version, self.model, self.reader_hash, paper.id, paper.version)

    def cached(self, papers: list[Paper]) -> dict[str, Verdict]:
        if self.store is None or not self.use_cache:
            return {}
        found: dict[str, Verdict] = {}
        for paper in papers:
            data = self.store.get_cached(CACHE_KIND, self._key(paper))
            if data is not None:
                stored = json.loads(data)
                found[paper.id] = Verdict(int(stored["relevance"]), str(stored["reason"]))
        return found

    def _remember(self, papers: list[Paper], verdicts: dict[str, Verdict]) -> None:
        if self.store is None:
            return
        for paper in papers:
            verdict = verdicts.get(paper.id)
            if verdict is not None:
                data = {"relevance": verdict.relevance, "reason": verdict.reason}
                self.store.put_cached(CACHE_KIND, self._key(paper), json.dumps(data))

    # prompts --------------------------------------------------------------------------------

    def prompt(self, papers: list[Paper]) -> str:
        listed = json.dumps([paper_entry(p) for p in papers], ensure_ascii=False, indent=0)
        return fill(
            self.template,
            paper_count=str(len(papers)),
            reader=self.reader_text.replace("</reader>", "</ reader>"),
            papers=listed.replace("</papers>", "</ papers>"),
        )

    def plan(self, papers: list[Paper]) -> tuple[dict[str, Verdict], list[list[Paper]]]:
        """What is stored already, and the batches the rest would be sent in."""
        known = self.cached(papers)
        return known, batches([p for p in papers if p.id not in known])

    # the calls ------------------------------------------------------------------------------

    def run(self, papers: list[Paper]) -> TriageOutcome:
        """Every paper's verdict, or why it has none (the caller falls back for those)."""
        known, todo = self.plan(papers)
        outcome = TriageOutcome(verdicts=dict(known), from_cache=len(known))
        if not todo:
            return outcome
        stopping: list[UnreachableError] = []
        replies: list[Reply] = []  # every reply of every batch (appended from the workers)

        def ask(batch: list[Paper]) -> dict[str, Verdict]:
            if stopping:  # the provider is unreachable: the batches still queued make no call
                raise UnreachableError(str(stopping[0]), stopping[0].reason)
            ids = [p.id for p in batch]
            schema = triage_schema(ids)

            def call(messages: list[ChatMessage], budget: int) -> Reply:
                reply = self.asker.ask(self.system, messages, schema, max_tokens=budget)
                replies.append(reply)
                return reply

            try:
                return ask_validated(
                    call, [{"role": "user", "content": self.prompt(batch)}], parse_reply(ids),
                    budget=MAX_TOKENS, ceiling=MAX_TOKENS_CEILING, wording=WORDING,
                )  # fmt: skip
            except UnreachableError as exc:
                stopping.append(exc)
                raise

        # A WorkerPool, not a ThreadPoolExecutor: on Ctrl-C its threads do not keep the process
        # waiting for calls in flight.
        with WorkerPool(min(self.concurrency, len(todo)), name="briefgen-triage") as pool:
            futures = [(batch, pool.submit(ask, batch)) for batch in todo]
            for batch, future in futures:
                try:
                    verdicts = future.result()
                except (AnalysisError, UpstreamError) as exc:
                    outcome.failed.update(dict.fromkeys((p.id for p in batch), str(exc)))
                    continue
                self._remember(batch, verdicts)
                outcome.verdicts.update(verdicts)
                for paper in batch:
                    if paper.id not in verdicts:
                        outcome.failed[paper.id] = "the reply left it out"
        outcome.calls = len(replies)
        for reply in replies:
            outcome.usage = outcome.usage + reply.usage
            outcome.cost_usd += reply.usage.cost(self.price)
        return outcome


# the selection -----------------------------------------------------------------------------------


def _with_reason(scored: ScoredPaper, reason: str) -> ScoredPaper:
    reasons = list(scored.reasons)
    reasons.insert(1 if followed_by(scored) and reasons else 0, reason)
    return scored.model_copy(update={"reasons": reasons})


def select_by_triage(
    candidates: Selection, verdicts: dict[str, Verdict], profile: Profile, *, preview: bool = False
) -> Selection:
    """The top `max_papers` of the candidates (filtered and scored, no cut yet) by triage
    relevance, ties broken by their score; followed authors first, as without triage.

    Papers without a verdict (their batch failed) are ranked by their score as without
    triage (min_score applies), and get their share of the places: as many as they are a part
    of the candidates, so a failure neither crowds them out nor lets them crowd out the
    others. A paper scored 0 ("unrelated") is left out unless min_score is 0 ("keep all").
    A `preview` (a dry run) has not asked yet: its papers without a verdict are ranked by score
    with no min_score cut, as many as the triage would keep."""
    selection = Selection(selected=[], considered=candidates.considered,
                          dropped=Counter(candidates.dropped))  # fmt: skip
    followed: list[ScoredPaper] = []
    judged: list[tuple[Verdict, ScoredPaper]] = []
    unjudged: list[ScoredPaper] = []
    for scored in candidates.selected:
        verdict = verdicts.get(scored.paper.id)
        if verdict is not None:
            scored = _with_reason(scored, verdict.text)
        if followed_by(scored):
            followed.append(scored)
        elif verdict is None:
            unjudged.append(scored)
        elif verdict.relevance == 0 and profile.min_score > 0:
            selection.dropped["triage: not relevant (0/10)"] += 1
        else:
            judged.append((verdict, scored))
    share = len(unjudged) / max(1, len(unjudged) + len(judged))
    kept = []
    for scored in unjudged:
        if preview:
            kept.append(_with_reason(scored, "triage: not asked yet (dry run)"))
        elif scored.score < profile.min_score:
            selection.dropped[f"scored below min_score {profile.min_score:g}"] += 1
        else:
            kept.append(_with_reason(scored, "triage: no answer, ranked by score"))
    kept.sort(key=lambda s: (-s.score, s.paper.id))
    judged.sort(key=lambda vs: (-vs[0].relevance, -vs[1].score, vs[1].paper.id))
    ranked = [s for _, s in judged]
    followed.sort(key=lambda s: (-(verdicts[s.paper.id].relevance if s.paper.id in verdicts
                                   else 0), -s.score, s.paper.id))  # fmt: skip
    places = max(0, profile.max_papers - len(followed))
    fallback = min(len(kept), round(places * share))
    by_triage = min(len(ranked), places - fallback)
    fallback = min(len(kept), places - by_triage)  # places the judged cannot fill
    chosen = followed[: profile.max_papers] + ranked[:by_triage] + kept[:fallback]
    selection.selected = chosen
    beyond = len(followed) + len(ranked) + len(kept) - len(chosen)
    if beyond:
        selection.dropped[f"beyond max_papers {profile.max_papers} (by triage)"] += beyond
    return selection


@dataclass
class TriagePlan:
    """What triage asked for a day (or, in a dry run, would ask): for the estimate."""

    triage: Triage
    candidates: int
    stored: int  # verdicts already in the store: no call
    batches: list[list[Paper]]  # sent (a dry run: to be sent)

    @property
    def requests(self) -> list[str]:
        """The text of each request to send: system prompt, prompt and reply schema."""
        return [
            self.triage.system + self.triage.prompt(batch)
            + json.dumps(triage_schema([p.id for p in batch]))
            for batch in self.batches
        ]  # fmt: skip

    @property
    def papers(self) -> int:
        return sum(len(batch) for batch in self.batches)

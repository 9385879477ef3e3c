"""Synthesis by model: the brief's rules enforced, one repair, drops logged, large days."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import AnalysedPaper, Paper, PaperAnalysis, ScoredPaper, Synthesis
from briefgen.engines.limits import CallLimits
from briefgen.engines.model_engine import ModelEngine
from briefgen.engines.synthesis_prompt import synthesis_schema
from briefgen.render.lint import lint_markdown
from briefgen.synthesize.brief import synthesize_day
from briefgen.synthesize.enforce import headline_numbers, synthesis_problems
from tests.fakes import (
    FakeAnthropic,
    FakeProvider,
    FakeServer,
    analysed_ids,
    analysis_json,
    model_engine,
    synthesis_json,
)

IDS = [f"2602.2000{n}" for n in range(1, 7)]


def analysed(ids: list[str] = IDS) -> list[AnalysedPaper]:
    papers = []
    for rank, pid in enumerate(ids):
        paper = Paper(id=pid, title=f"Paper {pid}", abstract="A.", categories=["cs.LG"],
                      published=date(2026, 2, 18))  # fmt: skip
        analysis = PaperAnalysis(
            paper_id=pid, title=paper.title, **analysis_json(paper.title), read_from="abstract"
        )
        papers.append(AnalysedPaper(scored=ScoredPaper(paper=paper, score=10 - rank),
                                    analysis=analysis))  # fmt: skip
    return papers


def engine(provider: FakeProvider) -> ModelEngine:
    return model_engine(provider)


def test_headline_numbers_are_the_claims_not_the_counts() -> None:
    assert headline_numbers("2.1x faster, 31% lower, 128k tokens, 5M on 8×H100, 3 papers") == {
        "2.1", "31", "128", "5", "8"
    }  # fmt: skip


def test_a_valid_synthesis_has_no_problems() -> None:
    assert synthesis_problems(_parse(synthesis_json(IDS)), analysed()) == []


def _parse(data: dict[str, Any]) -> Synthesis:
    return Synthesis.model_validate(data)


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"takeaways": [{"headline": "h", "body": "b", "paper_ids": ["2699.99999"]}] * 4},
         "cites 2699.99999, which is not among the analysed papers"),
        ({"top_papers": [synthesis_json(IDS)["top_papers"][0]] * 5}, "is listed twice"),
        ({"takeaways": [{"headline": "h", "body": "9.9x faster", "paper_ids": [IDS[0]]}] * 4},
         "the number 9.9 is in no cited paper's analysis"),
        ({"takeaways": synthesis_json(IDS)["takeaways"] * 3}, "takeaways: 12 items, expected 4–7"),
    ],
)  # fmt: skip
def test_each_rule_is_checked(override: dict[str, object], problem: str) -> None:
    problems = synthesis_problems(_parse(synthesis_json(IDS, **override)), analysed())
    assert any(problem in p for p in problems), problems


def test_an_invented_id_is_repaired_by_the_model(caplog: pytest.LogCaptureFixture) -> None:
    provider = FakeProvider()
    bad = synthesis_json(IDS)
    bad["top_papers"][0]["paper_id"] = "2699.99999"
    provider.enqueue(json.dumps(bad))
    provider.enqueue(json.dumps(synthesis_json(IDS)))
    result = synthesize_day("2026-02-18", analysed(), engine(provider))
    assert "2699.99999" not in result.model_dump_json()
    assert (
        "top paper 2699.99999 is not among the analysed papers"
        in (provider.conversations[1][-1]["content"])
    )
    assert caplog.messages == []  # repaired: nothing had to be dropped


def test_what_still_breaks_the_rules_is_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = FakeProvider()
    bad = synthesis_json(
        IDS,
        takeaways=[
            {"headline": "Invented", "body": "A paper nobody analysed.", "paper_ids": ["2699.9"]},
            {"headline": "Untraceable", "body": "It is 9.9x faster.", "paper_ids": [IDS[0]]},
            *synthesis_json(IDS)["takeaways"],
            *synthesis_json(IDS)["takeaways"],
        ],
    )
    bad["top_papers"][1] = bad["top_papers"][0]  # a duplicate top-5 paper
    provider.enqueue(json.dumps(bad))
    provider.enqueue(json.dumps(bad))  # the model repeats itself
    result = synthesize_day("2026-02-18", analysed(), engine(provider))
    text = result.model_dump_json()
    assert "2699.9" not in text and "9.9x" not in text
    assert len(result.takeaways) == 7
    assert len({t.paper_id for t in result.top_papers}) == 5
    assert any("Untraceable" in w and "untraceable 9.9" in w for w in caplog.messages)
    assert any("2699.9" in w for w in caplog.messages)
    assert any("listed twice" in w for w in caplog.messages)


def test_the_schema_constrains_ids_to_the_analysed_set() -> None:
    schema = synthesis_schema(IDS[:2])
    top = schema["$defs"]["TopPaper"]["properties"]["paper_id"]
    assert top["type"] == "string" and top["enum"] == IDS[:2]
    # What each field must hold is said once, in the synthesis prompt: the schema is bare.
    assert "description" not in json.dumps(schema)


def test_a_large_day_is_synthesised_per_cluster_then_merged() -> None:
    many = analysed([f"2602.{20000 + n}" for n in range(12)])
    # Each call gets a valid synthesis over exactly the papers in its prompt.
    provider = FakeProvider(
        responder=lambda messages: json.dumps(synthesis_json(analysed_ids(messages[0]["content"])))
    )
    engine = model_engine(provider, limits=CallLimits(synthesis_batch=5))
    result = synthesize_day("2026-02-18", many, engine)
    prompts = [conversation[0]["content"] for conversation in provider.conversations]
    assert len(prompts) >= 3  # 12 papers in clusters of about five
    seen = [pid for prompt in prompts for pid in analysed_ids(prompt)]
    assert sorted(seen) == sorted(p.paper_id for p in many)  # each paper in exactly one
    assert len(result.top_papers) == 5 and len(result.takeaways) >= 4
    # The merged top 5 are the most relevant papers among the clusters' picks.
    scores = {p.paper_id: p.scored.score for p in many}
    top_scores = [scores[t.paper_id] for t in result.top_papers]
    assert top_scores == sorted(top_scores, reverse=True)


def test_daily_through_the_sdk_writes_a_model_brief(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    invented = synthesis_json([f"2602.2000{n}" for n in range(1, 7)])
    invented["takeaways"][0]["paper_ids"] = ["2699.99999"]
    anthropic_api.enqueue_for("synthesis", FakeAnthropic.message(json.dumps(invented)))
    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert result.exit_code == 0, result.stderr
    assert "2699.99999" not in result.stdout
    assert lint_markdown(result.stdout) == []
    kinds = [anthropic_api.kind(r.json()) for r in server.hits("/v1/messages")]
    assert kinds.count("synthesis") == 2  # the invented id was sent back once and repaired
    synthesis_bodies = [r.json() for r in server.hits("/v1/messages")
                        if anthropic_api.kind(r.json()) == "synthesis"]  # fmt: skip
    assert synthesis_bodies[0]["model"] == "claude-sonnet-4-6"
    assert "Takeaway 1" in result.stdout
    assert "models: claude-haiku-4-5, claude-sonnet-4-6" in result.stdout
    # A rerun spends nothing: analyses and synthesis come from the store.
    before = len(server.requests)
    again = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert len(server.requests) == before
    body, footer = result.stdout.rsplit("\n---\n", 1)
    again_body, again_footer = again.stdout.rsplit("\n---\n", 1)
    assert again_body == body
    # The footer says what each run spent, as the server billed it: a cache warm-up and 6
    # analyses on Haiku, 2 syntheses on Sonnet.
    billed = anthropic_api.billed
    tokens_in = sum(b.input_tokens + b.cache_read + b.cache_write for b in billed)
    tokens_out = sum(b.output_tokens for b in billed)
    prices = {"claude-haiku-4-5": (1.0, 5.0, 1.25, 0.10),
              "claude-sonnet-4-6": (3.0, 15.0, 3.75, 0.30)}  # fmt: skip
    cost = sum(
        (b.input_tokens * p[0] + b.output_tokens * p[1] + b.cache_write * p[2]
         + b.cache_read * p[3]) / 1e6
        for b in billed for p in [prices[b.model]]
    )  # fmt: skip
    # ($ is written &#36; in markdown: GitHub and kramdown would read $…$ as math)
    expected = f"This run: {tokens_in:,} tokens in, {tokens_out:,} out; cost &#36;{cost:.4f}."
    assert expected in footer
    assert "This run" not in again_footer

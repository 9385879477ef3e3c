"""The number guard reads a synthesis and the analyses into one normal form for numbers.

A good claim restated in another spelling ("~5×" for "roughly five times") is kept; an invented
number ("9.9x" that no analysis has) is still dropped.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import AnalysedPaper, Paper, PaperAnalysis, ScoredPaper, Synthesis
from briefgen.synthesize.enforce import (
    Checker,
    enforce_rules,
    headline_numbers,
    synthesis_problems,
)
from tests.fakes import (
    FakeAnthropic,
    FakeServer,
    Reply,
    analysed_ids,
    analysis_json,
    synthesis_json,
)

IDS = [f"2602.2000{n}" for n in range(1, 7)]


def paper(pid: str, *key_results: str) -> AnalysedPaper:
    """An analysed paper whose key results are `key_results` (the fakes' default otherwise)."""
    overrides: dict[str, Any] = {}
    if key_results:
        overrides["experiments"] = {"datasets": ["a benchmark"], "baselines": ["a baseline"],
                                    "key_results": list(key_results)}  # fmt: skip
    item = Paper(id=pid, title=f"Paper {pid}", abstract="A.", categories=["cs.LG"],
                 published=date(2026, 2, 18))  # fmt: skip
    analysis = PaperAnalysis(
        paper_id=pid, title=item.title, **analysis_json(item.title, **overrides),
        read_from="abstract",
    )  # fmt: skip
    return AnalysedPaper(scored=ScoredPaper(paper=item, score=10), analysis=analysis)


def untraceable(claim: str, analysis: str) -> list[str]:
    """What the guard finds in `claim` that one paper whose analysis says `analysis` lacks."""
    return Checker([paper(IDS[0], analysis)]).untraceable(claim, [IDS[0]])


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("~5× faster", {"5"}),
        ("≈5x, about 6x, roughly 7×, around 8%, nearly 9%", {"5", "6", "7", "8", "9"}),
        ("approximately 10x", {"10"}),
        ("five times faster", {"5"}),
        ("Ten percent fewer errors", {"10"}),
        ("a three-fold, twelve-fold, 13-fold, 14 fold gain", {"3", "12", "13", "14"}),
        ("three papers and 4 runs", set()),  # counts, not claims
        ("twice as fast", set()),  # a spelled-out number needs a multiplier or percent unit
        ("3∼6×", {"3", "6"}),
        ("3~6x", {"3", "6"}),
        ("3-6x", {"3", "6"}),
        ("3–6×", {"3", "6"}),
        ("3 to 6 times", {"3", "6"}),
        ("three to five times", {"3", "5"}),
        ("2.6 %", {"2.6"}),
        ("26\u00a0%, 27\u202f%, 28%", {"26", "27", "28"}),  # non-breaking and narrow spaces
        ("1,024 GB", {"1024"}),
        ("0.50 and 2.10", {"0.5", "2.1"}),
        ("128k, 128K, 1.5M, 7B", {"128", "1.5", "7"}),
        ("Llama-3-8B on 8×H100", {"8"}),  # a model name is no range, H100 no number
        ("in 2024-5x", {"5"}),  # a descending pair is no range
    ],
)  # fmt: skip
def test_headline_numbers_in_normal_form(text: str, numbers: set[str]) -> None:
    assert headline_numbers(text) == numbers


@pytest.mark.parametrize(
    ("claim", "analysis"),
    [
        ("~5× faster", "roughly five times faster"),
        ("five times faster", "5x faster"),
        ("5x faster", "5× faster"),
        ("5× faster", "5 times faster"),
        ("12x fewer steps", "twelve-fold fewer steps"),
        ("twelve-fold fewer steps", "12x fewer steps"),
        ("12-fold fewer steps", "12x fewer steps"),
        ("3∼6× faster", "3-6x faster"),
        ("3-6x faster", "3∼6× faster"),
        ("3–6× faster", "3 to 6 times faster"),
        ("2.6 % lower", "2.6% lower"),
        ("2.6% lower", "2.6\u202f% lower"),
        ("ten percent lower", "10% lower"),
        ("1,024 GB", "1024 GB"),
        ("1024 GB", "1,024 GB"),
        ("0.50 F1", "0.5 F1"),
        ("0.5 F1", "0.50 F1"),
        ("128k tokens", "128,000 tokens"),
        ("128,000 tokens", "128k tokens"),
        ("128k tokens", "128K tokens"),
        ("128k tokens", "128 thousand tokens"),
        ("1.5M samples", "1,500,000 samples"),
        ("1,500,000 samples", "1.5 million samples"),
        ("2x the throughput", "twice the throughput"),
    ],
)
def test_a_claim_in_another_spelling_is_traceable(claim: str, analysis: str) -> None:
    assert untraceable(claim, analysis) == []


@pytest.mark.parametrize(
    ("claim", "analysis", "missing"),
    [
        ("9.9x faster", "roughly five times faster", ["9.9"]),
        ("six times faster", "roughly five times faster", ["6"]),
        ("3∼6× faster", "6x faster", ["3"]),  # a range's first end is a claim too
        ("2.7% lower", "2.6% lower", ["2.7"]),
        ("129k tokens", "128,000 tokens", ["129"]),
    ],
)
def test_an_invented_number_is_still_untraceable(
    claim: str, analysis: str, missing: list[str]
) -> None:
    assert untraceable(claim, analysis) == missing


def _synthesis(**overrides: Any) -> Synthesis:
    return Synthesis.model_validate(synthesis_json(IDS, **overrides))


def _takeaway(body: str) -> list[dict[str, Any]]:
    takeaways: list[dict[str, Any]] = synthesis_json(IDS)["takeaways"]
    return [{"headline": "Faster decoding", "body": body, "paper_ids": [IDS[0]]}, *takeaways[1:]]


def _papers() -> list[AnalysedPaper]:
    first = paper(IDS[0], "2.1x faster decoding", "roughly five times faster", "3-6x less memory")
    return [first, *(paper(pid) for pid in IDS[1:])]


def test_a_restated_number_keeps_its_takeaway() -> None:
    synthesis = _synthesis(takeaways=_takeaway("Decoding is ~5× faster."))
    papers = _papers()
    assert synthesis_problems(synthesis, papers) == []
    result, notes = enforce_rules(synthesis, papers, _synthesis)
    assert result.takeaways[0].body == "Decoding is ~5× faster."
    assert notes == []


def test_an_invented_number_loses_its_takeaway() -> None:
    synthesis = _synthesis(takeaways=_takeaway("Decoding is 9.9x faster."))
    papers = _papers()
    problems = synthesis_problems(synthesis, papers)
    assert problems == ["takeaway 1: the number 9.9 is in no cited paper's analysis"]
    result, notes = enforce_rules(synthesis, papers, _synthesis)
    assert "9.9" not in result.model_dump_json()
    assert any("'Faster decoding' dropped: untraceable 9.9" in note for note in notes), notes


def test_a_range_in_a_top_paper_bullet_is_traceable() -> None:
    data = synthesis_json(IDS)
    data["top_papers"][0]["bullets"] = ["A method described in the paper.", "3∼6× less memory"]
    synthesis = Synthesis.model_validate(data)
    papers = _papers()
    assert synthesis_problems(synthesis, papers) == []
    result, notes = enforce_rules(synthesis, papers, _synthesis)
    assert "3∼6× less memory" in result.top_papers[0].bullets
    assert notes == []
    # The same range against an analysis that has only its upper end loses the bullet.
    papers[0] = paper(IDS[0], "6x less memory", "2.1x faster decoding")
    assert any(
        "the number 3 is not in its analysis" in p for p in synthesis_problems(synthesis, papers)
    )
    result, notes = enforce_rules(synthesis, papers, _synthesis)
    assert "3∼6× less memory" not in result.top_papers[0].bullets


# The guard on every field of a model's synthesis, end to end -----------------------------------


def _with_untraceable_numbers(body: dict[str, Any]) -> Reply:
    """A synthesis that follows every rule but for three numbers no analysis has: one in an
    open question of a theme, one in another theme's why_it_matters, one in a next step."""
    first = body["messages"][0]["content"]
    ids = analysed_ids(first if isinstance(first, str) else first[0]["text"])
    data = synthesis_json(ids)
    data["themes"][0]["open_questions"] = [
        "Does it hold on other GPUs?",
        "Why does recall fall 47.3% beyond the cache budget?",
    ]
    data["themes"].append(
        {"title": "Cheaper serving", "why_it_matters": "It cuts serving cost by 63%.",
         "paper_ids": ids[:2], "common_approach": ["Batching"],
         "open_questions": ["Which workloads gain least?"]}
    )  # fmt: skip
    data["next_steps"].append("Expect 9.9x gains from the speculative scheduler.")
    return FakeAnthropic.message(json.dumps(data))


def test_an_untraceable_number_in_a_theme_and_a_next_step_loses_just_those_items(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    # The same synthesis after the repair round: what the model would not fix is dropped.
    anthropic_api.enqueue_for("synthesis", _with_untraceable_numbers, _with_untraceable_numbers)
    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert result.exit_code == 0, result.stderr
    out, err = result.stdout, " ".join(result.stderr.split())
    # The repair round was told each number.
    repair = [r.json() for r in server.hits("/v1/messages")][-1]["messages"][-1]["content"]
    for number in ("47.3", "63", "9.9"):
        assert f"the number {number}" in repair
    # Just those items are gone, each named; the rest of the synthesis is the model's own.
    for gone in ("47.3%", "63%", "9.9x", "Cheaper serving"):
        assert gone not in out
    assert "Does it hold on other GPUs?" in out and "Serving efficiency" in out
    for step in ("Profile your KV cache.", "Try speculative decoding.", "Measure p99 latency."):
        assert step in out
    assert (
        "theme 'Serving efficiency': open question 'Why does recall fall 47.3% beyond the cache "
        "budget?' dropped, untraceable 47.3" in err
    )
    assert "theme 'Cheaper serving' dropped: untraceable 63" in err
    assert (
        "next step 'Expect 9.9x gains from the speculative scheduler.' dropped: untraceable 9.9"
        in err
    )
    assert "added" not in err  # nothing was short: nothing refilled


def test_a_short_section_is_refilled_from_the_models_analyses_never_offline_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from briefgen.synthesize.brief import synthesize_day
    from tests.fakes import FakeProvider, model_engine

    papers = [paper(pid, "2.1x faster decoding.") for pid in IDS]
    data = synthesis_json(IDS)
    data["takeaways"][0]["body"] = "An invented 77% gain."
    data["next_steps"][0] = "Aim for a 5.5x speed-up."
    provider = FakeProvider(responder=lambda messages: json.dumps(data))
    result = synthesize_day("2026-02-18", papers, model_engine(provider))
    assert len(result.takeaways) == 4 and len(result.next_steps) == 3
    refill = result.takeaways[-1]
    # The refill is a paper's own analysis (its contribution sentence), on a paper no kept
    # takeaway rests on; never the offline engine's "N papers, led by X".
    assert refill.body in {p.analysis.one_line_contribution for p in papers}
    assert not {pid for t in result.takeaways[:-1] for pid in t.paper_ids} & set(refill.paper_ids)
    assert not any("led by" in t.body for t in result.takeaways)
    assert any("takeaways: added" in n and "from the analyses" in n for n in caplog.messages)
    assert any(n.startswith("synthesis: next steps: added") for n in caplog.messages)

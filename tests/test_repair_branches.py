"""The repair and fallback branches of the model stages: what happens when a reply is cut off,
unreadable, breaks a rule or is refused, for the synthesis and for the translation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from briefgen.core.errors import AnalysisError, UpstreamError
from briefgen.engines.model_engine import ModelEngine
from briefgen.synthesize.brief import synthesize_day
from briefgen.synthesize.enforce import synthesis_problems
from briefgen.translate.translator import BriefTranslator
from tests.fakes import FakeProvider, model_engine, synthesis_json
from tests.test_synthesis import IDS, analysed

PERIOD = "2026-02-18"
VALID = json.dumps(synthesis_json(IDS))


def engine(provider: FakeProvider) -> ModelEngine:
    return model_engine(provider)


# Synthesis -------------------------------------------------------------------------------------


def test_a_synthesis_cut_off_is_asked_again_with_twice_the_budget() -> None:
    """stop_reason max_tokens: the same prompt again, no repair message, double budget."""
    provider = FakeProvider()
    provider.enqueue('{"takeaways": [', stop_reason="max_tokens")
    provider.enqueue(VALID)
    result = engine(provider).synthesize(PERIOD, analysed(), synthesis_problems)
    assert provider.budgets == [8192, 16384]
    assert provider.conversations[1] == provider.conversations[0]
    assert result.model_dump() == json.loads(VALID)


def test_a_synthesis_that_is_not_json_is_shown_its_errors_once() -> None:
    """A reply that fails validation: sent back with the validation summary."""
    provider = FakeProvider()
    provider.enqueue("Here is the synthesis you asked for.")
    provider.enqueue(VALID)
    engine(provider).synthesize(PERIOD, analysed(), synthesis_problems)
    assert len(provider.conversations) == 2
    *_, answer, repair = provider.conversations[1]
    assert answer == {"role": "assistant", "content": "Here is the synthesis you asked for."}
    assert repair["content"].startswith("That synthesis breaks the brief's rules:\n- (root): ")
    assert "Invalid JSON" in repair["content"]
    assert repair["content"].endswith("Reply again with only the corrected JSON object.")


def test_a_synthesis_that_breaks_a_rule_is_sent_back_with_the_problems_listed() -> None:
    """The check finds problems: each is listed in the repair message."""
    provider = FakeProvider()
    bad = synthesis_json(IDS)
    bad["takeaways"][0]["body"] = "It is 9.9x faster."
    bad["next_steps"] = ["Only one step."]
    provider.enqueue(json.dumps(bad))
    provider.enqueue(VALID)
    result = engine(provider).synthesize(PERIOD, analysed(), synthesis_problems)
    repair = provider.conversations[1][-1]["content"]
    assert "\n- takeaway 1: the number 9.9 is in no cited paper's analysis" in repair
    assert "\n- next_steps: 1 items, expected 3–8" in repair
    assert result.model_dump() == json.loads(VALID)  # the corrected reply is the one kept


def test_a_refused_synthesis_raises_without_a_retry() -> None:
    """stop_reason refusal: AnalysisError at once, no second request."""
    provider = FakeProvider()
    provider.enqueue("", stop_reason="refusal")
    with pytest.raises(AnalysisError, match=r"declined to write the synthesis \(refusal\)"):
        engine(provider).synthesize(PERIOD, analysed(), synthesis_problems)
    assert len(provider.conversations) == 1


def test_a_synthesis_cut_off_twice_raises() -> None:
    """Two cut-off replies leave nothing parsed: AnalysisError naming the larger budget."""
    provider = FakeProvider()
    provider.enqueue("{", stop_reason="max_tokens")
    provider.enqueue("{", stop_reason="max_tokens")
    with pytest.raises(AnalysisError, match="cut off at the 16384-token limit"):
        engine(provider).synthesize(PERIOD, analysed(), synthesis_problems)


def test_two_bad_synthesis_replies_fall_back_to_the_analyses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """synthesize_day: the engine's AnalysisError becomes a warning, and the brief is built
    from `fallback_synthesis`, still following every rule."""
    provider = FakeProvider()
    provider.enqueue("not json")
    provider.enqueue("still not json")
    papers = analysed()
    result = synthesize_day(PERIOD, papers, engine(provider))
    assert len(provider.conversations) == 2
    assert len(caplog.messages) == 1
    failed = "synthesis failed (the synthesis reply failed validation twice"
    assert caplog.messages[0].startswith(failed)
    assert caplog.messages[0].endswith("); the brief is assembled from the analyses instead")
    assert synthesis_problems(result, papers) == []
    assert {t.paper_id for t in result.top_papers} <= set(IDS)


# Translation -----------------------------------------------------------------------------------

TEXTS = {"a": "Decoding is 2.1x faster.", "b": "A plain sentence."}


def chinese(english: str) -> str:
    return f"中文：{english}"


def reply(**translations: str) -> str:
    return json.dumps({"translations": translations}, ensure_ascii=False)


def translator(provider: FakeProvider) -> BriefTranslator:
    return BriefTranslator(engine(provider).asker("translation"), concurrency=1)


def asked(provider: FakeProvider) -> list[list[str]]:
    """The keys each translation request carried, in order."""
    prompts = [conversation[0]["content"] for conversation in provider.conversations]
    return [sorted(json.loads(p.split("<texts>")[1].split("</texts>")[0])) for p in prompts]


def test_a_failed_translation_call_keeps_every_text_in_english(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider raises UpstreamError (twice: first try and retry): a warning per key."""

    def unreachable(messages: list[Any]) -> str:
        raise UpstreamError("the model API stayed unreachable")

    provider = FakeProvider(responder=unreachable)
    assert translator(provider).translate(TEXTS) == {}
    assert asked(provider) == [["a", "b"], ["a", "b"]]
    assert caplog.messages == [
        f"translation of {key} kept in English: the call failed (the model API stayed unreachable)"
        for key in ("a", "b")
    ]


def test_a_refused_translation_keeps_the_english(caplog: pytest.LogCaptureFixture) -> None:
    """stop_reason refusal, on the first try and the retry."""
    provider = FakeProvider()
    provider.enqueue("", stop_reason="refusal")
    provider.enqueue("", stop_reason="refusal")
    assert translator(provider).translate(TEXTS) == {}
    assert caplog.messages == [
        f"translation of {key} kept in English: the model declined (refusal)" for key in "ab"
    ]


def test_an_unreadable_translation_is_asked_again_for_the_problem_keys_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reply broken after "a": "a" is kept, only "b" is asked again; still unreadable, "b"
    stays English."""
    provider = FakeProvider()
    provider.enqueue(reply(a=chinese(TEXTS["a"]))[:-2] + ', "b": "中文')
    provider.enqueue("not json at all")
    assert translator(provider).translate(TEXTS) == {"a": chinese(TEXTS["a"])}
    assert asked(provider) == [["a", "b"], ["b"]]
    assert caplog.messages == ["translation of b kept in English: missing"]


def test_a_changed_number_is_asked_again_and_a_right_answer_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A translation that changes 2.1 to 2.2 is asked once more on its own; the second is
    right, so both texts come back in Chinese and nothing is logged."""
    provider = FakeProvider()
    provider.enqueue(reply(a="中文：快 2.2 倍。", b=chinese(TEXTS["b"])))
    provider.enqueue(reply(a=chinese(TEXTS["a"])))
    result = translator(provider).translate(TEXTS)
    assert result == {key: chinese(text) for key, text in TEXTS.items()}
    assert asked(provider) == [["a", "b"], ["a"]]
    assert caplog.messages == []


def test_a_number_changed_twice_keeps_the_english(caplog: pytest.LogCaptureFixture) -> None:
    """The retry changes the number again: that text stays English, the others are kept."""
    provider = FakeProvider()
    provider.enqueue(reply(a="中文：快 2.2 倍。", b=chinese(TEXTS["b"])))
    provider.enqueue(reply(a="中文：快两倍。"))
    assert translator(provider).translate(TEXTS) == {"b": chinese(TEXTS["b"])}
    assert asked(provider) == [["a", "b"], ["a"]]
    assert caplog.messages == ["translation of a kept in English: numbers changed or lost: 2.1"]

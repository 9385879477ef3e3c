"""The one model-call loop (briefgen.engines.validated_call): ask, validate, repair once, a typed
failure."""

from __future__ import annotations

import json

import pytest

from briefgen.core.calls import ChatMessage, Reply, Usage
from briefgen.core.errors import AnalysisError
from briefgen.engines.validated_call import Wording, ask_validated, cut_off

WORDING = Wording(
    declined="the model declined to count (refusal)",
    failed="the count failed twice",
    invalid="That reply is not a count",
)
PROMPT: list[ChatMessage] = [{"role": "user", "content": "Count to three as JSON."}]


class Script:
    """A `call` that answers from a list and remembers each request (messages, budget)."""

    def __init__(self, *replies: tuple[str, str]) -> None:
        self.replies = [Reply(text, Usage(), stop, "m") for text, stop in replies]
        self.sent: list[tuple[list[ChatMessage], int]] = []

    def __call__(self, messages: list[ChatMessage], budget: int) -> Reply:
        self.sent.append((list(messages), budget))
        return self.replies.pop(0)


def parse_count(text: str) -> tuple[int | None, list[str]]:
    """A count: an int, usable; 3 is the only one without a problem."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return None, [f"not JSON ({exc.__class__.__name__})"]
    if not isinstance(value, int):
        return None, ["not an integer"]
    return value, [] if value == 3 else [f"{value} is not three"]


def ask(script: Script, wording: Wording = WORDING, first: Reply | None = None) -> int:
    return ask_validated(
        script, PROMPT, parse_count, budget=100, ceiling=150, wording=wording, first_reply=first
    )


def test_a_valid_first_reply_is_returned_after_one_call() -> None:
    script = Script(("3", "end_turn"))
    assert ask(script) == 3
    assert script.sent == [(PROMPT, 100)]


def test_a_refusal_is_a_typed_failure_and_not_retried() -> None:
    script = Script(("", "refusal"), ("3", "end_turn"))
    with pytest.raises(AnalysisError, match=r"^the model declined to count \(refusal\)$"):
        ask(script)
    assert len(script.sent) == 1


def test_a_cut_off_reply_is_asked_again_alone_with_twice_the_budget() -> None:
    script = Script(('{"cou', "max_tokens"), ("3", "end_turn"))
    assert ask_validated(
        script, PROMPT, parse_count, budget=100, ceiling=1000, wording=WORDING
    ) == 3  # fmt: skip
    assert script.sent == [(PROMPT, 100), (PROMPT, 200)]


def test_the_doubled_budget_stops_at_the_ceiling_and_a_second_cut_fails() -> None:
    script = Script(("{", "max_tokens"), ("{", "max_tokens"))
    with pytest.raises(AnalysisError) as caught:
        ask(script)
    assert [budget for _, budget in script.sent] == [100, 150]
    assert str(caught.value) == f"the count failed twice: {cut_off(150)}"
    assert cut_off(150) == "the reply was cut off at the 150-token limit"


def test_an_invalid_reply_is_sent_back_once_with_its_problems() -> None:
    script = Script(('"three"', "end_turn"), ("3", "end_turn"))
    assert ask(script) == 3
    repair, budget = script.sent[1]
    assert budget == 100
    assert repair == [
        *PROMPT,
        {"role": "assistant", "content": '"three"'},
        {
            "role": "user",
            "content": "That reply is not a count: not an integer. "
            "Reply again with only the corrected JSON object.",
        },
    ]


def test_listed_problems_are_one_per_line_and_an_empty_reply_is_named() -> None:
    listed = Wording(declined="d", failed="f", invalid="That count breaks the rules", listed=True)
    script = Script(("", "end_turn"), ("3", "end_turn"))
    assert ask(script, listed) == 3
    _, assistant, user = script.sent[1][0]
    assert assistant["content"] == "(empty reply)"
    assert user["content"] == (
        "That count breaks the rules:\n- not JSON (JSONDecodeError)\n"
        "Reply again with only the corrected JSON object."
    )


def test_invalid_twice_is_a_typed_failure_naming_the_last_problem() -> None:
    script = Script(('"three"', "end_turn"), ("{", "end_turn"))
    with pytest.raises(AnalysisError, match=r"^the count failed twice: not JSON"):
        ask(script)
    assert len(script.sent) == 2
    assert len(script.sent[1][0]) == 3  # the repair, not the prompt again


def test_a_usable_value_the_repair_did_not_fix_is_kept() -> None:
    assert ask(Script(("2", "end_turn"), ("4", "end_turn"))) == 4  # the latest usable value
    assert ask(Script(("2", "end_turn"), ("{", "end_turn"))) == 2  # the repair was unreadable
    assert ask(Script(("2", "end_turn"), ("", "max_tokens"))) == 2  # the repair was cut off
    with pytest.raises(AnalysisError, match="declined"):  # a refusal still fails
        ask(Script(("2", "end_turn"), ("", "refusal")))


def test_a_first_reply_from_elsewhere_stands_for_the_first_call() -> None:
    script = Script(("3", "end_turn"))
    assert ask(script, first=Reply("3", Usage(), "end_turn", "m")) == 3
    assert script.sent == []
    assert ask(script, first=Reply('"x"', Usage(), "end_turn", "m")) == 3
    assert [len(messages) for messages, _ in script.sent] == [3]  # repaired like any other
    cut = Script(("3", "end_turn"))
    assert ask(cut, first=Reply("{", Usage(), "max_tokens", "m")) == 3
    assert cut.sent == [(PROMPT, 150)]


def test_a_parse_that_names_no_problem_still_fails_clearly() -> None:
    def unreadable(_: str) -> tuple[int | None, list[str]]:
        return None, []

    script = Script(("?", "end_turn"), ("?", "end_turn"))
    with pytest.raises(AnalysisError, match=r"^the count failed twice: no usable reply$"):
        ask_validated(script, PROMPT, unreadable, budget=100, ceiling=150, wording=WORDING)

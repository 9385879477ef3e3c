"""One model-call loop: ask, validate, repair once, or fail with a typed error.

Every structured call to a model goes the same way (docs/concepts/engines.md, "Validation
and repair"): the reply is read against what was asked for; a reply cut off at the token limit
is asked again with twice the budget; one that does not validate is sent back once with its
problems listed; a refusal is not retried.
What still fails after the second reply is an `AnalysisError`, never a silent fallback.

`ask_validated` is that loop. The caller supplies how to send a request (`call`), how to read
a reply (`parse`) and the texts of its messages (`Wording`), which users and tests read and
so must not drift. Translation shares only the texts and stop reasons here: its replies are
many independent texts, so it keeps the complete part of a cut reply and re-asks the rest
per key instead (see briefgen.translate.translator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from briefgen.core.calls import ChatMessage, Reply
from briefgen.core.errors import AnalysisError

T = TypeVar("T")

REFUSAL = "refusal"  # the stop reason of a reply the model declined to write
MAX_TOKENS = "max_tokens"  # the stop reason of a reply cut off at its token budget
REPLY_AGAIN = "Reply again with only the corrected JSON object."
MAX_PROBLEMS_SHOWN = 16  # a repair message lists at most this many problems
ATTEMPTS = 2  # the first reply and one repair

# Sends `messages` with an output budget of that many tokens; returns the model's reply.
Call = Callable[[list[ChatMessage], int], Reply]
# Reads a reply's text: (the value, or None when there is none, and what is wrong with it).
# A value with problems is usable but flawed: it is repaired once, then kept as it is.
Parse = Callable[[str], tuple[T | None, list[str]]]


def cut_off(budget: int) -> str:
    """The problem of a reply that stopped at `budget` output tokens."""
    return f"the reply was cut off at the {budget}-token limit"


@dataclass(frozen=True)
class Wording:
    """The texts of one loop's messages.

    `declined` is the whole AnalysisError message for a refusal; `failed` opens the one raised
    after the second failure (": <first problem>" follows); `invalid` opens the repair message,
    which lists the problems inline (`"{invalid}: a; b. Reply again …"`) or, when `listed`,
    one per line (`"{invalid}:\\n- a\\n- b\\nReply again …"`).
    """

    declined: str
    failed: str
    invalid: str
    listed: bool = False

    def repair(self, problems: list[str]) -> str:
        """The user's message that sends a reply back with its problems."""
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if self.listed:
            return f"{self.invalid}:\n- " + "\n- ".join(shown) + f"\n{REPLY_AGAIN}"
        return f"{self.invalid}: {'; '.join(shown)}. {REPLY_AGAIN}"


def ask_validated(
    call: Call,
    messages: list[ChatMessage],
    parse: Parse[T],
    *,
    budget: int,
    ceiling: int,
    wording: Wording,
    first_reply: Reply | None = None,
) -> T:
    """The value of a reply that validates, asking at most twice.

    - a refusal raises `AnalysisError(wording.declined)` at once;
    - a reply cut off at `budget` tokens: `messages` (the prompt) are sent again alone, with
      twice the budget (at most `ceiling`);
    - a reply whose `parse` finds problems: the conversation [*messages, that reply, a repair
      message listing the problems] is sent;
    - after the second reply, the last usable value found (one with problems the repair did
      not fix) is returned, or, if there is none, `AnalysisError(f"{wording.failed}: …")`
      names the last problem.

    `first_reply` stands for the first call when its reply was obtained elsewhere (a Message
    Batch); it is validated and repaired like any other, with `budget` as its budget.
    """
    prompt, pending = messages, first_reply
    best: T | None = None
    problems: list[str] = []
    for _ in range(ATTEMPTS):
        reply = pending or call(messages, budget)  # a Reply is never falsy
        pending = None
        if reply.stop_reason == REFUSAL:
            raise AnalysisError(wording.declined)
        if reply.stop_reason == MAX_TOKENS:
            problems = [cut_off(budget)]
            messages, budget = prompt, min(budget * 2, ceiling)
            continue
        value, problems = parse(reply.text)
        if value is not None:
            if not problems:
                return value
            best = value
        messages = sent_back(prompt, reply.text, wording.repair(problems))
    if best is None:
        raise AnalysisError(f"{wording.failed}: {next(iter(problems), 'no usable reply')}")
    return best


def sent_back(prompt: list[ChatMessage], reply_text: str, repair: str) -> list[ChatMessage]:
    """The repair conversation: the prompt, the reply as the model wrote it, the repair."""
    return [
        *prompt,
        {"role": "assistant", "content": reply_text or "(empty reply)"},
        {"role": "user", "content": repair},
    ]

"""One narrow way for a stage to ask a model (triage, translation): a recorded, structured
call with the model the settings give that purpose; the stage validates the reply itself."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from briefgen.core.calls import ChatMessage, Reply
from briefgen.core.settings import Price
from briefgen.engines.recorded_calls import PricedModel, RecordedCaller, Request

AskPurpose = Literal["triage", "translation"]


class Asker(Protocol):
    """What triage and translation need of an engine."""

    @property
    def model(self) -> str: ...

    @property
    def price(self) -> Price | None: ...

    def ask(
        self, system: str, messages: list[ChatMessage], schema: dict[str, Any], *, max_tokens: int
    ) -> Reply:
        """Its system prompt is marked for the cache only when it is long enough to be
        cached."""
        ...


class ModelAsker:
    def __init__(self, caller: RecordedCaller, purpose: AskPurpose, model: PricedModel) -> None:
        self.caller = caller
        self.purpose = purpose
        self.priced = model

    @property
    def model(self) -> str:
        return self.priced.name

    @property
    def price(self) -> Price | None:
        return self.priced.price

    def ask(
        self, system: str, messages: list[ChatMessage], schema: dict[str, Any], *, max_tokens: int
    ) -> Reply:
        cache = self.caller.worth_caching(self.model, system)
        request = Request(system, messages, schema, max_tokens, cache=cache)
        return self.caller.send(self.purpose, self.purpose, self.priced, request)

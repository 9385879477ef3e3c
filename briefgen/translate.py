"""English brief -> Simplified Chinese, field by field.

Only the brief's prose is sent (takeaways, the table's domain and contribution, themes,
synthesis, top-5 bullets, next steps), as a JSON object of stable keys; the reply must give
back every key, with the same numbers. The Chinese brief is the English structure with those
texts swapped in, so its structure cannot differ; ids, links and titles are never sent. A text
whose translation is missing or loses a number keeps its English, and that is logged.
Translations are cached by a hash of exactly what was sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from briefgen.errors import AnalysisError, UpstreamError
from briefgen.llm.provider import ChatMessage, Reply
from briefgen.localize import brief_texts
from briefgen.models import Brief
from briefgen.prompts import fill, load_template, template_version
from briefgen.store import Store

PROMPT = "translate_zh"
CHUNK = 120  # texts per call: a long brief is translated in a few calls
NUMBER = re.compile(r"\d+(?:\.\d+)?")


class Translator(Protocol):
    """What translation needs of an engine (ModelEngine has it)."""

    model: str

    def ask(
        self, purpose: str, system: str, messages: list[ChatMessage], schema: dict[str, Any]
    ) -> Reply: ...


class _Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    translations: dict[str, str]


def text_problems(source: dict[str, str], result: dict[str, str]) -> dict[str, str]:
    """key -> what is wrong with its translation."""
    problems: dict[str, str] = {}
    for key, english in source.items():
        chinese = result.get(key)
        if not chinese or not chinese.strip():
            problems[key] = "missing"
            continue
        lost = Counter(NUMBER.findall(english)) - Counter(NUMBER.findall(chinese))
        if lost:
            problems[key] = f"numbers changed or lost: {', '.join(sorted(lost))}"
    return problems


def _schema(keys: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "translations": {
                "type": "object",
                "properties": {key: {"type": "string"} for key in keys},
                "required": keys,
                "additionalProperties": False,
            }
        },
        "required": ["translations"],
        "additionalProperties": False,
    }


def _noop(_: str) -> None:
    return None


class BriefTranslator:
    def __init__(
        self,
        engine: Translator,
        *,
        store: Store | None = None,
        use_cache: bool = True,
        prompts_dir: Any = None,
        warn: Callable[[str], None] = _noop,
    ) -> None:
        self.engine = engine
        self.store = store
        self.use_cache = use_cache
        self.warn = warn
        self.system = load_template(f"{PROMPT}.system", prompts_dir)
        self.template = load_template(PROMPT, prompts_dir)
        self.version = template_version(self.system + self.template)

    def translate(self, texts: dict[str, str]) -> dict[str, str]:
        keys = list(texts)
        result: dict[str, str] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = {key: texts[key] for key in keys[start : start + CHUNK]}
            result.update(self._chunk(chunk))
        return result

    def _chunk(self, texts: dict[str, str]) -> dict[str, str]:
        payload = json.dumps(texts, ensure_ascii=False, sort_keys=True)
        key = hashlib.sha256(f"{self.version}|{self.engine.model}|{payload}".encode()).hexdigest()
        if self.store is not None and self.use_cache:
            cached = self.store.get_cached("translation_zh", key)
            if cached is not None:
                return dict(json.loads(cached))
        prompt = fill(self.template, texts=payload.replace("</texts>", "</ texts>"))
        messages: list[ChatMessage] = [{"role": "user", "content": prompt}]
        translated: dict[str, str] = {}
        problems: dict[str, str] = dict.fromkeys(texts, "no reply")
        for attempt in (1, 2):
            try:
                reply = self.engine.ask("translation", self.system, messages, _schema(list(texts)))
            except (AnalysisError, UpstreamError) as exc:
                self.warn(f"translation failed ({exc}); those texts stay in English")
                break
            try:
                translated = _Reply.model_validate_json(reply.text).translations
                problems = text_problems(texts, translated)
            except (ValidationError, ValueError) as exc:
                problems = dict.fromkeys(texts, f"unreadable reply: {exc}")
            if not problems or attempt == 2:
                break
            listed = "; ".join(f"{k}: {why}" for k, why in list(problems.items())[:20])
            messages = [
                *messages,
                {"role": "assistant", "content": reply.text or "(empty reply)"},
                {"role": "user", "content": f"Fix these translations: {listed}. Reply again "
                 "with the whole JSON object."},
            ]  # fmt: skip
        good = {k: v for k, v in translated.items() if k in texts and k not in problems}
        for k, why in problems.items():
            self.warn(f"translation of {k} kept in English: {why}")
        if self.store is not None and len(good) == len(texts):
            self.store.put_cached("translation_zh", key, json.dumps(good, ensure_ascii=False))
        return good


def translate_brief(brief: Brief, translator: BriefTranslator) -> Brief:
    """The brief carrying its Chinese texts (in `translations["zh"]`)."""
    texts = translator.translate(brief_texts(brief))
    return brief.model_copy(update={"translations": {**brief.translations, "zh": texts}})

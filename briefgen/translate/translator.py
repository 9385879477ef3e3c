"""English brief -> Simplified Chinese, field by field, at real reply sizes.

Only the brief's prose is sent (takeaways, the table's domain and contribution, themes,
synthesis, top-5 bullets, next steps), as a JSON object of stable keys; the reply must give
back every key, with the same numbers. The Chinese brief is the English structure with those
texts swapped in, so its structure cannot differ; ids, links and titles are never sent. A text
whose translation is missing or loses a number keeps its English, and that is logged.

A real translation is long: Chinese costs about one output token per character, so a 10-paper
brief comes back as 5,000-7,500 tokens. The texts are therefore sent in chunks sized by the
output they will produce (not by how many there are), all chunks at once, each with a budget
well above its expected reply. A reply cut off at `max_tokens` keeps every complete text it
holds; the rest is split in two and asked again. Each text's translation is cached on its own
(by a hash of the prompt version, the model and the English), so a rerun sends only what is
missing.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import jiter
from pydantic import BaseModel, ConfigDict, ValidationError

from briefgen.core.calls import ChatMessage
from briefgen.core.errors import AnalysisError, UpstreamError
from briefgen.core.models import Brief
from briefgen.engines.asker import Asker
from briefgen.engines.validated_call import MAX_TOKENS, REFUSAL, cut_off
from briefgen.infra.net import WorkerPool
from briefgen.infra.prompts import fill, load_template, template_version
from briefgen.infra.store import Store, input_key
from briefgen.translate.localize import brief_texts

PROMPT = "translate_zh"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Chinese output tokens per character of English, rounded up from real translations of
# briefs (10,600 characters came back as 5,000-7,500 tokens), plus what a key costs.
TOKENS_PER_CHARACTER = 0.75
TOKENS_PER_KEY = 12
MAX_SPLITS = 4  # a chunk cut off again and again is halved at most this many times


def expected_output_tokens(texts: dict[str, str]) -> int:
    """About how many tokens the Chinese reply for `texts` will take."""
    return sum(TOKENS_PER_KEY + round(len(text) * TOKENS_PER_CHARACTER) for text in texts.values())


def chunk_texts(texts: dict[str, str], target_tokens: int) -> list[dict[str, str]]:
    """Consecutive groups of texts whose replies should each take about `target_tokens`
    (a single longer text is a chunk of its own)."""
    chunks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    size = 0
    for key, text in texts.items():
        cost = expected_output_tokens({key: text})
        if current and size + cost > target_tokens:
            chunks.append(current)
            current, size = {}, 0
        current[key] = text
        size += cost
    if current:
        chunks.append(current)
    return chunks


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


def complete_texts(reply_text: str) -> dict[str, str]:
    """Every translation that is whole in a reply, also in one cut off mid-way (a partial
    JSON parse drops only the text that was being written)."""
    try:
        data = jiter.from_json(reply_text.encode(), partial_mode="on")
    except ValueError:
        return {}
    values = data.get("translations") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        return {}
    return {k: v for k, v in values.items() if isinstance(k, str) and isinstance(v, str)}


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


logger = logging.getLogger(__name__)


class BriefTranslator:
    def __init__(
        self,
        asker: Asker,
        *,
        store: Store | None = None,
        use_cache: bool = True,
        prompts_dir: Any = None,
        max_tokens: int = 8192,
        chunk_tokens: int = 1500,
        concurrency: int = 8,
    ) -> None:
        self.asker = asker
        self.store = store
        self.use_cache = use_cache
        self.model = asker.model
        self.max_tokens = max_tokens
        # Chunks are sized to stay well inside the budget; one that is not (a wordier model,
        # a chunk size set above the budget) is cut off, and its rest split and asked again.
        self.chunk_tokens = max(100, chunk_tokens)
        self.concurrency = max(1, concurrency)
        self.system = load_template(f"{PROMPT}.system", prompts_dir)
        self.template = load_template(PROMPT, prompts_dir)
        self.version = template_version(self.system + self.template)

    # the cache (SQLite stays on the calling thread) -------------------------------------------

    def _key(self, english: str) -> str:
        return input_key(self.version, self.model, english)

    def cached(self, texts: dict[str, str]) -> dict[str, str]:
        if self.store is None or not self.use_cache:
            return {}
        found: dict[str, str] = {}
        for key, english in texts.items():
            chinese = self.store.get_cached("translation_zh_text", self._key(english))
            if chinese is not None:
                found[key] = chinese
        return found

    def remember(self, texts: dict[str, str], translated: dict[str, str]) -> None:
        if self.store is None:
            return
        for key, chinese in translated.items():
            self.store.put_cached("translation_zh_text", self._key(texts[key]), chinese)

    # translation ---------------------------------------------------------------------------

    def translate(self, texts: dict[str, str]) -> dict[str, str]:
        """key -> Chinese for every text that translated cleanly; the others are logged."""
        result = self.cached(texts)
        todo = {k: v for k, v in texts.items() if k not in result}
        fresh = self.fetch(todo)
        self.remember(todo, fresh)
        result.update(fresh)
        return {k: result[k] for k in texts if k in result}

    def start(self, texts: dict[str, str]) -> Callable[[], dict[str, str]]:
        """Begin translating `texts` in the background (while another stage runs); the
        function returned waits for them and caches them, on the calling thread."""
        found = self.cached(texts)
        todo = {k: v for k, v in texts.items() if k not in found}
        box: dict[str, dict[str, str]] = {}
        worker = threading.Thread(target=lambda: box.update(done=self.fetch(todo)), daemon=True)
        worker.start()

        def finish() -> dict[str, str]:
            worker.join()
            fresh = box.get("done", {})
            self.remember(todo, fresh)
            return {**found, **fresh}

        return finish

    def fetch(self, texts: dict[str, str]) -> dict[str, str]:
        """Translate with the model only (no store): thread-safe, so it can run beside
        another stage. Chunks are sent concurrently."""
        if not texts:
            return {}
        chunks = chunk_texts(texts, self.chunk_tokens)
        # A WorkerPool, not a ThreadPoolExecutor: on Ctrl-C its threads do not keep the
        # process waiting for calls in flight.
        with WorkerPool(min(self.concurrency, len(chunks)), name="briefgen-translate") as pool:
            futures = [pool.submit(self._translate_chunk, chunk) for chunk in chunks]
            parts = [future.result() for future in futures]
        translated: dict[str, str] = {}
        for part in parts:
            translated.update(part)
        return translated

    def _translate_chunk(self, texts: dict[str, str]) -> dict[str, str]:
        # The shape of briefgen.engines.validated_call.ask_validated (ask, read, one more try,
        # then a reported failure), but not that loop: a reply here holds many independent
        # texts, so each key succeeds or fails on its own. What translated is kept; the retry is
        # a fresh, smaller request for the failing keys only (not the reply sent back with its
        # problems); a cut-off reply keeps its complete texts and splits the rest (`_ask`),
        # not a doubled budget; and a failure, a refusal included, leaves those texts in
        # English with a warning instead of raising. The stop reasons and texts are shared.
        good, problems = self._ask(texts, splits=0)
        if problems:  # one more try for what came back wrong, on its own
            retry = {k: texts[k] for k in problems}
            again, problems = self._ask(retry, splits=0)
            good.update(again)
        for key, why in problems.items():
            logger.warning(f"translation of {key} kept in English: {why}")
        return good

    def _ask(self, texts: dict[str, str], splits: int) -> tuple[dict[str, str], dict[str, str]]:
        """(good translations, key -> problem) for one request, splitting what a cut-off reply
        left out."""
        payload = json.dumps(texts, ensure_ascii=False, sort_keys=True)
        prompt = fill(self.template, texts=payload.replace("</texts>", "</ texts>"))
        messages: list[ChatMessage] = [{"role": "user", "content": prompt}]
        try:
            reply = self.asker.ask(self.system, messages, _schema(list(texts)),
                                   max_tokens=self.max_tokens)  # fmt: skip
        except (AnalysisError, UpstreamError) as exc:
            return {}, dict.fromkeys(texts, f"the call failed ({exc})")
        if reply.stop_reason == REFUSAL:
            return {}, dict.fromkeys(texts, "the model declined (refusal)")
        if reply.stop_reason == MAX_TOKENS:
            return self._split_cut(texts, reply.text, splits)
        try:
            translated = _Reply.model_validate_json(reply.text).translations
        except (ValidationError, ValueError):
            translated = complete_texts(reply.text)  # keep what can be read
        return sort_out(texts, translated)

    def _split_cut(
        self, texts: dict[str, str], reply_text: str, splits: int
    ) -> tuple[dict[str, str], dict[str, str]]:
        """A reply cut off at `max_tokens`: its complete texts are kept (a partial parse drops
        the text that was being written) and the rest is asked again in two halves."""
        good, _ = sort_out(texts, complete_texts(reply_text))
        rest = {k: v for k, v in texts.items() if k not in good}
        if not rest:
            return good, {}
        if splits >= MAX_SPLITS or len(texts) == 1:
            return good, dict.fromkeys(rest, cut_off(self.max_tokens))
        problems: dict[str, str] = {}
        for half in _halves(rest):
            more, trouble = self._ask(half, splits + 1)
            good.update(more)
            problems.update(trouble)
        return good, problems


def sort_out(
    texts: dict[str, str], translated: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(good translations, key -> problem) of `texts`, given what a reply translated."""
    translated = {k: v for k, v in translated.items() if k in texts}
    trouble = text_problems(texts, translated)
    return {k: v for k, v in translated.items() if k not in trouble}, trouble


def _halves(texts: dict[str, str]) -> Iterable[dict[str, str]]:
    keys = list(texts)
    middle = max(1, len(keys) // 2)
    for part in (keys[:middle], keys[middle:]):
        if part:
            yield {k: texts[k] for k in part}


def translate_brief(
    brief: Brief, translator: BriefTranslator, ahead: dict[str, str] | None = None
) -> Brief:
    """The brief carrying its Chinese texts (in `translations["zh"]`); `ahead` holds texts
    already translated (the glance table's, translated while the synthesis was written)."""
    ahead = ahead or {}
    english = brief_texts(brief)
    texts = {**ahead, **translator.translate({k: v for k, v in english.items() if k not in ahead})}
    ordered = {k: texts[k] for k in english if k in texts}
    return brief.model_copy(update={"translations": {**brief.translations, "zh": ordered}})

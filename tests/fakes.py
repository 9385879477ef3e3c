"""Local stand-ins for arXiv and Hugging Face: a real HTTP server on 127.0.0.1 that records
every request, and builders for responses in the services' real shapes."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from briefgen.core.settings import Price
    from briefgen.engines.limits import CallLimits
    from briefgen.engines.model_engine import ModelEngine


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)  # when the server received it

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


class FakeServer:
    """Routes by path prefix; `fail_next(path, *statuses)` makes the next requests fail."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.failures: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer("GET", b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer("POST", self.rfile.read(length))

            def _answer(self, method: str, body: bytes) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = Request(method, parts.path, query, headers, body)
                reply = server.handle(request)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, prefix: str, handler: Handler) -> None:
        self.routes[prefix] = handler

    def fail_next(self, prefix: str, *statuses: int) -> None:
        self.failures.setdefault(prefix, []).extend(statuses)

    def handle(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for prefix in sorted(self.routes, key=len, reverse=True):
                if request.path.startswith(prefix):
                    pending = self.failures.get(prefix)
                    if pending:
                        return Reply(status=pending.pop(0), body=b"try later")
                    handler = self.routes[prefix]
                    break
            else:
                return Reply(status=404, body=b"not found", content_type="text/plain")
        return handler(request)

    def paths(self, prefix: str = "") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]

    def hits(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]


# The arXiv API ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One paper as the arXiv API describes it."""

    id: str  # with version, e.g. 2602.10001v1
    title: str
    published: datetime
    primary: str
    categories: list[str]
    authors: list[str]
    summary: str = "We study a problem and report results."
    updated: datetime | None = None
    comment: str | None = None  # arXiv's <arxiv:comment>, absent when None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_entry(entry: Entry, order: str = "new") -> str:
    """An <entry> in the API's current element order, or its older one ("old")."""
    parts = {
        "id": f"<id>http://arxiv.org/abs/{entry.id}</id>",
        "title": f"<title>{escape(entry.title)}</title>",
        "updated": f"<updated>{_stamp(entry.updated or entry.published)}</updated>",
        "published": f"<published>{_stamp(entry.published)}</published>",
        "summary": f"<summary>{escape(entry.summary)}</summary>",
        "authors": "".join(f"<author><name>{escape(a)}</name></author>" for a in entry.authors),
        "links": (
            f'<link href="https://arxiv.org/abs/{entry.id}" rel="alternate" type="text/html"/>'
            f'<link title="pdf" href="https://arxiv.org/pdf/{entry.id}" rel="related" '
            'type="application/pdf"/>'
        ),
        "primary": f'<arxiv:primary_category term="{entry.primary}" '
        'scheme="http://arxiv.org/schemas/atom"/>',
        "categories": "".join(
            f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
            for c in entry.categories
        ),
    }
    if entry.comment is not None:
        parts["categories"] += f"<arxiv:comment>{escape(entry.comment)}</arxiv:comment>"
    if order == "old":
        keys = ["id", "updated", "published", "title", "summary", "authors", "links", "primary",
                "categories"]  # fmt: skip
    else:
        keys = ["id", "title", "updated", "links", "summary", "categories", "published",
                "primary", "authors"]  # fmt: skip
    return "<entry>" + "".join(parts[k] for k in keys) + "</entry>"


def atom_feed(entries: list[Entry], total: int, start: int = 0, order: str = "new") -> str:
    body = "\n".join(atom_entry(e, order) for e in entries)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/api/fake</id><title>arXiv Query</title>"
        "<updated>2026-02-18T00:00:00Z</updated>"
        f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>\n{body}\n</feed>"
    )


WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")
CATEGORY = re.compile(r"cat:([\w.\-]+)")


class FakeArxivApi:
    """Answers `search_query` the way arXiv does for the parts briefgen uses: categories,
    the submittedDate window (GMT, inclusive), id_list, paging and ascending order."""

    def __init__(
        self, entries: list[Entry], order: str = "new", fixed_total: int | None = None
    ) -> None:
        self.entries = entries
        self.order = order
        # A misbehaving mirror, proxy or stale cache: every request, whatever its start, is
        # answered with the same first page and this stated total (observed: 214,881).
        self.fixed_total = fixed_total

    def __call__(self, request: Request) -> Reply:
        start = int(request.query.get("start", "0"))
        size = int(request.query.get("max_results", "10"))
        chosen = self.matching(request.query)
        if self.fixed_total is not None:
            return Reply(body=atom_feed(chosen[:size], self.fixed_total, 0, self.order))
        page = chosen[start : start + size]
        return Reply(body=atom_feed(page, len(chosen), start, self.order))

    def matching(self, query: dict[str, str]) -> list[Entry]:
        ids = [i for i in query.get("id_list", "").split(",") if i]
        if ids:
            return [e for e in self.entries if e.id in ids or e.id.split("v")[0] in ids]
        search = query.get("search_query", "")
        window = WINDOW.search(search)
        categories = set(CATEGORY.findall(search))
        chosen = []
        for entry in self.entries:
            if categories and not categories & set(entry.categories):
                continue
            if window:
                stamp = entry.published.astimezone(UTC).strftime("%Y%m%d%H%M")
                if not window.group(1) <= stamp <= window.group(2):
                    continue
            chosen.append(entry)
        return sorted(chosen, key=lambda e: e.published)


def static(body: bytes | str, status: int = 200, content_type: str = "") -> Handler:
    reply = Reply(status=status, body=body)
    if content_type:
        reply.content_type = content_type
    return lambda request: reply


# Language-model APIs ---------------------------------------------------------------------------


def analysis_json(title: str, **overrides: Any) -> dict[str, Any]:
    """A valid analysis, as a model would write it, for the paper titled `title`."""
    analysis: dict[str, Any] = {
        "domain": "LLM systems",
        "one_line_contribution": f"The model's reading of {title}.",
        "problem": "not stated",
        "method": "A method described in the paper.",
        "usage_guide": {"inputs": "text", "how_to_use": "not stated", "hardware": "one GPU",
                        "open_source": "not stated"},
        "innovations": ["An innovation the paper claims."],
        "experiments": {"datasets": ["a benchmark"], "key_results": ["2.1x faster decoding"],
                        "baselines": ["a baseline"]},
        "limitations": ["Tested on one GPU type."],
        "skeptical_note": "Single-run numbers.",
        "why_now": "Long contexts are common now.",
        "keywords": ["inference"],
    }  # fmt: skip
    analysis.update(overrides)
    return analysis


def _constant(reply: Reply) -> Callable[[dict[str, Any]], Reply]:
    return lambda body: reply


TITLE_LINE = re.compile(r"^Paper: (.+)$", re.MULTILINE)
ANALYSES = re.compile(r"<analyses>\s*(.*?)\s*</analyses>", re.DOTALL)


def synthesis_json(ids: list[str], **overrides: Any) -> dict[str, Any]:
    """A synthesis that follows every rule, over the analysed papers `ids` (best first)."""
    n = len(ids)
    top = ids[: min(5, n)]
    synthesis: dict[str, Any] = {
        "takeaways": [
            {"headline": f"Takeaway {i + 1}", "body": f"Paper {ids[i % n]} reports 2.1x faster "
             "decoding.", "paper_ids": [ids[i % n]]}
            for i in range(min(4, n))
        ],
        "themes": [
            {"title": "Serving efficiency", "why_it_matters": "Inference cost dominates.",
             "paper_ids": ids[:2], "common_approach": ["Batching", "Caching"],
             "open_questions": ["Does it hold on other GPUs?"]},
        ],
        "technical_synthesis": ["Memory, not compute, limits long-context serving."],
        "top_papers": [
            {"paper_id": pid, "bullets": ["A method described in the paper.",
                                          "2.1x faster decoding"],
             "why_now": "Long contexts are common now.", "skepticism": "Single-run numbers."}
            for pid in top
        ],
        "next_steps": ["Profile your KV cache.", "Try speculative decoding.",
                       "Measure p99 latency."],
    }  # fmt: skip
    synthesis.update(overrides)
    return synthesis


def analysed_ids(prompt: str) -> list[str]:
    match = ANALYSES.search(prompt)
    return [item["id"] for item in json.loads(match.group(1))] if match else []


TEXTS = re.compile(r"<texts>\s*(.*?)\s*</texts>", re.DOTALL)


def translated(prompt: str) -> dict[str, Any]:
    """A faithful fake translation: each text prefixed with 中文, numbers and ids untouched."""
    match = TEXTS.search(prompt)
    texts = json.loads(match.group(1)) if match else {}
    return {"translations": {key: f"中文：{value}" for key, value in texts.items()}}


READER = re.compile(r"<reader>\s*(.*?)\s*</reader>", re.DOTALL)
PAPERS = re.compile(r"<papers>\s*(.*?)\s*</papers>", re.DOTALL)


def _listed(reader: str, label: str) -> list[str]:
    match = re.search(rf"^{label}: (.*)$", reader, re.MULTILINE)
    names = [n.strip() for n in match.group(1).split(",")] if match else []
    return [n for n in names if n and n not in ("none", "none given", "any")]


def triaged(prompt: str) -> dict[str, Any]:
    """Relevance as a model might judge it, from keyword overlap with the reader's profile in
    the prompt: 2 points per keyword in the title, 1 per keyword only in the abstract, 6 for a
    followed author; at most 10. Each paper of the prompt once, with a one-line reason."""
    reader_match, papers_match = READER.search(prompt), PAPERS.search(prompt)
    reader = reader_match.group(1) if reader_match else ""
    papers = json.loads(papers_match.group(1)) if papers_match else []
    # a keyword's term, as a model reads 'GPU + LLM' or 'RL - game|portfolio'
    keywords = [re.split(r"\s[+-]\s", k)[0].lower() for k in _listed(reader, "Keywords")]
    followed = {a.lower() for a in _listed(reader, "Followed authors")}

    def names(keyword: str, text: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text.lower()) is not None

    scores = []
    for paper in papers:
        in_title = [k for k in keywords if names(k, paper["title"])]
        in_abstract = [k for k in keywords if k not in in_title and names(k, paper["abstract"])]
        by = [a for a in paper.get("authors", []) if a.lower() in followed]
        relevance = min(10, 2 * len(in_title) + len(in_abstract) + (6 if by else 0))
        hits = in_title + in_abstract
        if by:
            reason = f"By {by[0]}, an author the reader follows"
            reason += f"; on {', '.join(hits[:3])}." if hits else "."
        elif hits:
            reason = f"Addresses {', '.join(hits[:3])}, which the reader's keywords name."
        else:
            reason = "Outside the reader's keywords and library: a different research area."
        scores.append({"id": paper["id"], "relevance": relevance, "reason": reason})
    return {"relevance": scores}


def triaged_ids(prompt: str) -> list[str]:
    """The ids of the papers a triage prompt lists."""
    match = PAPERS.search(prompt)
    return [paper["id"] for paper in json.loads(match.group(1))] if match else []


def request_kind(schema_text: str) -> str:
    if '"takeaways"' in schema_text:
        return "synthesis"
    if '"relevance"' in schema_text:
        return "triage"
    if '"translations"' in schema_text or "Translated" in schema_text:
        return "translation"
    return "analysis"


def _title_of(body: dict[str, Any]) -> str:
    first = body["messages"][0]["content"]
    text = first if isinstance(first, str) else first[0]["text"]
    match = TITLE_LINE.search(text)
    return match.group(1) if match else "a paper"


# How the real Messages API counts, cuts and caches ---------------------------------------------
# The fake's own rules, written from the API's documentation and observed behaviour, and kept
# independent of briefgen's code so that a wrong assumption there cannot make the fake agree.

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# The shortest prefix each model caches (claude-sonnet-4-6: 2,048 as observed, not the
# documented 1,024); a prefix below it is silently not cached.
CACHE_MINIMUM = {
    "claude-haiku-4-5": 4096, "claude-opus-4-5": 4096, "claude-opus-4-6": 4096,
    "claude-sonnet-4-6": 2048, "claude-sonnet-4-5": 1024,
}  # fmt: skip
CACHE_TTL = 300.0


def count_tokens(text: str) -> int:
    """About one token per CJK character and one per four other characters."""
    cjk = len(CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def cut_to_tokens(text: str, limit: int) -> str:
    """The longest start of `text` that fits in `limit` tokens (by count_tokens)."""
    used = 0.0
    for index, char in enumerate(text):
        used += 1.0 if CJK.match(char) else 0.25
        if math.ceil(used) > limit:
            return text[:index]
    return text


def _prefix_blocks(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """(text, carries cache_control) for tools, system and messages, in the cache's order."""
    # The structured-output schema is part of what the model reads first: a different
    # schema is a different prefix.
    schema = json.dumps(body.get("output_config"), sort_keys=True)
    blocks: list[tuple[str, bool]] = [(schema, False)]
    blocks += [
        (json.dumps(tool, sort_keys=True), "cache_control" in tool)
        for tool in body.get("tools") or []
    ]
    system = body.get("system")
    if isinstance(system, str):
        blocks.append((system, False))
    for block in system if isinstance(system, list) else []:
        blocks.append((block.get("text", ""), "cache_control" in block))
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            blocks.append((content, False))
            continue
        for block in content:
            blocks.append((block.get("text") or json.dumps(block), "cache_control" in block))
    return blocks


@dataclass
class Billed:
    """What the fake charged for one request."""

    kind: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read: int
    cache_write: int
    stop_reason: str
    max_tokens: int
    at: float = field(default_factory=time.monotonic)  # when the request arrived


# Full-size replies: what a real model writes to briefgen's prompts, in length and shape ---------

_WORDS = [
    "the", "method", "reduces", "memory", "traffic", "during", "decoding", "by", "reusing",
    "cached", "attention", "states", "across", "requests", "while", "keeping", "accuracy",
    "within", "the", "reported", "margin",
]  # fmt: skip


def _prose(seed: str, words: int) -> str:
    """Deterministic English of about `words` words."""
    start = sum(map(ord, seed)) % len(_WORDS)
    chosen = [_WORDS[(start + i * 7) % len(_WORDS)] for i in range(words)]
    return " ".join(chosen).capitalize() + "."


def full_analysis_json(title: str) -> dict[str, Any]:
    """An analysis of real length (about 800 output tokens) for the paper titled `title`."""
    return analysis_json(
        title,
        domain="LLM inference / KV-cache management",
        one_line_contribution=f"The model's reading of {title}: it reports 2.1x faster "
        "decoding at equal accuracy. " + _prose(title, 20),
        problem=_prose(title + "p", 45),
        method=_prose(title + "m", 60),
        usage_guide={"inputs": _prose(title + "i", 14), "how_to_use": _prose(title + "h", 30),
                     "hardware": "8x A100 80 GB GPUs", "open_source": "code promised"},
        innovations=[_prose(title + f"n{i}", 22) for i in range(3)],
        experiments={"datasets": ["LongBench", "RULER", "ShareGPT traces"],
                     "key_results": ["2.1x faster decoding on LongBench at 128k context",
                                     "31% lower p99 latency than vLLM",
                                     _prose(title + "r", 18)],
                     "baselines": ["vLLM", "SGLang", "H2O"]},
        limitations=[_prose(title + f"l{i}", 18) for i in range(3)],
        skeptical_note=_prose(title + "s", 35),
        why_now=_prose(title + "w", 28),
        keywords=["KV cache", "LLM serving", "decoding", "memory"],
    )  # fmt: skip


def full_synthesis_json(ids: list[str]) -> dict[str, Any]:
    """A synthesis of real length (3,000+ output tokens) that follows every rule."""
    n = len(ids)
    return synthesis_json(
        ids,
        takeaways=[
            {"headline": _prose(f"h{i}", 8), "body": "The method reports 2.1x faster decoding. "
             + _prose(f"b{i}", 40), "paper_ids": [ids[i % n]]}
            for i in range(min(6, n))
        ],
        themes=[
            {"title": _prose(f"t{i}", 5), "why_it_matters": _prose(f"w{i}", 40),
             "paper_ids": ids[i::4][:3] or ids[:1],
             "common_approach": [_prose(f"c{i}{j}", 18) for j in range(4)],
             "open_questions": [_prose(f"q{i}{j}", 18) for j in range(3)]}
            for i in range(min(4, n))
        ],
        technical_synthesis=[_prose(f"x{i}", 45) for i in range(6)],
        top_papers=[
            {"paper_id": pid, "bullets": ["2.1x faster decoding on LongBench at 128k context"]
             + [_prose(f"{pid}{j}", 25) for j in range(3)],
             "why_now": _prose(pid + "y", 30), "skepticism": _prose(pid + "z", 30)}
            for pid in ids[: min(5, n)]
        ],
        next_steps=[_prose(f"s{i}", 25) for i in range(6)],
    )  # fmt: skip


_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你"


def chinese_of(english: str) -> str:
    """A full-size stand-in for a real translation: two characters for a word, technical
    terms (capitalised or long words) kept in English in parentheses as the prompt asks, and
    every token with a digit kept exactly."""
    parts = []
    for word in english.split():
        if any(ch.isdigit() for ch in word):
            parts.append(f" {word} ")  # set apart, as Chinese sets off numbers and Latin
            continue
        letters = sum(map(ord, word))
        chinese = _HANZI[letters % len(_HANZI)] + _HANZI[(letters // 7) % len(_HANZI)]
        if word[:1].isupper() or len(word) >= 8:
            chinese += f"（{word.strip('.,;:')}）"
        parts.append(chinese)
    return "".join(parts)


def full_translation(prompt: str) -> dict[str, Any]:
    match = TEXTS.search(prompt)
    texts = json.loads(match.group(1)) if match else {}
    return {"translations": {key: chinese_of(value) for key, value in texts.items()}}


class FakeModelApi:
    """A scripted model endpoint, as strict as the real one. Requests are answered from
    `enqueue`d replies first, then by the default: a valid analysis of the paper named in the
    prompt (full-size replies with `realistic`). A reply is cut at the request's `max_tokens`,
    usage is counted from the request and the reply, and each call takes `delay` (the time to
    the first token) plus `per_token` seconds for each output token. Tracks calls in flight."""

    def __init__(
        self, delay: float = 0.0, jitter: float = 0.0, seed: int = 0, *,
        per_token: float = 0.0, realistic: bool = False,
        per_token_by_model: dict[str, float] | None = None,
    ) -> None:  # fmt: skip
        self.queue: deque[Callable[[dict[str, Any]], Reply]] = deque()
        self.queues: dict[str, deque[Callable[[dict[str, Any]], Reply]]] = {}
        self.delay = delay
        self.jitter = jitter  # each call takes delay ± jitter seconds (uniform)
        self.per_token = per_token
        self.per_token_by_model = per_token_by_model or {}  # a faster small model, …
        self.realistic = realistic
        self._random = random.Random(seed)
        # Injected faults by share of requests: "429", "529", "500", "truncated".
        self.faults: dict[str, float] = {}
        self.injected: dict[str, int] = {}
        self.billed: list[Billed] = []
        self.active = 0
        self.peak = 0
        self.peaks: dict[str, int] = {}  # the most calls of one kind in flight at once
        self._active_kind: dict[str, int] = {}
        self._lock = threading.Lock()

    def enqueue(self, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Replies for the next requests, whatever they ask (but a cache warm-up)."""
        for reply in replies:
            self.queue.append(reply if callable(reply) else _constant(reply))

    def enqueue_for(self, kind: str, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Replies for the next requests of one kind: analysis, synthesis, translation or
        triage."""
        queue = self.queues.setdefault(kind, deque())
        for reply in replies:
            queue.append(reply if callable(reply) else _constant(reply))

    def schema_text(self, body: dict[str, Any]) -> str:
        raise NotImplementedError

    def kind(self, body: dict[str, Any]) -> str:
        if int(body.get("max_tokens") or 10**6) <= 16:
            return "warm-up"  # too small a budget for any real answer: it only fills a cache
        return request_kind(self.schema_text(body))

    def __call__(self, request: Request) -> Reply:
        body = request.json()
        kind = self.kind(body)
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self._active_kind[kind] = self._active_kind.get(kind, 0) + 1
            self.peaks[kind] = max(self.peaks.get(kind, 0), self._active_kind[kind])
            by_kind = self.queues.get(kind)
            # `enqueue`d replies answer real questions; a cache warm-up takes only its own.
            general = self.queue if kind != "warm-up" else None
            scripted = (
                general.popleft() if general else by_kind.popleft() if by_kind else None
            )
            spread = self._random.uniform(-self.jitter, self.jitter)
            draw = self._random.random()
        try:
            if scripted:
                reply = scripted(body)
            else:
                fault = self.fault_for(draw)
                reply = self.faulty(fault, body) if fault else self.default(body)
            reply, output_tokens, started = self.finalize(body, reply)
            if self.delay or self.jitter:
                time.sleep(max(0.0, self.delay + spread))
            started()  # what the API caches becomes readable once the response starts
            rate = self.per_token_by_model.get(str(body.get("model")), self.per_token)
            if rate and output_tokens:
                time.sleep(rate * output_tokens)
            return reply
        finally:
            with self._lock:
                self.active -= 1
                self._active_kind[kind] -= 1

    def finalize(self, body: dict[str, Any], reply: Reply) -> tuple[Reply, int, Callable[[], None]]:
        """The reply as the real service would send it: (reply, output tokens, a callback
        run when the response starts)."""
        return reply, 0, lambda: None

    def billed_for(self, kind: str) -> list[Billed]:
        return [b for b in self.billed if b.kind == kind]

    def answered(self, server: FakeServer) -> list[Request]:
        """The requests that asked a real question (not a cache warm-up)."""
        return [r for r in server.requests if r.method == "POST" and r.body
                and self.kind(r.json()) != "warm-up"]  # fmt: skip

    def default(self, body: dict[str, Any]) -> Reply:
        raise NotImplementedError

    def fault_for(self, draw: float) -> str | None:
        """Which injected fault (if any) a uniform draw in [0, 1) lands on."""
        edge = 0.0
        for fault, share in self.faults.items():
            edge += share
            if draw < edge:
                self.injected[fault] = self.injected.get(fault, 0) + 1
                return fault
        return None

    def faulty(self, fault: str, body: dict[str, Any]) -> Reply:
        raise NotImplementedError


class FakeAnthropic(FakeModelApi):
    """POST /v1/messages in the Messages API wire format."""

    @staticmethod
    def message(text: str, *, stop_reason: str = "end_turn", model: str = "claude-haiku-4-5",
                usage: dict[str, int] | None = None, tool_input: Any = None) -> Reply:  # fmt: skip
        content: list[dict[str, Any]] = (
            [{"type": "tool_use", "id": "toolu_01", "name": "record_analysis", "input": tool_input}]
            if tool_input is not None
            else [{"type": "text", "text": text}]
        )
        body = {
            "id": "msg_01", "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": usage,  # None: counted from the request and the reply, as the API does
        }  # fmt: skip
        return Reply(body=json.dumps(body), content_type="application/json")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache: dict[str, float] = {}  # prefix hash -> when it expires

    def finalize(self, body: dict[str, Any], reply: Reply) -> tuple[Reply, int, Callable[[], None]]:
        if reply.status != 200 or reply.content_type != "application/json":
            return reply, 0, lambda: None
        message = json.loads(reply.body)
        if message.get("type") != "message" or message.get("usage") is not None:
            return reply, 0, lambda: None  # a test's own usage figures are kept as written
        limit = int(body["max_tokens"])
        output = 0
        for block in message["content"]:
            if block["type"] == "text":
                tokens = count_tokens(block["text"])
                if tokens > limit:
                    block["text"] = cut_to_tokens(block["text"], limit)
                    message["stop_reason"], tokens = "max_tokens", limit
                output += tokens
            elif block["type"] == "tool_use":
                tokens = count_tokens(json.dumps(block["input"], ensure_ascii=False))
                if tokens > limit:
                    block["input"], message["stop_reason"], tokens = {}, "max_tokens", limit
                output += tokens
        usage, started = self._input_usage(body)
        usage["output_tokens"] = output
        message["usage"] = usage
        with self._lock:
            self.billed.append(Billed(
                self.kind(body), body["model"], usage["input_tokens"], output,
                usage["cache_read_input_tokens"], usage["cache_creation_input_tokens"],
                message["stop_reason"], limit,
            ))  # fmt: skip
        return Reply(body=json.dumps(message), content_type="application/json"), output, started

    def _input_usage(self, body: dict[str, Any]) -> tuple[dict[str, int], Callable[[], None]]:
        """Input tokens, split into cache reads, cache writes and the rest: a prefix ending at
        a cache_control marker is cached only at or above the model's minimum, and read only
        by a request that starts after the response that wrote it has started."""
        model = body["model"]
        minimum = next((n for name, n in CACHE_MINIMUM.items() if model.startswith(name)), 1024)
        blocks = _prefix_blocks(body)
        sizes = list(itertools.accumulate(count_tokens(text) for text, _ in blocks))
        total = sizes[-1] if sizes else 0
        marks = [i for i, (_, marked) in enumerate(blocks) if marked and sizes[i] >= minimum]

        def key(i: int) -> str:
            texts = [text for text, _ in blocks[: i + 1]]
            return hashlib.sha256(json.dumps([model, texts]).encode()).hexdigest()

        now = time.monotonic()
        with self._lock:
            hit = next((i for i in reversed(marks) if self.cache.get(key(i), 0) > now), None)
            if hit is not None:
                self.cache[key(hit)] = now + CACHE_TTL  # a read refreshes the entry
        read = sizes[hit] if hit is not None else 0
        write_at = marks[-1] if marks and (hit is None or marks[-1] > hit) else None
        write = sizes[write_at] - read if write_at is not None else 0

        def started() -> None:
            if write_at is not None:
                with self._lock:
                    self.cache[key(write_at)] = time.monotonic() + CACHE_TTL

        usage = {"input_tokens": total - read - write, "cache_read_input_tokens": read,
                 "cache_creation_input_tokens": write}  # fmt: skip
        return usage, started

    @staticmethod
    def error(status: int, kind: str, message: str, retry_after: str | None = None) -> Reply:
        body = {"type": "error", "error": {"type": kind, "message": message}}
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        return Reply(status=status, body=json.dumps(body), content_type="application/json",
                     headers=headers)  # fmt: skip

    def faulty(self, fault: str, body: dict[str, Any]) -> Reply:
        if fault == "429":
            return self.error(429, "rate_limit_error", "Rate limited", retry_after="0")
        if fault == "529":
            return self.error(529, "overloaded_error", "Overloaded")
        if fault == "500":
            return self.error(500, "api_error", "Internal server error")
        good = json.loads(self.default(body).body)  # "truncated": half of a good answer
        for block in good["content"]:
            if block["type"] == "text":
                block["text"] = block["text"][: len(block["text"]) // 2]
        return Reply(body=json.dumps(good), content_type="application/json")

    def schema_text(self, body: dict[str, Any]) -> str:
        if body.get("tools"):
            return json.dumps(body["tools"][0]["input_schema"])
        return json.dumps((body.get("output_config") or {}).get("format", {}))

    def default(self, body: dict[str, Any]) -> Reply:
        kind = self.kind(body)
        first = body["messages"][0]["content"]
        prompt = first if isinstance(first, str) else first[0]["text"]
        if kind == "synthesis":
            ids = analysed_ids(prompt)
            answer = full_synthesis_json(ids) if self.realistic else synthesis_json(ids)
        elif kind == "translation":
            answer = full_translation(prompt) if self.realistic else translated(prompt)
        elif kind == "triage":
            answer = triaged(prompt)
        else:
            title = _title_of(body)
            answer = full_analysis_json(title) if self.realistic else analysis_json(title)
        model = str(body.get("model"))  # the API answers as the model asked for
        if body.get("tools"):
            return self.message("", stop_reason="tool_use", tool_input=answer, model=model)
        return self.message(json.dumps(answer, ensure_ascii=False), model=model)


class FakeOpenAI(FakeModelApi):
    """POST /v1/chat/completions in the OpenAI wire format."""

    @staticmethod
    def completion(text: str, *, finish_reason: str = "stop", model: str = "qwen-long") -> Reply:
        body = {
            "id": "chatcmpl-1", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 150,
                      "prompt_tokens_details": {"cached_tokens": 100}},
        }  # fmt: skip
        return Reply(body=json.dumps(body), content_type="application/json")

    @staticmethod
    def error(status: int, message: str) -> Reply:
        body = {"error": {"message": message, "type": "invalid_request_error"}}
        return Reply(status=status, body=json.dumps(body), content_type="application/json")

    def schema_text(self, body: dict[str, Any]) -> str:
        return json.dumps(body.get("response_format") or {}) + str(body["messages"][0]["content"])

    def finalize(self, body: dict[str, Any], reply: Reply) -> tuple[Reply, int, Callable[[], None]]:
        """A reply longer than max_tokens is cut with finish_reason "length"."""
        if reply.status != 200 or reply.content_type != "application/json" or not body.get(
            "max_tokens"
        ):
            return reply, 0, lambda: None
        completion = json.loads(reply.body)
        choice = completion["choices"][0]
        text = choice["message"]["content"] or ""
        output = count_tokens(text)
        if output > int(body["max_tokens"]):
            output = int(body["max_tokens"])
            choice["message"]["content"] = cut_to_tokens(text, output)
            choice["finish_reason"] = "length"
        return Reply(body=json.dumps(completion), content_type="application/json"), output, (
            lambda: None
        )

    def default(self, body: dict[str, Any]) -> Reply:
        first_user = next(m for m in body["messages"] if m["role"] == "user")["content"]
        kind = self.kind(body)
        if kind == "synthesis":
            answer = synthesis_json(analysed_ids(first_user))
        elif kind == "translation":
            answer = translated(first_user)
        elif kind == "triage":
            answer = triaged(first_user)
        else:
            match = TITLE_LINE.search(first_user)
            answer = analysis_json(match.group(1) if match else "a paper")
        return self.completion(json.dumps(answer, ensure_ascii=False), model=body["model"])


class FakeProvider:
    """A Provider for unit tests: replies from a queue (`enqueue`), or from `responder` when
    the queue is empty; remembers every conversation, system prompt and schema it was sent."""

    name = "fake"
    caches_by_marker = False

    def __init__(self, responder: Callable[[list[Any]], str] | None = None) -> None:
        self.replies: deque[Any] = deque()
        self.conversations: list[list[Any]] = []
        self.systems: list[str] = []
        self.schemas: list[dict[str, Any]] = []
        self.budgets: list[int] = []
        self.caches: list[bool] = []
        self.models: list[str] = []
        self.responder = responder

    def enqueue(self, text: str, stop_reason: str = "end_turn") -> None:
        from briefgen.core.calls import Reply as ModelReply
        from briefgen.core.calls import Usage

        self.replies.append(ModelReply(text, Usage(100, 20), stop_reason, "fake-model"))

    def complete(
        self, *, model: str, system: str, messages: list[Any], schema: dict[str, Any],
        max_tokens: int, cache: bool = False,
    ) -> Any:  # fmt: skip
        self.caches.append(cache)
        self.models.append(model)
        self.schemas.append(schema)
        self.systems.append(system)
        self.conversations.append(list(messages))
        self.budgets.append(max_tokens)
        if not self.replies and self.responder is not None:
            self.enqueue(self.responder(messages))
        return self.replies.popleft()


def model_engine(
    provider: Any, model: str = "fake-model", *, price: Price | None = None,
    limits: CallLimits | None = None, **options: Any,
) -> ModelEngine:  # fmt: skip
    """A ModelEngine of one model at `price`, for every purpose; `options`: prompts_dir."""
    from briefgen.engines.model_engine import EngineModels, ModelEngine
    from briefgen.engines.recorded_calls import PricedModel

    return ModelEngine(provider, EngineModels(PricedModel(model, price)), limits, **options)


class FakeBatches:
    """POST/GET /v1/messages/batches…: Message Batches over a FakeAnthropic's answers. A batch
    ends after `polls` status requests; `outcomes` makes chosen custom ids errored/expired."""

    def __init__(self, api: FakeAnthropic, base_url: str, polls: int = 2) -> None:
        self.api = api
        self.base_url = base_url
        self.polls = polls
        self.outcomes: dict[str, str] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.created = 0

    def _batch(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        ended = batch["polled"] >= self.polls
        total = len(batch["requests"])
        counts = {"processing": 0 if ended else total, "succeeded": 0, "errored": 0,
                  "canceled": 0, "expired": 0}  # fmt: skip
        if ended:
            for request in batch["requests"]:
                kind = self.outcomes.get(request["custom_id"], "succeeded")
                counts[kind] += 1
        return {
            "id": batch_id, "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts, "created_at": "2026-02-18T00:00:00Z",
            "expires_at": "2026-02-19T00:00:00Z",
            "ended_at": "2026-02-18T00:10:00Z" if ended else None,
            "archived_at": None, "cancel_initiated_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{batch_id}/results"
            if ended else None,
        }  # fmt: skip

    def __call__(self, request: Request) -> Reply:
        parts = request.path.rstrip("/").split("/")  # ['', 'v1', 'messages', 'batches', id, …]
        if request.method == "POST" and len(parts) == 4:
            self.created += 1
            batch_id = f"msgbatch_{self.created:02d}"
            self.batches[batch_id] = {"requests": request.json()["requests"], "polled": 0}
            return Reply(body=json.dumps(self._batch(batch_id)), content_type="application/json")
        batch_id = parts[4]
        if batch_id not in self.batches:
            return FakeAnthropic.error(404, "not_found_error", f"no batch {batch_id}")
        if len(parts) == 5:
            self.batches[batch_id]["polled"] += 1
            return Reply(body=json.dumps(self._batch(batch_id)), content_type="application/json")
        lines = []
        for item in self.batches[batch_id]["requests"]:
            kind = self.outcomes.get(item["custom_id"], "succeeded")
            if kind == "succeeded":
                params = item["params"]
                answer, _, started = self.api.finalize(params, self.api.default(params))
                started()
                message = json.loads(answer.body)
                result: dict[str, Any] = {"type": "succeeded", "message": message}
            elif kind == "errored":
                result = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "api_error", "message": "Internal server error"}}}  # fmt: skip
            else:
                result = {"type": kind}
            lines.append(json.dumps({"custom_id": item["custom_id"], "result": result}))
        return Reply(body="\n".join(lines) + "\n", content_type="application/binary")

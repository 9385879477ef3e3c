"""Local stand-ins for arXiv and Hugging Face: a real HTTP server on 127.0.0.1 that records
every request, and builders for responses in the services' real shapes."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape


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

    def __init__(self, entries: list[Entry], order: str = "new") -> None:
        self.entries = entries
        self.order = order

    def __call__(self, request: Request) -> Reply:
        start = int(request.query.get("start", "0"))
        size = int(request.query.get("max_results", "10"))
        chosen = self.matching(request.query)
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


def request_kind(schema_text: str) -> str:
    if '"takeaways"' in schema_text:
        return "synthesis"
    if '"translations"' in schema_text or "Translated" in schema_text:
        return "translation"
    return "analysis"


def _title_of(body: dict[str, Any]) -> str:
    first = body["messages"][0]["content"]
    text = first if isinstance(first, str) else first[0]["text"]
    match = TITLE_LINE.search(text)
    return match.group(1) if match else "a paper"


class FakeModelApi:
    """A scripted model endpoint. Requests are answered from `enqueue`d replies first, then by
    the default: a valid analysis of the paper named in the prompt. Tracks calls in flight."""

    def __init__(self, delay: float = 0.0, jitter: float = 0.0, seed: int = 0) -> None:
        self.queue: deque[Callable[[dict[str, Any]], Reply]] = deque()
        self.queues: dict[str, deque[Callable[[dict[str, Any]], Reply]]] = {}
        self.delay = delay
        self.jitter = jitter  # each call takes delay ± jitter seconds (uniform)
        self._random = random.Random(seed)
        # Injected faults by share of requests: "429", "529", "500", "truncated".
        self.faults: dict[str, float] = {}
        self.injected: dict[str, int] = {}
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def enqueue(self, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Replies for the next requests, whatever they ask."""
        for reply in replies:
            self.queue.append(reply if callable(reply) else _constant(reply))

    def enqueue_for(self, kind: str, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        """Replies for the next requests of one kind: analysis, synthesis or translation."""
        queue = self.queues.setdefault(kind, deque())
        for reply in replies:
            queue.append(reply if callable(reply) else _constant(reply))

    def schema_text(self, body: dict[str, Any]) -> str:
        raise NotImplementedError

    def kind(self, body: dict[str, Any]) -> str:
        return request_kind(self.schema_text(body))

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            body = request.json()
            by_kind = self.queues.get(self.kind(body))
            scripted = (
                self.queue.popleft() if self.queue else by_kind.popleft() if by_kind else None
            )
        try:
            with self._lock:
                spread = self._random.uniform(-self.jitter, self.jitter)
                draw = self._random.random()
            if self.delay or self.jitter:
                time.sleep(max(0.0, self.delay + spread))
            if scripted:
                return scripted(body)
            fault = self.fault_for(draw)
            return self.faulty(fault, body) if fault else self.default(body)
        finally:
            with self._lock:
                self.active -= 1

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
            "usage": usage or {"input_tokens": 1000, "output_tokens": 200,
                               "cache_creation_input_tokens": 0, "cache_read_input_tokens": 800},
        }  # fmt: skip
        return Reply(body=json.dumps(body), content_type="application/json")

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
        prompt = body["messages"][0]["content"]
        if kind == "synthesis":
            answer = synthesis_json(analysed_ids(prompt))
        elif kind == "translation":
            answer = translated(prompt)
        else:
            answer = analysis_json(_title_of(body))
        if body.get("tools"):
            return self.message("", stop_reason="tool_use", tool_input=answer)
        return self.message(json.dumps(answer, ensure_ascii=False))


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

    def default(self, body: dict[str, Any]) -> Reply:
        first_user = next(m for m in body["messages"] if m["role"] == "user")["content"]
        kind = self.kind(body)
        if kind == "synthesis":
            answer = synthesis_json(analysed_ids(first_user))
        elif kind == "translation":
            answer = translated(first_user)
        else:
            match = TITLE_LINE.search(first_user)
            answer = analysis_json(match.group(1) if match else "a paper")
        return self.completion(json.dumps(answer, ensure_ascii=False), model=body["model"])


class FakeProvider:
    """A Provider for unit tests: replies from a queue (`enqueue`), or from `responder` when
    the queue is empty; remembers every conversation, system prompt and schema it was sent."""

    name = "fake"

    def __init__(self, responder: Callable[[list[Any]], str] | None = None) -> None:
        self.replies: deque[Any] = deque()
        self.conversations: list[list[Any]] = []
        self.systems: list[str] = []
        self.schemas: list[dict[str, Any]] = []
        self.budgets: list[int] = []
        self.responder = responder

    def enqueue(self, text: str, stop_reason: str = "end_turn") -> None:
        from briefgen.llm.provider import Reply as ModelReply
        from briefgen.llm.provider import Usage

        self.replies.append(ModelReply(text, Usage(100, 20), stop_reason, "fake-model"))

    def complete(
        self, *, model: str, system: str, messages: list[Any], schema: dict[str, Any],
        max_tokens: int,
    ) -> Any:  # fmt: skip
        self.schemas.append(schema)
        self.systems.append(system)
        self.conversations.append(list(messages))
        self.budgets.append(max_tokens)
        if not self.replies and self.responder is not None:
            self.enqueue(self.responder(messages))
        return self.replies.popleft()


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
                message = json.loads(self.api.default(item["params"]).body)
                result: dict[str, Any] = {"type": "succeeded", "message": message}
            elif kind == "errored":
                result = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "api_error", "message": "Internal server error"}}}  # fmt: skip
            else:
                result = {"type": kind}
            lines.append(json.dumps({"custom_id": item["custom_id"], "result": result}))
        return Reply(body="\n".join(lines) + "\n", content_type="application/binary")

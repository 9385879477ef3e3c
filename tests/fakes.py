"""Local stand-ins for arXiv and Hugging Face: a real HTTP server on 127.0.0.1 that records
every request, and builders for responses in the services' real shapes."""

from __future__ import annotations

import re
import threading
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
    headers: dict[str, str]


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
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                request = Request("GET", parts.path, query, dict(self.headers.items()))
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

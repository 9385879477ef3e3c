"""The Zotero web API v3 client: reading a library's top-level items (the reader's library,
`briefgen.select.library`) and creating items in it (`briefgen export --to zotero:…`,
`briefgen.outlets.zotero_push`).

`zotero:USER_ID/COLLECTION_KEY` names a collection, `zotero:USER_ID` the whole library,
`zotero:groups/GROUP_ID[/COLLECTION_KEY]` a group's. The API key comes from the
ZOTERO_API_KEY variable only; it travels in the `Zotero-API-Key` header (never in a URL, so no
error that quotes a URL can show it), is never sent on through a redirect, and appears in no
message. Without a key only public libraries can be read; writing needs one.

Items are read 100 a page (the API's maximum), following `Total-Results` (or `Link:
rel="next"` when a server sends no total), and written at most 50 a request (the API's
limit), each request with its own `Zotero-Write-Token`, so that a request retried after a lost
answer is not applied twice (the API answers 412 to a token it has seen). 429 and 5xx are
retried with the project's policy, honouring Retry-After (or Zotero's Backoff); 403, 404 and a
redirect are the user's to fix (exit 5); a host that cannot be reached stops at once (exit 6).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from briefgen.core.errors import ConfigError, ParseError, UpstreamError
from briefgen.infra.net import (
    MAX_RETRY_AFTER,
    RETRY_STATUSES,
    RetryableStatus,
    RetryPolicy,
    UnreachableError,
    http_client,
    is_transient_http,
    retry_after_seconds,
)
from briefgen.infra.secrets import redact

if TYPE_CHECKING:
    import httpx

    from briefgen.core.settings import Settings

SERVICE = "the Zotero web API"
KEY_VARIABLE = "ZOTERO_API_KEY"
KEYS_URL = "https://www.zotero.org/settings/keys"
PAGE_SIZE = 100  # the most the API gives in one answer
MAX_PAGES = 2000  # 200,000 items: beyond that a server is paging in circles
BATCH = 50  # the most items the API takes in one write request
# where the API's address is set, named in every message that blames the address
ADDRESS_SETTING = "[selection] zotero_api_url (or BRIEFGEN_SELECTION__ZOTERO_API_URL)"
HINT = (" ([selection] zotero_api_url in the config, or BRIEFGEN_SELECTION__ZOTERO_API_URL, "
        "sets its address)")  # fmt: skip

_SPEC = re.compile(
    r"^zotero:(?:(?P<kind>users|groups)/)?(?P<id>[^/\s]+)(?:/(?P<collection>[^/\s]+))?/?$",
    re.IGNORECASE,
)
_COLLECTION_KEY = re.compile(r"^[A-Za-z0-9]{8}$")


@dataclass(frozen=True)
class ZoteroTarget:
    """Which library (users/123 or groups/456) and, optionally, which collection."""

    library: str
    collection: str | None

    @property
    def spec(self) -> str:
        owner = self.library.removeprefix("users/")
        return f"zotero:{owner}" + (f"/{self.collection}" if self.collection else "")

    @property
    def path(self) -> str:
        if self.collection:
            return f"/{self.library}/collections/{self.collection}/items/top"
        return f"/{self.library}/items/top"

    @property
    def described(self) -> str:
        kind, number = self.library.split("/", 1)
        owner = f"Zotero {'group' if kind == 'groups' else 'user'} {number}"
        return (
            f"collection {self.collection} of {owner}" if self.collection else f"{owner}'s library"
        )


def parse_zotero_spec(spec: str) -> ZoteroTarget:
    """`zotero:123/ABCD2345`, `zotero:123`, `zotero:groups/456[/KEY]` as a target; anything
    else is a ConfigError that shows the forms."""
    forms = (
        "zotero:USER_ID/COLLECTION_KEY, zotero:USER_ID, zotero:groups/GROUP_ID/COLLECTION_KEY "
        "or zotero:groups/GROUP_ID"
    )
    match = _SPEC.match(spec.strip())
    if not match:
        raise ConfigError(f"library {spec}: not a Zotero library; expected {forms}")
    kind = (match.group("kind") or "users").lower()
    number = match.group("id")
    collection = match.group("collection")
    if not number.isdigit():
        where = (
            f"your user ID is the number shown at {KEYS_URL}"
            if kind == "users"
            else "a group's ID is the number in its zotero.org/groups/ URL"
        )
        raise ConfigError(
            f"library {spec}: {number!r} is not a Zotero {kind[:-1]} ID ({where}, not a name); "
            f"expected {forms}"
        )
    if collection is not None and not _COLLECTION_KEY.match(collection):
        raise ConfigError(
            f"library {spec}: {collection!r} is not a collection key (8 letters and digits, "
            "the last part of the collection's URL on zotero.org, e.g. ABCD2345)"
        )
    return ZoteroTarget(f"{kind}/{number}", collection.upper() if collection else None)


def api_key(env: Mapping[str, str] | None = None) -> str | None:
    """The key in ZOTERO_API_KEY, or None."""
    return (os.environ if env is None else env).get(KEY_VARIABLE, "").strip() or None


@dataclass
class WriteResults:
    """What became of each item of one write request, by its index in the request."""

    created: dict[int, Any]
    unchanged: dict[int, Any]
    failed: dict[int, str]  # why, the key redacted


class ZoteroClient:
    """Requests to one Zotero API address for one target, with the key, retries and errors
    described in the module's docstring. `context` starts every message ("library
    zotero:123", "--to zotero:123/ABCD2345"); each retry is one warning."""

    def __init__(
        self,
        target: ZoteroTarget,
        context: str,
        *,
        settings: Settings,
        key: str | None,
        client: httpx.Client | None = None,
    ) -> None:
        self.target = target
        self.context = context
        self.key = key
        base_url = settings.selection.zotero_api_url.strip()
        if not base_url.lower().startswith(("http://", "https://")):
            raise ConfigError(
                f"{context}: {ADDRESS_SETTING} must be an http(s) URL, not {base_url!r}"
            )
        self.base_url = base_url.rstrip("/")
        self.policy = RetryPolicy.for_web_service(settings.network)
        self._given = client
        self._settings = settings

    def read_items(self) -> list[Any]:
        """Every top-level item of the target, page after page (raw JSON objects)."""
        with self._errors() as http:
            return self._pages(http)

    def create_items(self, items: list[dict[str, Any]]) -> list[WriteResults]:
        """Create `items` in the target's library, BATCH a request: what became of each
        batch, in order (the items' indexes are within their batch)."""
        with self._errors() as http:
            return [
                self._write(http, items[start : start + BATCH])
                for start in range(0, len(items), BATCH)
            ]

    # requests ------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Zotero-API-Version": "3", "Accept": "application/json"}
        if self.key:
            headers["Zotero-API-Key"] = self.key
        return headers

    def _pages(self, http: httpx.Client) -> list[Any]:
        url = self.base_url + self.target.path
        items: list[Any] = []
        start = 0
        for _ in range(MAX_PAGES):
            params = {"format": "json", "limit": str(PAGE_SIZE), "start": str(start)}
            send = partial(http.get, url, params=params, headers=self._headers())
            response = self._send(send, url)
            if response.status_code != 200:
                raise self._refused_read(response)
            page = self._json(response, list, "a list of items")
            items.extend(page)
            if not page:
                break
            following = start + len(page)
            total = _total(response)
            if total is None:  # no total: follow the Link header, on our own host
                linked = _next_start(response)
                if linked is None:
                    break
                following = max(linked, following)
            elif following >= total:
                break
            start = following
            backoff = retry_after_seconds(response.headers.get("Backoff"))
            if backoff:  # Zotero asks clients to slow down when it is busy
                self.policy.sleep(min(backoff, MAX_RETRY_AFTER))
        return items

    def _write(self, http: httpx.Client, batch: list[dict[str, Any]]) -> WriteResults:
        url = f"{self.base_url}/{self.target.library}/items"
        headers = {
            **self._headers(),
            "Zotero-Write-Token": uuid.uuid4().hex,  # one per batch, the same on its retries
            "Content-Type": "application/json",
        }
        body = json.dumps(batch, ensure_ascii=False).encode()
        response = self._send(partial(http.post, url, content=body, headers=headers), url)
        if response.status_code != 200:
            raise self._refused_write(response)
        results = self._json(response, dict, "the map of results")
        failed = _indexes(results.get("failed"))
        return WriteResults(
            created=_indexes(results.get("successful")) or _indexes(results.get("success")),
            unchanged=_indexes(results.get("unchanged")),
            failed={index: self._redacted(_failure(item)) for index, item in failed.items()},
        )

    def _send(self, request: Callable[..., httpx.Response], url: str) -> httpx.Response:
        """One request with retries; a status worth retrying is retried with the wait asked
        for. Redirects are not followed: httpx would carry the Zotero-API-Key header to
        wherever they point (it drops only Authorization across origins)."""

        def attempt() -> httpx.Response:
            response = request(follow_redirects=False)
            if response.status_code in RETRY_STATUSES:
                asked = response.headers.get("Retry-After") or response.headers.get("Backoff")
                raise RetryableStatus(SERVICE, response.status_code, retry_after_seconds(asked))
            return response

        return self.policy.run(SERVICE, attempt, is_transient_http, HINT, url=url)

    @contextmanager
    def _errors(self) -> Iterator[httpx.Client]:
        """The HTTP client for the requests, and their errors starting with the context."""
        settings = self._settings
        http = self._given or http_client(
            settings.network.http_timeout_seconds, settings.sources.contact
        )
        try:
            yield http
        except UnreachableError as exc:
            raise UnreachableError(f"{self.context}: {exc}", exc.reason) from exc
        except (ConfigError, ParseError):
            raise
        except UpstreamError as exc:
            message = str(exc)
            if not message.startswith(f"{self.context.split(' ')[0]} "):
                message = f"{self.context}: {message}"
            raise UpstreamError(self._redacted(message)) from exc
        finally:
            if self._given is None:
                http.close()

    # answers -------------------------------------------------------------------------------

    def _redacted(self, text: str) -> str:
        return redact(text, [self.key]) if self.key else text

    def _body(self, response: httpx.Response, limit: int) -> str:
        return self._redacted(" ".join(response.text.split())[:limit] or "no details")

    def _json(self, response: httpx.Response, kind: type, described: str) -> Any:
        try:
            payload = response.json()
        except ValueError as exc:
            raise ParseError(
                f"{self.context}: {SERVICE} sent an answer that is not JSON ({exc})"
            ) from exc
        if not isinstance(payload, kind):
            raise ParseError(
                f"{self.context}: {SERVICE} sent {type(payload).__name__}, not {described}"
            )
        return payload

    def _refused_read(self, response: httpx.Response) -> Exception:
        spec, status, target = self.context, response.status_code, self.target
        if status == 403 and self.key is None:
            return ConfigError(
                f"{spec}: {SERVICE} answered HTTP 403 (forbidden) for {target.described}: "
                f"it is private (or does not exist); set {KEY_VARIABLE} to a Zotero API key "
                f"that can read it (create one at {KEYS_URL})"
            )
        if status == 403:
            return ConfigError(
                f"{spec}: {SERVICE} refused the key in {KEY_VARIABLE} (HTTP 403) for "
                f"{target.described}: the key is wrong or revoked, or it may not read this "
                f"library; check it, or create one with read access at {KEYS_URL}"
            )
        if status == 404:
            return ConfigError(
                f"{spec}: {SERVICE} has no {target.described} (HTTP 404); check the ID "
                f"(a number: yours is shown at {KEYS_URL}) and the collection key (the last "
                "part of the collection's URL on zotero.org)"
            )
        if 300 <= status < 400:
            where = response.headers.get("Location", "elsewhere")
            return ConfigError(
                f"{spec}: {SERVICE} at {response.request.url.copy_with(query=None)} "
                f"redirects to {where} (HTTP {status}); briefgen does not send your API key on "
                f"to another address: set {ADDRESS_SETTING} to the right one"
            )
        if status in (400, 401):
            return ConfigError(
                f"{spec}: {SERVICE} refused the request (HTTP {status}: "
                f"{self._body(response, 160)}){HINT}"
            )
        return UpstreamError(
            f"{spec}: {SERVICE} answered HTTP {status} for {target.described} "
            f"({self._body(response, 160)}); try again later"
        )

    def _refused_write(self, response: httpx.Response) -> Exception:
        spec, status = self.context, response.status_code
        kind, number = self.target.library.split("/")
        where = f"the {kind[:-1]} library {number}"
        if status == 403:
            return ConfigError(
                f"{spec}: {SERVICE} refused the key in {KEY_VARIABLE} (HTTP 403) for writing "
                f"to {where}: the key is wrong or revoked, or it may not write there; give it "
                f"write access at {KEYS_URL}"
            )
        if status == 404:
            return ConfigError(
                f"{spec}: {SERVICE} has no {where} (HTTP 404); check the ID (a number: yours "
                f"is shown at {KEYS_URL})"
            )
        if 300 <= status < 400:
            return ConfigError(
                f"{spec}: {SERVICE} redirects to {response.headers.get('Location', 'elsewhere')}"
                f" (HTTP {status}); briefgen does not send your API key on to another address: "
                f"set {ADDRESS_SETTING} to the right one"
            )
        if status == 412:
            return UpstreamError(
                f"{spec}: {SERVICE} had already seen this request's write token (HTTP 412): "
                "an earlier attempt may have created these items; check the collection before "
                "exporting again"
            )
        if status in (400, 401, 409, 413):
            error = UpstreamError if status == 409 else ConfigError  # 409: the library is locked
            return error(
                f"{spec}: {SERVICE} refused the items (HTTP {status}: "
                f"{self._body(response, 200)}){HINT if status in (400, 401) else ''}"
            )
        return UpstreamError(
            f"{spec}: {SERVICE} answered HTTP {status} ({self._body(response, 200)}); try "
            "again later"
        )


def _next_start(response: httpx.Response) -> int | None:
    """The `start` of the page a `Link: <…>; rel="next"` header points at, if any."""
    link = response.links.get("next")
    if not link or not link.get("url"):
        return None
    values = parse_qs(urlsplit(link["url"]).query).get("start")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def _total(response: httpx.Response) -> int | None:
    try:
        return int(response.headers.get("Total-Results", ""))
    except ValueError:
        return None


def _indexes(value: object) -> dict[int, Any]:
    if not isinstance(value, dict):
        return {}
    out = {}
    for index, item in value.items():
        try:
            out[int(index)] = item
        except (TypeError, ValueError):
            continue
    return out


def _failure(item: object) -> str:
    if isinstance(item, dict):
        code = item.get("code")
        message = " ".join(str(item.get("message") or "no message").split())[:200]
        return f"{message} (code {code})" if code is not None else message
    return str(item)[:200]

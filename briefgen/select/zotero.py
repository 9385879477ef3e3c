"""The Zotero web API v3, as far as the reader's library needs it: which library a
`zotero:` spec names, and every top-level item in it (`briefgen.select.library` turns the
items into entries, leaving notes and attachments out).

`zotero:USER_ID/COLLECTION_KEY` names a collection, `zotero:USER_ID` the whole library,
`zotero:groups/GROUP_ID[/COLLECTION_KEY]` a group's. The API key comes from the
ZOTERO_API_KEY variable only; it travels in the `Zotero-API-Key` header (never in a URL, so no
error that quotes a URL can show it), is never sent on through a redirect, and appears in no
message. Without a key only public libraries can be read.

Items come 100 a page (the API's maximum), following `Total-Results` (or `Link: rel="next"`
when a server sends no total). 429 and 5xx are retried with the project's policy, honouring
Retry-After (or Zotero's Backoff); 403, 404 and a redirect are the user's to fix (exit 5); a
host that cannot be reached stops at once (exit 6).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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
HINT = " (zotero_api_url in the config, or BRIEFGEN_ZOTERO_API_URL, sets its address)"

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


# fetching ----------------------------------------------------------------------------------------


def _get(
    client: httpx.Client, url: str, params: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    """One GET; a status worth retrying raises RetryableStatus with the wait asked for."""
    # Redirects are not followed: httpx would carry the Zotero-API-Key header to wherever
    # they point (it drops only Authorization across origins).
    response = client.get(url, params=params, headers=headers, follow_redirects=False)
    if response.status_code in RETRY_STATUSES:
        asked = response.headers.get("Retry-After") or response.headers.get("Backoff")
        raise RetryableStatus(SERVICE, response.status_code, retry_after_seconds(asked))
    return response


def _refused(response: httpx.Response, target: ZoteroTarget, key: str | None) -> Exception:
    spec, status = target.spec, response.status_code
    if status == 403 and key is None:
        return ConfigError(
            f"library {spec}: {SERVICE} answered HTTP 403 (forbidden) for {target.described}: "
            f"it is private (or does not exist); set {KEY_VARIABLE} to a Zotero API key that "
            f"can read it (create one at {KEYS_URL})"
        )
    if status == 403:
        return ConfigError(
            f"library {spec}: {SERVICE} refused the key in {KEY_VARIABLE} (HTTP 403) for "
            f"{target.described}: the key is wrong or revoked, or it may not read this "
            f"library; check it, or create one with read access at {KEYS_URL}"
        )
    if status == 404:
        return ConfigError(
            f"library {spec}: {SERVICE} has no {target.described} (HTTP 404); check the ID "
            f"(a number: yours is shown at {KEYS_URL}) and the collection key (the last part "
            "of the collection's URL on zotero.org)"
        )
    if 300 <= status < 400:
        where = response.headers.get("Location", "elsewhere")
        return ConfigError(
            f"library {spec}: {SERVICE} at {response.request.url.copy_with(query=None)} "
            f"redirects to {where} (HTTP {status}); briefgen does not send your API key on to "
            f"another address: set zotero_api_url (or BRIEFGEN_ZOTERO_API_URL) to the right one"
        )
    if status in (400, 401):
        return ConfigError(
            f"library {spec}: {SERVICE} refused the request (HTTP {status}: "
            f"{_body(response, key)}){HINT}"
        )
    return UpstreamError(
        f"library {spec}: {SERVICE} answered HTTP {status} for {target.described} "
        f"({_body(response, key)}); try again later"
    )


def _body(response: httpx.Response, key: str | None) -> str:
    text = " ".join(response.text.split())[:160] or "no details"
    return redact(text, [key]) if key else text


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


def _page(response: httpx.Response, target: ZoteroTarget) -> list[Any]:
    try:
        payload = response.json()
    except ValueError as exc:
        raise ParseError(
            f"library {target.spec}: {SERVICE} sent an answer that is not JSON ({exc})"
        ) from exc
    if not isinstance(payload, list):
        raise ParseError(
            f"library {target.spec}: {SERVICE} sent {type(payload).__name__}, not a list of items"
        )
    return payload


def fetch_items(
    client: httpx.Client,
    base_url: str,
    target: ZoteroTarget,
    *,
    key: str | None,
    policy: RetryPolicy,
) -> list[Any]:
    """Every top-level item of the target, page after page (raw JSON objects)."""
    url = base_url.rstrip("/") + target.path
    headers = {"Zotero-API-Version": "3", "Accept": "application/json"}
    if key:
        headers["Zotero-API-Key"] = key
    items: list[Any] = []
    start = 0
    for _ in range(MAX_PAGES):
        params = {"format": "json", "limit": str(PAGE_SIZE), "start": str(start)}
        response = policy.run(
            SERVICE, partial(_get, client, url, params, headers), is_transient_http, HINT, url=url
        )
        if response.status_code != 200:
            raise _refused(response, target, key)
        page = _page(response, target)
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
            policy.sleep(min(backoff, MAX_RETRY_AFTER))
    return items


# the whole library -------------------------------------------------------------------------------


def fetch_library(
    spec: str,
    *,
    settings: Settings,
    client: httpx.Client | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[ZoteroTarget, list[Any]]:
    """The target a spec names and every top-level item of it, as the API's JSON objects
    (see the module's docstring); each retry is one warning."""
    target = parse_zotero_spec(spec)
    base_url = settings.zotero_api_url.strip()
    if not base_url.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"library {spec}: zotero_api_url must be an http(s) URL, not {base_url!r}{HINT}"
        )
    key = (os.environ if env is None else env).get(KEY_VARIABLE, "").strip() or None
    policy = RetryPolicy(
        attempts=settings.http_retries,
        wait=settings.retry_wait_seconds,
        timeout=settings.http_timeout_seconds,
        timeout_setting="http_timeout_seconds",
        deadline=settings.service_deadline_seconds,
    )
    http = client or http_client(settings.http_timeout_seconds, settings.contact)
    try:
        items = fetch_items(http, base_url, target, key=key, policy=policy)
    except UnreachableError as exc:
        raise UnreachableError(f"library {target.spec}: {exc}", exc.reason) from exc
    except (ConfigError, ParseError):
        raise
    except UpstreamError as exc:
        message = str(exc)
        if not message.startswith("library "):
            message = f"library {target.spec}: {message}"
        raise UpstreamError(redact(message, [key]) if key else message) from exc
    finally:
        if client is None:
            http.close()
    return target, items

"""`briefgen export … --to zotero:USER_ID/COLLECTION_KEY`: a brief's papers written into a
Zotero collection through the web API v3 (the write side of `briefgen.select.zotero`).

Items are created with `POST /users/ID/items` (or `/groups/ID/items`), at most 50 a request
(the API's limit), each request with `Zotero-API-Version: 3`, the key from ZOTERO_API_KEY (in
the `Zotero-API-Key` header only, never in a URL or a message) and its own
`Zotero-Write-Token`, so that a request retried after a lost answer is not applied twice
(the API answers 412 to a token it has seen). Each item is a `preprint`: title, creators,
abstractNote, repository "arXiv", archiveID "arXiv:ID", date (the listing date), DOI, url,
collections [KEY], and extra carrying the brief's one-line contribution.

The API answers each batch with maps from the item's index in the request to what became of
it: `successful` (created; `success` holds only their keys), `unchanged` and `failed` (with a
code and a message); created and failed are counted and each failure is named. 429 and 5xx are
retried (honouring Retry-After and Backoff); 403, 404 and a redirect are the user's to fix
(exit 5), as reading a library is.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from briefgen.core.errors import ConfigError, ParseError, UpstreamError, UsageError
from briefgen.infra.net import (
    RETRY_STATUSES,
    RetryableStatus,
    RetryPolicy,
    UnreachableError,
    http_client,
    is_transient_http,
    retry_after_seconds,
)
from briefgen.infra.secrets import redact
from briefgen.outlets.export import Reference, split_name
from briefgen.select.zotero import HINT, KEY_VARIABLE, KEYS_URL, SERVICE, ZoteroTarget
from briefgen.select.zotero import parse_zotero_spec as _parse_spec

if TYPE_CHECKING:
    import httpx

    from briefgen.core.settings import Settings

BATCH = 50  # the most items the API takes in one write request


@dataclass
class PushReport:
    target: ZoteroTarget
    created: list[str] = field(default_factory=list)  # paper ids
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (paper id, why)


def parse_target(spec: str) -> ZoteroTarget:
    """`zotero:USER_ID/COLLECTION_KEY`, `zotero:groups/GROUP_ID/COLLECTION_KEY` (or without
    the collection: the library's top level); anything else is a usage error."""
    try:
        return _parse_spec(spec)
    except ConfigError as exc:
        raise UsageError(str(exc).replace(f"library {spec}:", f"--to {spec}:", 1)) from None


def creators(authors: list[str]) -> list[dict[str, str]]:
    out = []
    for name in authors:
        family, given = split_name(name)
        if given:
            out.append({"creatorType": "author", "firstName": given, "lastName": family})
        else:
            out.append({"creatorType": "author", "name": family})
    return out


def zotero_item(ref: Reference, collection: str | None) -> dict[str, Any]:
    """A Zotero `preprint` item (the API's item template, filled)."""
    extra = [f"arXiv: {ref.eprint}"]
    if ref.contribution:
        extra.append(f"Contribution (briefgen): {ref.contribution}")
    return {
        "itemType": "preprint",
        "title": ref.title,
        "creators": creators(ref.authors),
        "abstractNote": ref.abstract,
        "genre": "",
        "repository": "arXiv",
        "archiveID": f"arXiv:{ref.eprint}",
        "place": "",
        "date": ref.listed.isoformat() if ref.listed else "",
        "series": "",
        "seriesNumber": "",
        "DOI": ref.doi,
        "citationKey": "",
        "url": ref.url,
        "accessDate": "",
        "archive": "",
        "archiveLocation": "",
        "shortTitle": "",
        "language": "",
        "libraryCatalog": "arXiv.org",
        "callNumber": "",
        "rights": "",
        "extra": "\n".join(extra),
        "tags": [],
        "collections": [collection] if collection else [],
        "relations": {},
    }


def _post(
    client: httpx.Client, url: str, body: str, headers: dict[str, str]
) -> httpx.Response:
    # Redirects are not followed: the key would travel with them (see select.zotero).
    response = client.post(url, content=body.encode(), headers=headers, follow_redirects=False)
    if response.status_code in RETRY_STATUSES:
        asked = response.headers.get("Retry-After") or response.headers.get("Backoff")
        raise RetryableStatus(SERVICE, response.status_code, retry_after_seconds(asked))
    return response


def _body(response: httpx.Response, key: str) -> str:
    return redact(" ".join(response.text.split())[:200] or "no details", [key])


def _refused(response: httpx.Response, target: ZoteroTarget, key: str) -> Exception:
    spec, status = target.spec, response.status_code
    where = f"the {target.library.split('/')[0][:-1]} library {target.library.split('/')[1]}"
    if status == 403:
        return ConfigError(
            f"--to {spec}: {SERVICE} refused the key in {KEY_VARIABLE} (HTTP 403) for writing "
            f"to {where}: the key is wrong or revoked, or it may not write there; give it "
            f"write access at {KEYS_URL}"
        )
    if status == 404:
        return ConfigError(
            f"--to {spec}: {SERVICE} has no {where} (HTTP 404); check the ID (a number: yours "
            f"is shown at {KEYS_URL})"
        )
    if 300 <= status < 400:
        return ConfigError(
            f"--to {spec}: {SERVICE} redirects to {response.headers.get('Location', 'elsewhere')}"
            f" (HTTP {status}); briefgen does not send your API key on to another address: set "
            "zotero_api_url (or BRIEFGEN_ZOTERO_API_URL) to the right one"
        )
    if status == 412:
        return UpstreamError(
            f"--to {spec}: {SERVICE} had already seen this request's write token (HTTP 412): "
            "an earlier attempt may have created these items; check the collection before "
            "exporting again"
        )
    if status in (400, 401, 409, 413):
        kind = UpstreamError if status == 409 else ConfigError  # 409: the library is locked
        return kind(
            f"--to {spec}: {SERVICE} refused the items (HTTP {status}: "
            f"{_body(response, key)}){HINT if status in (400, 401) else ''}"
        )
    return UpstreamError(
        f"--to {spec}: {SERVICE} answered HTTP {status} ({_body(response, key)}); try again "
        "later"
    )


def _results(response: httpx.Response, target: ZoteroTarget) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError as exc:
        raise ParseError(f"--to {target.spec}: {SERVICE} sent an answer that is not JSON "
                         f"({exc})") from exc  # fmt: skip
    if not isinstance(payload, dict):
        raise ParseError(f"--to {target.spec}: {SERVICE} sent {type(payload).__name__}, not "
                         "the map of results")  # fmt: skip
    return payload


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


def write_items(
    client: httpx.Client,
    base_url: str,
    target: ZoteroTarget,
    refs: list[Reference],
    *,
    key: str,
    policy: RetryPolicy,
) -> PushReport:
    url = f"{base_url.rstrip('/')}/{target.library}/items"
    report = PushReport(target)
    for start in range(0, len(refs), BATCH):
        batch = refs[start : start + BATCH]
        headers = {
            "Zotero-API-Version": "3",
            "Zotero-API-Key": key,
            "Zotero-Write-Token": uuid.uuid4().hex,  # one per batch, the same on its retries
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        body = json.dumps([zotero_item(r, target.collection) for r in batch], ensure_ascii=False)
        response = policy.run(
            SERVICE, partial(_post, client, url, body, headers), is_transient_http, HINT, url=url
        )
        if response.status_code != 200:
            raise _refused(response, target, key)
        results = _results(response, target)
        created = _indexes(results.get("successful")) or _indexes(results.get("success"))
        unchanged = _indexes(results.get("unchanged"))
        failed = _indexes(results.get("failed"))
        for index, ref in enumerate(batch):
            if index in created:
                report.created.append(ref.eprint)
            elif index in unchanged:
                report.unchanged.append(ref.eprint)
            elif index in failed:
                report.failed.append((ref.eprint, redact(_failure(failed[index]), [key])))
            else:
                report.failed.append((ref.eprint, "not in the answer"))
    return report


def push_to_zotero(
    spec: str,
    refs: list[Reference],
    *,
    settings: Settings,
    client: httpx.Client | None = None,
    env: Mapping[str, str] | None = None,
) -> PushReport:
    """Create the references as items in the collection `spec` names (module docstring)."""
    target = parse_target(spec)
    key = (os.environ if env is None else env).get(KEY_VARIABLE, "").strip()
    if not key:
        raise ConfigError(
            f"--to {target.spec}: writing to Zotero needs an API key with write access in "
            f"{KEY_VARIABLE} (create one at {KEYS_URL})"
        )
    base_url = settings.zotero_api_url.strip()
    if not base_url.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"--to {target.spec}: zotero_api_url must be an http(s) URL, not {base_url!r}{HINT}"
        )
    policy = RetryPolicy(
        attempts=settings.http_retries,
        wait=settings.retry_wait_seconds,
        timeout=settings.http_timeout_seconds,
        timeout_setting="http_timeout_seconds",
        deadline=settings.service_deadline_seconds,
    )
    http = client or http_client(settings.http_timeout_seconds, settings.contact)
    try:
        return write_items(http, base_url, target, refs, key=key, policy=policy)
    except UnreachableError as exc:
        raise UnreachableError(f"--to {target.spec}: {exc}", exc.reason) from exc
    except (ConfigError, ParseError):
        raise
    except UpstreamError as exc:
        message = str(exc)
        if not message.startswith("--to "):
            message = f"--to {target.spec}: {message}"
        raise UpstreamError(redact(message, [key])) from exc
    finally:
        if client is None:
            http.close()

"""`briefgen export … --to zotero:USER_ID/COLLECTION_KEY`: a brief's papers written into a
Zotero collection, through the Zotero web API client (`briefgen.sources.zotero_api`, which
reads the reader's library too).

Each item is a `preprint`: title, creators, abstractNote, repository "arXiv", archiveID
"arXiv:ID", date (the listing date), DOI, url, collections [KEY], and extra carrying the
brief's one-line contribution. The API answers each batch with maps from the item's index in
the request to what became of it: `successful` (created; `success` holds only their keys),
`unchanged` and `failed` (with a code and a message); created and failed are counted and each
failure is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from briefgen.core.errors import ConfigError, UsageError
from briefgen.outlets.export import Reference, split_name
from briefgen.sources.zotero_api import (
    BATCH,
    KEY_VARIABLE,
    KEYS_URL,
    ZoteroClient,
    ZoteroTarget,
    api_key,
    parse_zotero_spec,
)

if TYPE_CHECKING:
    import httpx

    from briefgen.core.settings import Settings


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
        return parse_zotero_spec(spec)
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
    key = api_key(env)
    if not key:
        raise ConfigError(
            f"--to {target.spec}: writing to Zotero needs an API key with write access in "
            f"{KEY_VARIABLE} (create one at {KEYS_URL})"
        )
    zotero = ZoteroClient(target, f"--to {target.spec}", settings=settings, key=key, client=client)
    report = PushReport(target)
    batches = zotero.create_items([zotero_item(ref, target.collection) for ref in refs])
    for start, results in zip(range(0, len(refs), BATCH), batches, strict=True):
        for index, ref in enumerate(refs[start : start + BATCH]):
            if index in results.created:
                report.created.append(ref.eprint)
            elif index in results.unchanged:
                report.unchanged.append(ref.eprint)
            else:
                report.failed.append((ref.eprint, results.failed.get(index, "not in the answer")))
    return report

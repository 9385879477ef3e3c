"""The `file` source: a local JSON or JSONL list of papers (a hand-picked list, or a mirror)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefgen.core.errors import InputError, describe_validation
from briefgen.core.models import Paper
from briefgen.sources import merge_papers

FIELDS_HELP = "id, title, authors, abstract, categories, published (optional: url, upvotes)"


def _normalise(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object with {FIELDS_HELP}, got {type(record).__name__}")
    data = dict(record)
    if isinstance(data.get("authors"), str):
        data["authors"] = [a.strip() for a in data["authors"].split(",") if a.strip()]
    if "categories" not in data and "category" in data:
        data["categories"] = data.pop("category")
    if isinstance(data.get("categories"), str):
        data["categories"] = data["categories"].replace(",", " ").split()
    if isinstance(data.get("published"), str):
        # Accept full timestamps ("2026-02-17T18:59:59Z"): the listing date is the date part.
        data["published"] = data["published"][:10]
    data["source"] = "file"
    return data


def _paper(record: Any, where: str) -> Paper:
    try:
        return Paper.model_validate(_normalise(record))
    except ValidationError as exc:
        raise InputError(f"{where}: {'; '.join(describe_validation(exc))}") from exc
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from exc


def load_papers_file(path: Path) -> list[Paper]:
    """Read papers from `path`; errors name the file and the line (JSONL) or item (JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"papers file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"papers file is a directory: {path}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"cannot read papers file {path}: {exc.strerror}") from None

    papers: list[Paper] = []
    if text.lstrip().startswith(("[", "{")) and path.suffix != ".jsonl":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        items = document.get("papers") if isinstance(document, dict) else document
        if not isinstance(items, list):
            raise InputError(f'{path}: expected a JSON list of papers or {{"papers": [...]}}')
        for index, item in enumerate(items, start=1):
            papers.append(_paper(item, f"{path}: paper #{index}"))
    else:
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from None
            papers.append(_paper(record, f"{path}:{lineno}"))
    return merge_papers(papers)

"""The published JSON Schema of a brief (`briefgen schema`, and briefgen/data/brief.schema.json
in the package), so what `--format json` writes can be checked by anyone's tools."""

from __future__ import annotations

import json
from typing import Any

from briefgen.core.models import SCHEMA_VERSION, Brief

SCHEMA_ID = f"urn:briefgen:brief:v{SCHEMA_VERSION}"


def brief_schema() -> dict[str, Any]:
    schema = Brief.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "description": "A Paper Insight Brief as `briefgen daily|weekly --format json` writes it "
        f"(schema_version {SCHEMA_VERSION}).",
    }


def brief_schema_json() -> str:
    return json.dumps(brief_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

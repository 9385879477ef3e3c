"""What every model request shares: untrusted text fenced, schemas sent bare, and a reply's
validation errors told back in one line (for its one repair)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

MAX_ERRORS_SHOWN = 8


def fence(text: str, tag: str) -> str:
    """Untrusted text cannot open or close the fence it is put in, in any letter case or
    spacing ('</PAPER>', '< /paper >' become '</ PAPER>', '< paper >')."""
    pattern = re.compile(rf"<\s*(/?)\s*({re.escape(tag)})(?=[\s>/])", re.IGNORECASE)
    return pattern.sub(lambda m: f"<{m.group(1)} {m.group(2)}", text)


def bare_schema(schema: Any) -> Any:
    """`schema` without its titles and descriptions: what the model is sent, so that what a
    field must hold is stated once, in the prompt (property and definition names are kept)."""
    if isinstance(schema, list):
        return [bare_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "description"):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: bare_schema(sub) for name, sub in value.items()}
        else:
            out[key] = bare_schema(value)
    return out


def validation_summary(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        lines = [
            f"{'.'.join(str(p) for p in item['loc']) or '(root)'}: {item['msg']}"
            for item in error.errors()[:MAX_ERRORS_SHOWN]
        ]
        return "; ".join(lines)
    return str(error)

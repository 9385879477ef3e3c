"""Which of a brief's fields a reader reads as prose, declared on the models themselves.

Every text field of the brief's models carries one of two marks in its annotation
(`Annotated[str, TRANSLATED]`, `Annotated[str, NOT_TRANSLATED]`), and so does every field
holding a sub-model or a list of them. `translate.localize` walks the marked fields to collect
a brief's texts under stable keys and to swap translations in; a test fails on a text field
without a mark, so a new field is translated or not by decision, never by omission. The marks
are plain metadata: pydantic neither validates nor puts them in a JSON schema.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class Translatable:
    """Prose a reader reads: translated for a Chinese brief or report. On a sub-model (or a
    list of them) its own translatable fields are walked. `key` names the field in the text
    keys when that is not its name ('' puts a sub-model's texts straight under its parent's
    key); the keys are stored with translated briefs, so a key never changes."""

    key: str | None = None


@dataclass(frozen=True)
class NotTranslated:
    """Never translated: ids, links, names, dates, labels a renderer words itself, and text
    kept in English on purpose. On a sub-model, nothing in it is translated."""


TRANSLATED = Translatable()
NOT_TRANSLATED = NotTranslated()


def translation_mark(model: type[BaseModel], name: str) -> Translatable | NotTranslated | None:
    """The mark on `model`'s field `name`, None when it has none."""
    for mark in model.model_fields[name].metadata:
        if isinstance(mark, (Translatable, NotTranslated)):
            return mark
    return None


@functools.cache
def translatable_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field name, its key) for each field of `model` marked translatable, in field order."""
    fields: list[tuple[str, str]] = []
    for name in model.model_fields:
        mark = translation_mark(model, name)
        if isinstance(mark, Translatable):
            fields.append((name, name if mark.key is None else mark.key))
    return tuple(fields)

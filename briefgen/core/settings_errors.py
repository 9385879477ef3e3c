"""The settings' validation errors in the words of the config file: where, what, no pydantic
jargon, a guess for a mistyped key, and the table a key written in the wrong place belongs to."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from briefgen.core.errors import without_pydantic_noise
from briefgen.core.notify_targets import TARGET_MODELS
from briefgen.core.settings_moved import MOVED


def did_you_mean(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the pydantic model a field holds, whether as a table of named ones) or (None, False)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is dict:
        value = typing.get_args(annotation)[1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, True
    return None, False


NAMED_NOUNS = {"prices": "price field"}
# A table of named tables: the name an example of it uses.
EXAMPLE_NAMES = {"profiles": "default", "prices": '"MODEL"'}


def _target_keys() -> dict[str, list[str]]:
    """kind -> the keys a notify target of that kind takes, as the config file spells them."""
    keys: dict[str, list[str]] = {}
    for model in TARGET_MODELS:
        names = sorted(f.alias or n for n, f in model.model_fields.items() if n != "kind")
        for kind in typing.get_args(model.model_fields["kind"].annotation):
            keys[kind] = names
    return keys


def _unknown_target_key(kind: str, key: str) -> str:
    """A key a notify target of `kind` does not take: another kind's, or a typo."""
    by_kind = _target_keys()
    takes = ", ".join(by_kind[kind])
    if any(key in keys for keys in by_kind.values()):
        return f"{key} is not a setting of a {kind} target (it takes: {takes})"
    guess = did_you_mean(key, by_kind[kind])
    return f"unknown notify target setting (a {kind} target takes: {takes}){guess}"


def _kind_problem(error: Any) -> str:
    """A [notify.NAME] table whose kind is missing or not one of the kinds."""
    kinds = [repr(kind) for kind in _target_keys()]
    shown = f"{', '.join(kinds[:-1])} or {kinds[-1]}"
    if error["type"] == "union_tag_not_found":
        return f"a target needs its kind: {shown}"
    return f"Input should be {shown}"


class Layout:
    """Which table of the config file each key belongs to, read off the settings model."""

    def __init__(self, settings: type[BaseModel]) -> None:
        fields = {k: f for k, f in settings.model_fields.items() if not f.exclude}
        self.top = list(fields)
        self.tables: dict[str, type[BaseModel]] = {}  # [sources], [mcp] …
        self.named: dict[str, type[BaseModel]] = {}  # [profiles.NAME], [prices."MODEL"] …
        for name, field in fields.items():
            model, many = model_of(field.annotation)
            if model is not None:
                (self.named if many else self.tables)[name] = model
        self.home = {key: f"[{table}]"
                     for table, model in self.tables.items() for key in model.model_fields}
        self.home.update({old: f"[{group}] (as {new})" if old != new else f"[{group}]"
                          for old, (group, new) in MOVED.items()})  # fmt: skip
        self.profile_keys = list(self.named["profiles"].model_fields)
        self.named_tables = {*self.named, "notify"}  # notify: a model per kind, not one

    def example(self, table: str) -> tuple[str, str, str]:
        """An example of `table`: its header, a key of it, and that key's value ('…')."""
        if table == "notify":  # one model per kind: a target starts with its kind
            return "[notify.NAME]", "kind", '"…"'
        many = table in self.named
        model = (self.named if many else self.tables)[table]
        key, field = next(iter(model.model_fields.items()))
        value = '"…"' if field.annotation is str else "…"
        header = f"[{table}.{EXAMPLE_NAMES[table]}]" if many else f"[{table}]"
        return header, field.alias or key, value

    def table_given_a_value(self, table: str) -> str:
        """What a top-level `table = value` in the config file is told."""
        header, key, value = self.example(table)
        what = (f"these are the [{table}.NAME] tables" if table in self.named_tables
                else f"this is the [{table}] table")  # fmt: skip
        return (f"{what}, not a value: write {header} and under it its keys, "
                f"e.g. {key} = {value}")

    def variable_for_table(self, table: str) -> str:
        """What a BRIEFGEN_<TABLE> variable holding a value (not JSON) is told; '' if `table`
        is not a table."""
        if table not in self.tables and table not in self.named_tables:
            return ""
        header, key, _ = self.example(table)
        path = header.strip("[]").replace('"', "").replace(".", "__").upper()
        shown = f"[{table}.NAME]" if table in self.named_tables else header
        return (f"{shown} is a table of settings, not a value; set one of its keys, "
                f"e.g. BRIEFGEN_{path}__{key.upper()}=…")

    def guess(self, key: str) -> str:
        """A guess for a top-level key that is no setting: a top-level one, or a key of a
        table, said with its table (concurency: '[model] concurrency')."""
        places = {name: "" for name in self.top}
        places.update({old: self.home[old].split()[0] + f" {MOVED[old][1]}" for old in MOVED})
        places.update({k: f"[{t}] {k}" for t, model in self.tables.items()
                       for k in model.model_fields})  # fmt: skip
        places.update({k: f"[profiles.default] {k}" for k in self.profile_keys})
        close = difflib.get_close_matches(key, list(places), n=1, cutoff=0.6)
        if not close:
            return ""
        place = places[close[0]]
        named = place.split()[-1] if place else close[0]
        return f"; did you mean {named!r}" + (f" ({place})?" if place else "?")

    def elsewhere(self, key: str, here: str) -> str:
        """Where `key`, written in `here` where it is not a setting, belongs; '' if nowhere."""
        if key in self.top and here != "top":
            return f"; {key} is a top-level setting: move it above the first [table] of the file"
        if key in self.profile_keys and here != "profile":
            return (f"; {key} belongs to a profile: put it under [profiles.default] (or your "
                    "profile's table)")  # fmt: skip
        home = self.home.get(key)
        if home and not home.startswith(f"[{here}]"):
            return f"; this key belongs to {home}: put it under {home.split()[0]}"
        return ""

    def unknown_key(self, loc: tuple[int | str, ...]) -> str:
        """What a key that is not a setting may have meant: a typo of one, or a setting written
        in the wrong table (TOML puts every key after a [table] header into that table)."""
        key = str(loc[-1])
        if len(loc) == 1:
            return "unknown setting" + (self.elsewhere(key, "top") or self.guess(key))
        table = str(loc[0])
        if table == "profiles" and len(loc) == 3:
            return "unknown profile setting" + (
                self.elsewhere(key, "profile") or did_you_mean(key, self.profile_keys)
            )
        if table in self.tables and len(loc) == 2:
            keys = list(self.tables[table].model_fields)
            return (f"unknown [{table}] setting" + (self.elsewhere(key, table) or
                    f" (settings: {', '.join(keys)}){did_you_mean(key, keys)}"))  # fmt: skip
        if table in self.named and len(loc) == 3:
            keys = list(self.named[table].model_fields)
            noun = NAMED_NOUNS.get(table, f"[{table}.NAME] setting")
            return f"unknown {noun} (settings: {', '.join(keys)}){did_you_mean(key, keys)}"
        return "not expected here"


def describe_settings_errors(exc: ValidationError, settings: type[BaseModel]) -> list[str]:
    """The settings' validation errors as 'where: what' lines."""
    layout = Layout(settings)
    lines = []
    for error in exc.errors():
        loc, kind = tuple(error["loc"]), ""
        if loc[:1] == ("notify",) and len(loc) > 2:
            kind, loc = str(loc[2]), loc[:2] + loc[3:]  # the kind pydantic told the union by
        where = ".".join(str(part) for part in loc)
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            where, message = f"{where}.kind", _kind_problem(error)
        elif error["type"] == "extra_forbidden" and kind and len(loc) == 3:
            message = _unknown_target_key(kind, str(loc[-1]))
        elif error["type"] == "extra_forbidden" and loc:
            message = layout.unknown_key(loc)
        elif error["type"] in ("model_type", "dict_type") and len(loc) == 1 and (
            loc[0] in layout.tables or loc[0] in layout.named_tables
        ):
            message = layout.table_given_a_value(str(loc[0]))
        else:
            message = without_pydantic_noise(error["msg"])
        lines.append(f"{where}: {message}" if where else message)
    return lines

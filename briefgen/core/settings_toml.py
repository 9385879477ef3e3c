"""The settings as TOML: the effective ones (`config show`), and the commented template
`config init` writes, its comments the fields' descriptions, so that each fact is written
once, on the field it describes."""

from __future__ import annotations

import textwrap
from typing import Any

import tomlkit
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from tomlkit import TOMLDocument
from tomlkit.items import Table

from briefgen.core.notify_targets import (
    EmailTarget,
    FeishuTarget,
    TargetBase,
    TelegramTarget,
    WebhookTarget,
    notify_env_name,
)
from briefgen.core.notify_targets import __doc__ as NOTIFY_DOC
from briefgen.core.settings import Price, Profile, Settings

WIDTH = 96


def _dumped(model: BaseModel) -> dict[str, Any]:
    # TOML has no null: an unset optional key is simply absent.
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def settings_to_toml(settings: Settings) -> str:
    """The effective settings as a TOML document that `load_settings` reads back."""
    values = _dumped(settings)
    values["notify"] = {name: _written(target) for name, target in settings.notify.items()}
    return tomlkit.dumps(_readable(values))


def _readable(values: dict[str, Any]) -> dict[str, Any]:
    """No empty table ([notify] when there is no target), a long list one item a line."""
    return {key: _readable(value) if isinstance(value, dict) else _value(value)
            for key, value in values.items() if value != {}}  # fmt: skip


def _comment(text: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width - 2)


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _value(value: Any) -> Any:
    """A long list one item a line, so that the file stays readable."""
    if isinstance(value, list) and len(str(value)) > WIDTH - 20:
        array = tomlkit.array()
        array.extend(value)
        return array.multiline(True)
    return value


def _keys(model: BaseModel) -> list[tuple[str, FieldInfo]]:
    """(key as the file spells it, field) in the model's order, the kind of a target first."""
    fields = [(field.alias or name, field) for name, field in type(model).model_fields.items()]
    return sorted(fields, key=lambda pair: pair[0] != "kind")


def _written(model: BaseModel) -> dict[str, Any]:
    """A target's (or a price's) values as the file writes them: the kind first, and no
    optional text left empty (username_env = "" says nothing the default does not)."""
    values = _dumped(model)
    return {key: values[key] for key, field in _keys(model)
            if key in values and not (values[key] == "" and field.default == "")}  # fmt: skip


def _described(model: BaseModel, heading: str = "") -> Table:
    """`model`'s values as a table under `heading`, each key under its field's description."""
    table = tomlkit.table()
    for line in _comment(heading):
        table.add(tomlkit.comment(line))
    values = _dumped(model)
    for key, field in _keys(model):
        _add(table, key, field, values)
    return table


def _add(
    container: TOMLDocument | Table, key: str, field: FieldInfo, values: dict[str, Any]
) -> None:
    """`key` under its field's description (a key with no value by default: named in it)."""
    description = field.description or ""
    if key not in values:
        description = f"{key}: {description} (not set by default)"
    for line in _comment(description):
        container.add(tomlkit.comment(line))
    if key in values:
        container.add(key, _value(values[key]))


def _commented_out(path: tuple[str, str], model: BaseModel, note: str) -> list[str]:
    """An example [TABLE.NAME], every line commented out, each key with its description."""
    named = tomlkit.table()
    fields = dict(_keys(model))
    for key, value in _written(model).items():
        item = tomlkit.item(value)
        item.comment(fields[key].description or "")
        named.add(key, item)
    outer = tomlkit.table(is_super_table=True)
    outer.add(path[1], named)
    document = tomlkit.document()
    document.add(path[0], outer)
    lines = [f"# {line}".rstrip() for line in document.as_string().strip().splitlines()]
    return [*(f"# {line}" for line in _comment(note)), *lines, ""]


# The example targets the template shows, one of each kind.
EXAMPLE_TARGETS: dict[str, TargetBase] = {
    "me": EmailTarget(kind="email", to=["you@example.org"], sender="briefgen@example.org",
                      smtp_host="smtp.example.org", username_env="BRIEFGEN_SMTP_USER",
                      password_env="BRIEFGEN_SMTP_PASSWORD"),
    "team": WebhookTarget(kind="slack", url_env="BRIEFGEN_SLACK_URL", format="summary",
                          lang="zh"),
    "lark": FeishuTarget(kind="feishu", url_env=notify_env_name("lark", "URL"),
                         secret_env="BRIEFGEN_FEISHU_SECRET"),
    "channel": TelegramTarget(kind="telegram", token_env=notify_env_name("channel", "TOKEN"),
                              chat_id="@yourchannel"),
}  # fmt: skip


def default_config_text() -> str:
    """The commented config file `briefgen config init` writes: the defaults, each key under
    its description, and commented-out examples of the tables that have no default."""
    defaults = Settings()
    document = tomlkit.document()
    for line in _comment(f"briefgen configuration. {Settings.__doc__}"):
        document.add(tomlkit.comment(line))
    document.add(tomlkit.nl())
    values = _dumped(defaults)
    tables: list[tuple[str, Table]] = []
    for name, field in Settings.model_fields.items():
        value = getattr(defaults, name)
        if field.exclude or isinstance(value, dict):
            continue  # the store; the profiles, prices and targets follow
        if isinstance(value, BaseModel):
            tables.append((name, _described(value, _doc(type(value)))))
        else:
            _add(document, name, field, values)
    for name, table in tables:
        document.add(name, table)
    profiles = tomlkit.table(is_super_table=True)
    profiles.add("default", _described(defaults.active_profile, _doc(Profile)))
    document.add("profiles", profiles)
    examples = _commented_out(("prices", "my-model"), Price(input=0.5, output=1.5), _doc(Price)
                              + " For models briefgen does not know; [prices.\"MODEL\"].")
    examples += [*(f"# {line}" for line in _comment(NOTIFY_DOC or "")), ""]
    for name, target in EXAMPLE_TARGETS.items():
        examples += _commented_out(("notify", name), target, _doc(type(target)))
    return document.as_string().rstrip("\n") + "\n\n" + "\n".join(examples)


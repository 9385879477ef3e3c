"""MkDocs hooks (mkdocs.yml: `hooks:`): the reference pages are generated from the code when the
site is built, so they cannot drift from it.

- `<!-- briefgen:cli-reference -->` (docs/reference/cli.md) becomes every command of the Typer
  app, in the order `briefgen --help` lists them: usage, what it does, and each option with its
  value, help and built-in default (the settings' default for an option the settings back).
- `<!-- briefgen:config-reference -->` (docs/reference/configuration.md) becomes every setting
  of briefgen/core/settings.py: its key, type, default, environment variable and the
  description written on its Field.

tests/test_docs.py checks that both name everything there is.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLI_MARKER = "<!-- briefgen:cli-reference -->"
CONFIG_MARKER = "<!-- briefgen:config-reference -->"


def _cell(text: str) -> str:
    """Text for a markdown table cell: one line, pipes and angle brackets escaped."""
    text = " ".join(text.split())
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


# The command line ----------------------------------------------------------------------------


def cli_reference() -> str:
    import typer
    from rich.text import Text
    from typer.core import TyperCommand, TyperGroup, TyperOption
    from typer.main import get_command

    from briefgen.cli import app
    from briefgen.cli.helpformat import (
        default_text,
        paragraphs,
        params_of,
        value_name,
        value_range,
    )
    from briefgen.cli.options import SETTING_FLAGS
    from briefgen.core.settings import Settings

    builtin = Settings()
    out: list[str] = []

    def plain(markup: str) -> str:
        return Text.from_markup(markup).plain

    def document(command: TyperCommand | TyperGroup, ctx: typer.Context, level: int) -> None:
        out.append(f"{'#' * level} {ctx.command_path}\n")
        texts = paragraphs(command.help)
        out.extend(f"{p}\n" for p in texts)  # a docstring is text, not Rich markup
        usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
        out.append(f"```text\n{usage}\n```\n")
        rows = []
        for param in params_of(ctx):
            if isinstance(param, TyperOption):
                names = ", ".join(_code(o) for o in [*param.opts, *param.secondary_opts])
            else:
                names = _code((param.metavar or param.name or "ARG").upper())
            value = value_name(param, ctx)
            help_text = plain(" ".join(paragraphs(getattr(param, "help", None))))
            help_text += value_range(param)
            backed = SETTING_FLAGS.get(param.name or "")
            if backed is not None and param.default in (None, False):
                default = backed.show(builtin)
                default_words = f"{default} (configurable)" if default else ""
            else:
                found = default_text(param, ctx)
                default_words = found[len("[default: "):-1] if found else ""
            rows.append(
                f"| {names} | {_code(value) if value else ''} | {_cell(help_text)} | "
                f"{_cell(default_words)} |"
            )
        if rows:
            out.append("| option | value | what it does | default |\n|---|---|---|---|")
            out.append("\n".join(rows) + "\n")
        if isinstance(command, TyperGroup):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if isinstance(sub, TyperCommand | TyperGroup) and not sub.hidden:
                    document(sub, typer.Context(sub, info_name=name, parent=ctx), level + 1)

    root = get_command(app)
    root_ctx = typer.Context(root, info_name="briefgen")
    assert isinstance(root, TyperGroup)
    for name in root.list_commands(root_ctx):
        command = root.get_command(root_ctx, name)
        if isinstance(command, TyperCommand | TyperGroup) and not command.hidden:
            document(command, typer.Context(command, info_name=name, parent=root_ctx), 2)
    return "\n".join(out)


# The settings --------------------------------------------------------------------------------


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None)) + (
            " (or unset)" if type(None) in args else ""
        )
    if origin is typing.Literal:
        return " / ".join(json.dumps(a) for a in args)
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " / ".join(json.dumps(m.value) for m in annotation)
    names = {str: "string", int: "integer", float: "number", bool: "true/false", Path: "path"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _toml(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "unset"
    if isinstance(value, (list, tuple)):
        shown = [_toml(v) for v in value]
        if len(shown) > 8:
            return f"[{', '.join(shown[:6])}, … {len(shown)} in all]"
        return f"[{', '.join(shown)}]"
    if isinstance(value, dict):
        return "{}" if not value else f"{len(value)} entries"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _table(model: type[Any], variable: Callable[[str], str | None]) -> list[str]:
    from briefgen.core.settings_errors import model_of

    rows = ["| key | type | default | variable | what it is |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if field.exclude or model_of(field.annotation)[0] is not None or name == "notify":
            continue
        key = field.alias or name
        default = (
            "required"
            if field.is_required()
            else _code(_toml(field.get_default(call_default_factory=True)))
        )
        named = variable(name)
        rows.append(
            f"| {_code(key)} | {_cell(_type_name(field.annotation))} | "
            f"{_cell(default)} | {_code(named) if named else ''} | "
            f"{_cell(field.description or '')} |"
        )
    return rows


def _described(model: type[Any]) -> list[str]:
    return [" ".join(model.__doc__.split()) + "\n"] if model.__doc__ else []


def config_reference() -> str:
    from briefgen.core.notify_targets import TARGET_MODELS
    from briefgen.core.settings import PROFILE_VARIABLES, Settings
    from briefgen.core.settings_errors import model_of

    # The variables, as pydantic-settings names them: BRIEFGEN_LANG, BRIEFGEN_SOURCES__USE.
    prefix = Settings.model_config.get("env_prefix", "")
    nested = Settings.model_config.get("env_nested_delimiter") or ""

    def top(name: str) -> str:
        return f"{prefix}{name.upper()}"

    out = ["## Top-level settings\n", *_table(Settings, top), ""]
    for name, field in Settings.model_fields.items():
        model, many = model_of(field.annotation)
        if model is None or field.exclude:
            continue
        title = f"[{name}.NAME]" if many else f"[{name}]"
        out.append(f"## {title}\n")
        out.extend(_described(model))
        if name == "profiles":
            out.extend(_table(model, lambda key: top(key) if key in PROFILE_VARIABLES else None))
            out.append("\nThe variables set the active profile's values (lists comma-separated).")
        elif many:
            out.extend(_table(model, lambda key: None))
        else:
            out.extend(_table(model, lambda key, group=name: f"{top(group)}{nested}{key.upper()}"))
        out.append("")
    out.append("## [notify.NAME]\n")
    out.append(f"{Settings.model_fields['notify'].description}; one model per kind.\n")
    for model in TARGET_MODELS:
        kinds = " / ".join(typing.get_args(model.model_fields["kind"].annotation))
        out.append(f"### kind = {kinds}\n")
        out.extend([*_described(model), *_table(model, lambda key: None), ""])
    return "\n".join(out)


# MkDocs ------------------------------------------------------------------------------------


def on_page_markdown(markdown: str, **_: Any) -> str:
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if CONFIG_MARKER in markdown:
        markdown = markdown.replace(CONFIG_MARKER, config_reference())
    return markdown

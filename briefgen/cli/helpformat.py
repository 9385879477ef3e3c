"""`--help` that fits a terminal: every command's help readable at 80 columns.

Typer's own layout gives each option four columns (long name, short name, the negative form,
the type), so at 80 columns the help column was 17 characters wide and long defaults were cut
with an ellipsis. Here an option takes two narrow columns, its names (a negative form on a
line of its own) and a one-word value name (`FORMAT`, `PATH`, `N`), and its help the rest of
the width; a help text wraps and is never cut. Sentences are joined, so no line breaks in
the middle. The details live in the documentation (docs/reference/cli.md is generated from
the same commands).
"""

from __future__ import annotations

import enum
import inspect
import os
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# A command line's parts, as Typer's public classes name them. (Typer vendors Click as the
# private `typer._click`: its Command, Parameter and Context are no public names, so a part
# that comes from a Click method is narrowed to these before it is used.)
Param = TyperOption | TyperArgument


def paragraphs(text: str | None) -> list[str]:
    """A help text's paragraphs, each one line: single line breaks are spaces (a paragraph
    written after '\\b' keeps its lines, as Click's convention has it)."""
    out = []
    for paragraph in inspect.cleandoc(text or "").partition("\f")[0].split("\n\n"):
        if paragraph.startswith("\b"):
            out.append(paragraph.strip("\b\n"))
        elif paragraph.strip():
            out.append(" ".join(paragraph.split()))
    return out


def summary(command: TyperCommand | TyperGroup) -> str:
    """What a group's listing says of a command: its short help, else its first paragraph."""
    found = paragraphs(command.short_help or command.help)
    return found[0] if found else ""


def value_name(param: Param, ctx: typer.Context) -> str:
    """A short name for the value an option takes: its own metavar, else a word from its type
    ('PATH', 'N'), else from its name ('FORMAT' for --format's choices, 'MODEL')."""
    if not isinstance(param, TyperOption) or param.is_flag:
        return ""
    if param.metavar:
        return param.metavar
    kind = (param.display_type_rich(ctx=ctx) or "").strip("<>")
    if kind == "path":
        return "PATH"
    if kind.split(" ")[0] in ("int", "float"):
        return "N"
    longest = max(param.opts, key=len).lstrip("-")
    return longest.split("-")[-1].upper()


def _show(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def default_text(param: Param, ctx: typer.Context) -> str | None:
    """'[default: …]' as Typer would show it, or None."""
    if isinstance(param, TyperOption) and param.is_flag and not param.secondary_opts:
        return None  # a plain flag is off unless given
    if isinstance(param.show_default, str):
        return f"[default: {param.show_default}]"
    if not (param.show_default or ctx.show_default):
        return None
    value = param.get_default(ctx, call=False)  # as declared: a factory is not called
    if value is None or callable(value):
        return None
    if isinstance(param, TyperOption) and param.is_flag:
        names = param.opts if value else param.secondary_opts
        return f"[default: {names[0].lstrip('-')}]"
    shown = _show(value)
    return f"[default: {shown}]" if shown else None


def value_range(param: Param) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f" ({low} to {high})"
    if low is not None:
        return f" ({low} or more)"
    if high is not None:
        return f" ({high} or less)"
    return ""


def _help_cell(param: Param, ctx: typer.Context) -> Text:
    text = Text(overflow="fold")
    words = " ".join(paragraphs(param.help))
    # The range goes before a default that options.py added (escaped, as markup).
    words, marker, shown = words.partition(" \\[default: ")
    text.append_text(Text.from_markup(words + value_range(param) + marker + shown))
    default = default_text(param, ctx)
    if default and "[default: " not in text.plain:
        text.append(f" {default}", style="dim")
    if param.required and isinstance(param, TyperOption):
        text.append(" [required]", style="dim red")
    return text


def _names(param: Param) -> Text:
    if not isinstance(param, TyperOption):
        name = (param.metavar or param.name or "ARG").upper()
        return Text(name + ("..." if param.nargs != 1 else ""), style="bold cyan")
    longs = [o for o in param.opts if o.startswith("--")]
    shorts = [o for o in param.opts if not o.startswith("--")]
    text = Text(", ".join(longs + shorts), style="bold cyan")
    for other in param.secondary_opts:
        text.append(f"\n{other}", style="bold magenta")
    return text


def _table() -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="yellow")
    table.add_column(ratio=1, overflow="fold")
    return table


def _panel(title: str, body: Table) -> Panel:
    return Panel(body, title=title, title_align="left", border_style="dim", box=box.ROUNDED)


def help_console() -> Console:
    """A console as wide as the terminal, or as TERMINAL_WIDTH / COLUMNS say, read now (not
    when a module was imported: a test may ask for 80 columns, then for 400)."""
    width = os.environ.get("TERMINAL_WIDTH", "")
    return Console(width=int(width) if width.isdigit() else None, highlight=False)


def params_of(ctx: typer.Context) -> list[Param]:
    """The arguments and options of the context's command that its help shows."""
    return [p for p in ctx.command.get_params(ctx) if isinstance(p, Param) and not p.hidden]


def render_help(ctx: typer.Context, console: Console) -> None:
    """Usage, what the context's command does, its arguments and options, and (for a group)
    its commands in the order they are listed."""
    command = ctx.command
    usage = " ".join(["Usage:", ctx.command_path, *command.collect_usage_pieces(ctx)])
    parts: list[Any] = [Padding(Text(usage, style="bold"), (1, 1, 1, 1))]
    texts = paragraphs(command.help)
    if texts:
        body = Text(texts[0], style="bold")
        for paragraph in texts[1:]:
            body.append("\n\n")
            body.append(paragraph)  # a docstring is text: `[mcp]` is not markup
        parts.append(Padding(body, (0, 1, 1, 1)))
    arguments, options = _table(), _table()
    for param in params_of(ctx):
        table = options if isinstance(param, TyperOption) else arguments
        table.add_row(_names(param), value_name(param, ctx), _help_cell(param, ctx))
    if arguments.row_count:
        parts.append(_panel("Arguments", arguments))
    if options.row_count:
        parts.append(_panel("Options", options))
    if isinstance(command, TyperGroup):
        commands = Table(box=None, show_header=False, expand=True, pad_edge=False,
                         padding=(0, 1))  # fmt: skip
        commands.add_column(no_wrap=True, style="bold cyan")
        commands.add_column(ratio=1, overflow="fold")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if isinstance(sub, TyperCommand | TyperGroup) and not sub.hidden:
                commands.add_row(name, Text(summary(sub)))
        if commands.row_count:
            parts.append(_panel("Commands", commands))
    if command.epilog:
        parts.append(Padding(Text(" ".join(paragraphs(command.epilog))), (1, 1, 0, 1)))
    console.print(Group(*parts))

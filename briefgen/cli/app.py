"""The Typer application and its sub-command groups; commands register themselves on them.

Also what every command's help looks like (a flag takes no value, arguments are named in
capitals) and how the process ends: a second Ctrl-C leaves at once and silently, and a reader
that stops reading (`briefgen … | head`) ends briefgen quietly, as it ends any Unix tool.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from briefgen import __version__
from briefgen.infra.secrets import install_log_redaction

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C
PIPE_CLOSED = 141  # 128 + SIGPIPE, what a shell reports for `yes | head -1`'s yes
USAGE_ERROR = 2  # what a usage error exits with, as Click's UsageError does


def _usage_pieces(options_metavar: str | None, params: Iterable[object]) -> list[str]:
    """'[OPTIONS] PAPER_ID', 'FILES...': arguments in capitals as Unix usage lines name them
    ('{paper_id}' reads as a choice between alternatives)."""
    pieces = [options_metavar] if options_metavar else []
    for param in params:
        if isinstance(param, TyperArgument):
            name = (param.metavar or param.name or "ARG").upper()
            if param.nargs != 1:
                name += "..."
            pieces.append(name if param.required else f"[{name}]")
    return pieces


class _OwnHelp:
    """What a command and a group share: help that fits a terminal of 80 columns
    (briefgen/cli/helpformat.py).

    The overrides here and below take `Any`: Typer declares them with its vendored Click's
    Context and HelpFormatter, which are no public names (typer.Context, a subclass, would
    narrow them). Each class makes its contexts typer.Context (`context_class`), so that the
    helpers they are handed to can say so."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from briefgen.cli.helpformat import help_console, render_help

        render_help(ctx, help_console())


class BaseCommand(_OwnHelp, TyperCommand):
    """A command whose help says what the command line takes."""

    context_class = typer.Context

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage_pieces(self.options_metavar, self.get_params(ctx))


# pydantic's phrases, as a value checked by a settings field fails, in briefgen's words.
_PYDANTIC_WORDS = [
    (re.compile(r"Value error, "), ""),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be \1 or more"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be \1 or less"),
    (re.compile(r"Input should be a valid (\w+)(?:, unable to parse string as an? \w+)?"),
     r"must be a valid \1"),
]  # fmt: skip


def usage_line(error: typer.TyperException) -> str:
    """A usage error as one line in briefgen's words, with where the help is: never a box or
    a 'Usage:' block (scripts read one line; people find --help named)."""
    message = " ".join(error.format_message().split())
    for pattern, words in _PYDANTIC_WORDS:
        message = pattern.sub(words, message)
    # Named as people type it, whatever the program name (`python -m briefgen`, a test runner).
    # Click's usage errors carry the context of the command they concern; TyperException, the
    # public base they share, does not declare it.
    ctx = getattr(error, "ctx", None)
    path = ctx.command_path.split(" ")[1:] if isinstance(ctx, typer.Context) else []
    where = " ".join(["briefgen", *path])
    return f"error: {message.rstrip('.')}; see '{where} --help'"


# The order people use the commands in: make a brief, look at what it read, the week's roundup
# and its feed, then the store (search, export, send, stars), then the tools around them. A
# command not named here (a new one) comes after these, in the order it was registered.
COMMAND_ORDER = [
    "daily", "papers", "show", "analyze", "weekly", "feed", "render", "lint", "search",
    "export", "send", "star", "unstar", "mcp", "schema", "config", "cache",
    # config and cache
    "init", "show", "path", "stats", "clear", "repair",
]  # fmt: skip


class Group(_OwnHelp, TyperGroup):
    """A group of commands, listed in the order people use them."""

    context_class = typer.Context

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        known = {name: COMMAND_ORDER.index(name) for name in names if name in COMMAND_ORDER}
        return sorted(names, key=lambda name: (name not in known, known.get(name, 0)))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """`briefgen config`, a group given no command: its help, and the exit of a usage
        error (as Typer's NoArgsIsHelpError, whose class is not public, would)."""
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            self.format_help(ctx, None)
            raise typer.Exit(USAGE_ERROR)
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """As Typer's, but a usage error is one line (exit 2), not a box."""
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except typer.TyperException as error:  # the public base of Click's errors (typer 0.28)
            if error.exit_code == USAGE_ERROR:
                sys.stderr.write(usage_line(error) + "\n")
            else:
                sys.stderr.write(f"Error: {error.format_message()}\n")
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=Group,
    help="Paper Insight Briefs from a day's arXiv papers, in English and Chinese.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a traceback must never print an API key
)
config_app = typer.Typer(
    cls=Group, help="The config file: init, show, path.", no_args_is_help=True
)
cache_app = typer.Typer(
    cls=Group, help="The local store: path, stats, clear, repair.", no_args_is_help=True
)
app.add_typer(config_app, name="config")
app.add_typer(cache_app, name="cache")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"briefgen {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """briefgen: daily Paper Insight Briefs from arXiv."""
    install_log_redaction()  # also when run through CliRunner or as `python -m briefgen`


class Interrupts:
    """Ctrl-C as a user means it: the first stops the run (reported in one line, exit 130);
    a second one, while the run winds down (threads finishing, files closing), leaves at
    once, without a traceback."""

    seen = False  # the first Ctrl-C arrived
    reporting = False  # ... its one line is being written (the exit follows it)
    reported = False  # ... and is on stderr

    @classmethod
    def handle(cls, signum: int, frame: FrameType | None) -> None:
        if not cls.seen:
            cls.seen = True
            raise KeyboardInterrupt
        if cls.reporting:
            return  # the line is on its way and the exit right after it
        if not cls.reported:
            os.write(2, b"error: interrupted\n")
        os._exit(INTERRUPTED)  # skip the rest of the shutdown: that is what was asked for

    @classmethod
    def report(cls, say: Callable[[], None]) -> None:
        """Say that the run was interrupted, once, whatever a second Ctrl-C does meanwhile."""
        cls.reporting = True
        try:
            say()
        finally:
            cls.reported, cls.reporting = True, False

    @classmethod
    def install(cls) -> None:
        # Only where Python's own handler is (a shell may start a background job with Ctrl-C
        # ignored, and that must stay so), and only the main thread may set one.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            signal.signal(signal.SIGINT, cls.handle)


def silence_stdout() -> None:
    """The reader of stdout is gone (`briefgen … | head -1`): what is still buffered for it goes
    nowhere, so that no flush (now or at exit) raises again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test runner's buffer): replace it
        sys.stdout = io.StringIO()


def _flushed(code: int | str | None) -> int | str | None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return PIPE_CLOSED
    except (OSError, ValueError):
        pass
    return code


def _stdout_file() -> tuple[int, int] | None:
    try:
        info = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def main() -> None:
    install_log_redaction()
    Interrupts.install()
    stream, stdout = sys.stdout, _stdout_file()
    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # before a command could report it
        code = INTERRUPTED
    except BrokenPipeError:
        code = PIPE_CLOSED
    if sys.stdout is not stream:
        code = PIPE_CLOSED  # Typer met the closed pipe first and hid it behind a wrapper
    elif code == 1 and stdout != _stdout_file():
        # Rich met it (printing --help), sent stdout to /dev/null and exited 1: not a bug.
        code = PIPE_CLOSED
    code = _flushed(code)
    if code == INTERRUPTED:
        # Stopped by Ctrl-C and said so: leave now. Waiting for requests still in flight
        # (threads the interpreter would join) is not what Ctrl-C asked for, and the store
        # is consistent at every commit (a kill -9 loses nothing stored). Leaving before the
        # interpreter's shutdown also leaves no moment where Python's own Ctrl-C handling,
        # restored at its very end, could print a traceback or kill by signal.
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    sys.exit(code)

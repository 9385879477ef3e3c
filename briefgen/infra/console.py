"""The only module that imports Rich: logs and progress on stderr, tables on stdout.

stdout carries only the requested document. Progress bars appear only when stderr is a
terminal and --quiet is off; errors are always printed, one line each.

Library code never prints: it logs (`logging.getLogger(__name__)` under "briefgen"), and a
command shows those records through its Reporter, which is a logging handler installed on the
"briefgen" logger while the command runs (`reporting`). Used as a library, briefgen prints
nothing (the package's NullHandler keeps Python's last-resort handler quiet).

Everything printed here is text, never Rich markup or emoji codes: a paper's title, an
author's name, a service's reply or a search query may hold '[/bold]', '[link=…]' or ':b:',
and they are shown as written (a Console prints a str as markup unless told otherwise, so
every str goes through `plain` on its way out).
"""

from __future__ import annotations

import errno
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from briefgen.core.errors import without_pydantic_noise
from briefgen.infra.secrets import redact_known

# Control characters but newline and tab: an escape sequence in a title or a file name would
# drive the terminal (colours, a title bar, a hyperlink), so it is shown as \x1b instead.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str, style: str = "") -> Text:
    """`text` exactly as written: no markup, no emoji codes, no highlighting, and no control
    character that the terminal would act on."""
    return Text(_CONTROLS.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text), style=style)


def said(text: str, style: str = "") -> Text:
    """A line for stderr: as written, with every known secret (and any URL's user name and
    password) taken out, whatever a service quoted back into it."""
    return plain(redact_known(text), style)


def one_line(message: str) -> str:
    """A message as one line without pydantic's wrapping: an error or a warning is one line
    whatever the exception it came from looked like."""
    return " ".join(without_pydantic_noise(message).split())


# Formats only the traceback a record carries (the reporter writes the message itself).
_TRACEBACKS = logging.Formatter()


class Advance(Protocol):
    def __call__(self, step: int = 1) -> None: ...


class Reporter(logging.Handler):
    """A command's lines on stderr, and the handler of what briefgen logs while it runs: a
    record is shown as the line of its level (DEBUG with --verbose only, INFO, WARNING as
    'warning: …', ERROR and above as 'error: …'), under the same --quiet; with --verbose, the
    traceback a record carries (`exc_info`) follows its line."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        super().__init__()
        self.quiet = quiet
        self.verbose = verbose
        # Built lazily from the current sys.stderr so test runners that swap it are honoured.
        self._err: Console | None = None

    @property
    def err(self) -> Console:
        if self._err is None:
            self._err = Console(
                file=sys.stderr, highlight=False, soft_wrap=True, markup=False, emoji=False
            )
        return self._err

    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(said(message))

    def debug(self, message: str) -> None:
        if self.verbose and not self.quiet:
            self.err.print(said(message, "dim"))

    def notice(self, message: str) -> None:
        """Something about the output the reader should know (not a problem with the run)."""
        if not self.quiet:
            self.err.print(said(f"note: {one_line(message)}", "cyan"))

    def warning(self, message: str) -> None:
        if not self.quiet:
            self.err.print(said(f"warning: {one_line(message)}", "yellow"))

    def error(self, message: str) -> None:
        self.err.print(said(f"error: {one_line(message)}", "bold red"))

    def emit(self, record: logging.LogRecord) -> None:
        # A bad log call (a %-argument that does not fit, an unprintable object) is reported
        # as logging reports it, never raised into the code that logged.
        try:
            message = record.getMessage()
            if record.levelno >= logging.ERROR:
                self.error(message)
            elif record.levelno >= logging.WARNING:
                self.warning(message)
            elif record.levelno >= logging.INFO:
                self.info(message)
            else:
                self.debug(message)
            shown = record.levelno >= logging.ERROR or not self.quiet
            if record.exc_info and self.verbose and shown:
                self.err.print(said(_TRACEBACKS.formatException(record.exc_info), "dim"))
        except RecursionError:  # as logging's own handlers: a stack overflow is not swallowed
            raise
        except Exception:
            self.handleError(record)

    @contextmanager
    def progress(self, description: str, total: int) -> Iterator[Advance]:
        if self.quiet or not self.err.is_terminal:
            yield lambda step=1: None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda step=1: bar.advance(task, step)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """What briefgen logs, shown by `reporter` while the block (one command) runs; taken off
    after it, so that commands run one after another in a process (the tests) never stack
    handlers. The reporter, not the logger's level, decides what --quiet and --verbose show."""
    log = logging.getLogger("briefgen")
    level = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(reporter)
    try:
        yield
    finally:
        log.removeHandler(reporter)
        log.setLevel(level)


@contextmanager
def progress(description: str, total: int) -> Iterator[Advance]:
    """A progress bar for a stage, drawn by the reporter of the command that runs it (the one
    `reporting` installed); with none (briefgen used as a library, the MCP server) nothing is
    drawn, as nothing is printed."""
    shown = [h for h in logging.getLogger("briefgen").handlers if isinstance(h, Reporter)]
    if not shown:
        yield lambda step=1: None
        return
    with shown[-1].progress(description, total) as advance:
        yield advance


class _Stdout(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 (a bug's code) here; the command ends quietly with 141 instead.
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table on stdout; plain text (no colour codes) when stdout is not a terminal. The
    title and every cell are shown as written (papers' titles are anyone's text)."""
    table = Table(title=plain(title), show_lines=False, expand=False)
    for column in columns:
        table.add_column(plain(column), overflow="fold")
    for row in rows:
        table.add_row(*(plain(cell) for cell in row))
    _Stdout(file=sys.stdout, highlight=False, markup=False, emoji=False).print(table)

"""The command line: parse options, build Settings, call the pipeline, choose the exit code.

Thin on purpose: every decision lives in the library; these modules turn typed errors into one
clear line on stderr and its exit code (docs/reference/exit-codes.md). `app` holds the
commands; `options` the options they share; `commands` the brief commands; `admin` config and
cache.
"""

from briefgen.cli import admin, commands, library, mcp, notify, stars
from briefgen.cli.app import app, main

__all__ = ["admin", "app", "commands", "library", "main", "mcp", "notify", "stars"]

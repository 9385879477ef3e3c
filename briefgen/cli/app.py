"""The Typer application and its sub-command groups; commands register themselves on them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from briefgen import __version__
from briefgen.infra.secrets import install_log_redaction

app = typer.Typer(
    help="Paper Insight Briefs from a day's arXiv papers, in English and Chinese.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a traceback must never print an API key
)
config_app = typer.Typer(help="The config file: init, show, path.", no_args_is_help=True)
cache_app = typer.Typer(help="The local store: stats, path, clear.", no_args_is_help=True)
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


def main() -> None:
    install_log_redaction()
    app()

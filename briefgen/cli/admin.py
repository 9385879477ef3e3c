"""The commands that look after briefgen itself: the config file and the local store."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from briefgen.cli.app import cache_app, config_app
from briefgen.cli.options import ConfigOpt, QuietOpt, run_action
from briefgen.core.errors import UsageError
from briefgen.core.settings import (
    default_config_path,
    default_config_text,
    load_settings,
    settings_to_toml,
)
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.files import write_atomic
from briefgen.infra.prompts import bundled_prompts_dir
from briefgen.infra.store import Store


@config_app.command("path")
def config_path(config: ConfigOpt = None) -> None:
    """Print where the config file is (or would be)."""
    sys.stdout.write(f"{config or default_config_path()}\n")


@config_app.command("show")
def config_show(config: ConfigOpt = None, quiet: QuietOpt = False) -> None:
    """Print the effective settings (file, environment and defaults merged) as TOML."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        settings = load_settings(config)
        source = settings.config_path if settings.config_path.exists() else "defaults"
        sys.stdout.write(f"# from: {source}\n# store: {settings.home}\n")
        sys.stdout.write(f"# prompts: {bundled_prompts_dir()}\n")
        sys.stdout.write(settings_to_toml(settings))

    run_action(reporter, action)


@config_app.command("init")
def config_init(
    config: ConfigOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a commented config file with the default profile."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        path = config or default_config_path()
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; edit it, or pass --force to overwrite it")
        write_atomic(path, default_config_text())
        reporter.info(f"wrote {path}")

    run_action(reporter, action)


@cache_app.command("path")
def cache_path(config: ConfigOpt = None) -> None:
    """Print where the store (SQLite) is."""
    reporter = Reporter()
    settings = run_action(reporter, lambda: load_settings(config))
    sys.stdout.write(f"{Store.path_in(settings.home)}\n")


@cache_app.command("stats")
def cache_stats(config: ConfigOpt = None) -> None:
    """How much the store holds."""
    reporter = Reporter()

    def action() -> None:
        settings = load_settings(config)
        with Store.open(settings.home) as store:
            stats = store.stats()
        print_table(
            str(Store.path_in(settings.home)),
            ["what", "count"],
            [[name, str(value)] for name, value in stats.items()],
        )

    run_action(reporter, action)


@cache_app.command("clear")
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Delete everything in the store (papers, analyses, briefs, runs)."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        settings = load_settings(config)
        with Store.open(settings.home) as store:
            stats = store.stats()
            if not yes:
                if not sys.stdin.isatty():
                    raise UsageError(
                        "refusing to clear the store without --yes (stdin is not a terminal)"
                    )
                typer.confirm(
                    f"Delete {stats['analyses']} analyses and {stats['briefs']} briefs?", abort=True
                )
            store.clear()
        reporter.info(f"cleared {Store.path_in(settings.home)}")

    run_action(reporter, action)



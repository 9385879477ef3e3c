"""The commands that look after briefgen itself: the config file and the local store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.app import INTERRUPTED, Interrupts, cache_app, config_app
from briefgen.cli.options import (
    Command,
    ConfigOpt,
    QuietOpt,
    VerboseOpt,
    run_action,
    write_output,
)
from briefgen.core.errors import UsageError
from briefgen.core.settings import default_config_path, load_settings
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.prompts import bundled_prompts_dir
from briefgen.infra.secrets import redact_known
from briefgen.infra.store import Store
from briefgen.infra.store_recovery import StoreDamagedError, damaged_files

InitConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Where to write the config file (default: `briefgen config path`)."
    ),
]
PathConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A config file path to print as given (default: $BRIEFGEN_CONFIG, else "
        "config.toml in $BRIEFGEN_HOME, else in the user's config folder).",
    ),
]


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@config_app.command("path", cls=Command)
def config_path(config: PathConfigOpt = None) -> None:
    """Print where the config file is (or would be)."""
    run_action(Reporter(), lambda: sys.stdout.write(f"{config or default_config_path()}\n"))


@config_app.command("show", cls=Command)
def config_show(
    config: ConfigOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False
) -> None:
    """Print the effective settings (file, environment and defaults merged) as TOML."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        # tomlkit loads only for the commands that write TOML, not at every command's start
        from briefgen.core.settings_toml import settings_to_toml

        settings = load_settings(config)
        source = settings.store.config_path if settings.store.config_path.exists() else "defaults"
        sys.stdout.write(f"# from: {source}\n# store: {settings.store.home}\n")
        sys.stdout.write(f"# prompts: {bundled_prompts_dir()}\n")
        # An endpoint may carry a user name and password (a proxy's URL): never printed.
        sys.stdout.write(redact_known(settings_to_toml(settings)))

    run_action(reporter, action)


@config_app.command("init", cls=Command)
def config_init(
    config: InitConfigOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write a commented config file with the default profile."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        from briefgen.core.settings_toml import default_config_text  # tomlkit, as for show

        path = config or default_config_path()
        if path.is_dir():
            raise UsageError(
                f"{path} is a directory: name a file in it (e.g. {path / 'config.toml'})"
            )
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; edit it, or pass --force to overwrite it")
        write_output(path, default_config_text())
        if path.is_file():  # briefgen reads only a config no one else can write (any umask)
            path.chmod(path.stat().st_mode & 0o755)
        reporter.info(f"wrote {path}")

    run_action(reporter, action)


@cache_app.command("path", cls=Command)
def cache_path(config: ConfigOpt = None) -> None:
    """Print where the store (SQLite) is."""
    run_action(
        Reporter(), lambda: sys.stdout.write(f"{Store.path_in(load_settings(config).store.home)}\n")
    )


@cache_app.command("stats", cls=Command)
def cache_stats(config: ConfigOpt = None, verbose: VerboseOpt = False) -> None:
    """How much the store holds."""
    reporter = Reporter(verbose=verbose)

    def action() -> None:
        settings = load_settings(config)
        with Store.open(settings.store.home) as store:
            stats = store.stats()
        print_table(
            str(Store.path_in(settings.store.home)),
            ["what", "count"],
            [[name, str(value)] for name, value in stats.items()],
        )

    run_action(reporter, action)


@cache_app.command("repair", cls=Command)
def cache_repair(
    source: Annotated[
        Path | None,
        typer.Option("--from", help="A damaged store file to recover from (default: the newest "
                     "one set aside next to the store)."),
    ] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Recover what a damaged store still holds (analyses, briefs, runs, stars) into a fresh one."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = load_settings(config)
        path = Store.path_in(settings.store.home)
        try:  # opening checks the store, and sets a damaged one aside
            Store.open(settings.store.home).close()
        except StoreDamagedError as exc:
            reporter.warning(str(exc).split(". Run")[0])
        found = [source] if source is not None else damaged_files(path.parent, path.name)
        if not found:
            reporter.info(f"the store at {path} is not damaged, and no damaged store was set "
                          "aside next to it: nothing to repair")  # fmt: skip
            return
        damaged = found[0]
        if not damaged.is_file():
            raise UsageError(f"--from {damaged}: no such file")
        with Store.open(settings.store.home) as store:
            report = store.recover_from(damaged)
        how = " (its header was rebuilt)" if report.header_rebuilt else ""
        reporter.info(f"recovered from {damaged}{how} into {path}:")
        for table in report.tables:
            if table.recovered or table.counted or table.skipped:
                reporter.info("  " + table.line())
        reporter.info(f"the damaged file is kept at {damaged}; delete it once you no longer "
                      "need it")  # fmt: skip

    run_action(reporter, action)


@cache_app.command("clear", cls=Command)
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Delete everything in the store (papers, analyses, briefs, runs)."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = load_settings(config)
        with Store.open(settings.store.home) as store:
            stats = store.stats()
            if not yes:
                if not stdin_is_terminal():
                    raise UsageError(
                        "refusing to clear the store without --yes (stdin is not a terminal)"
                    )
                question = f"Delete {stats['analyses']} analyses and {stats['briefs']} briefs?"
                try:
                    agreed = typer.confirm(question, default=False)
                except typer.Abort:  # Ctrl-C or the end of input at the question
                    Interrupts.report(lambda: reporter.error("interrupted; nothing was cleared"))
                    raise typer.Exit(INTERRUPTED) from None
                if not agreed:  # an answer, not a failure: exit 0, the store as it was
                    reporter.info("nothing was cleared")
                    return
            store.clear()
        reporter.info(f"cleared {Store.path_in(settings.store.home)}")

    run_action(reporter, action)



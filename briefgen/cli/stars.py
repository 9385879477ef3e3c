"""Starring papers: the ones a reader keeps join their library, and the ranking learns from
them (`briefgen star 2404.14469`, or a stored brief's top papers: `briefgen star 2026-06-17`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.app import app
from briefgen.cli.options import Command, ConfigOpt, ProfileOpt, QuietOpt, VerboseOpt, run_action
from briefgen.core.errors import UsageError
from briefgen.core.models import Paper, split_arxiv_id
from briefgen.core.settings import Settings, load_settings
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.store import Store
from briefgen.select.library import as_arxiv_id
from briefgen.select.reader import lookup_papers
from briefgen.sources.remote import Remote

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

WhatArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="arXiv ids or URLs, or a date whose stored daily brief's top papers to star.",
        show_default=False,
    ),
]
ListOpt = Annotated[bool, typer.Option("--list", help="List the starred papers.")]


def _settings(config: Path | None, profile: str | None) -> Settings:
    return load_settings(config, overrides={"profile": profile} if profile else None)


def _top_of_brief(store: Store, settings: Settings, day: str) -> list[str]:
    brief = store.get_brief("daily", day, settings.profile)
    if brief is None:
        raise UsageError(
            f"no stored daily brief for {day} (profile '{settings.profile}'); run "
            f"`briefgen daily --date {day}` first, or star papers by their arXiv ids"
        )
    return [top.paper_id for top in brief.top_papers]


def _papers(what: list[str], store: Store, settings: Settings) -> list[Paper]:
    ids: list[str] = []
    for item in what:
        if DAY.match(item):
            ids += _top_of_brief(store, settings, item)
            continue
        found = as_arxiv_id(item)
        if found is None:
            raise UsageError(
                f"{item!r} is neither an arXiv id (2404.14469, arXiv:2404.14469v2, an abs or "
                "pdf URL) nor a date (YYYY-MM-DD)"
            )
        ids.append(split_arxiv_id(found)[0])
    ids = list(dict.fromkeys(ids))
    with Remote(settings) as remote:
        papers = lookup_papers(store, remote)(ids)
    missing = [i for i in ids if i not in {p.id for p in papers}]
    if missing:
        raise UsageError(f"arXiv has no paper {', '.join(missing)}; check the id")
    return papers


@app.command(cls=Command)
def star(
    what: WhatArg = None,
    list_: ListOpt = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Keep papers you liked: they join your library, and the ranking favours papers like them."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = _settings(config, profile)
        with Store.open(settings.store.home) as store:
            if list_ or not what:
                rows = [[p.versioned_id, p.title] for p in store.starred()]
                if not rows:
                    reporter.info("no starred papers yet: `briefgen star ID` or `briefgen star "
                                  "DATE` (that day's top papers)")  # fmt: skip
                    return
                print_table(f"{len(rows)} starred papers", ["id", "title"], rows)
                return
            papers = _papers(what, store, settings)
            store.star(papers)
            for paper in papers:
                sys.stdout.write(f"starred {paper.versioned_id}  {paper.title}\n")

    run_action(reporter, action)


@app.command(cls=Command)
def unstar(
    ids: Annotated[list[str], typer.Argument(help="arXiv ids to take out of your library.")],
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Take starred papers out of your library."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = _settings(config, None)
        plain = []
        for item in ids:
            try:
                plain.append(split_arxiv_id(as_arxiv_id(item) or item)[0])
            except ValueError:
                raise UsageError(f"{item!r} is not an arXiv id (2404.14469, "
                                 "arXiv:2404.14469v2, an abs or pdf URL)") from None  # fmt: skip
        with Store.open(settings.store.home) as store:
            removed = store.unstar(plain)
        reporter.info(f"unstarred {removed} of {len(plain)} papers")

    run_action(reporter, action)

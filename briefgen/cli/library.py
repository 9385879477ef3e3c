"""What the store holds, found and taken elsewhere: `briefgen search` (full text, or papers
like one) and `briefgen export` (a brief's papers as BibTeX, RIS or CSL-JSON, or into a Zotero
collection)."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from briefgen.cli.app import app
from briefgen.cli.options import (
    Command,
    ConfigOpt,
    OutputOpt,
    ProfileOpt,
    QuietOpt,
    VerboseOpt,
    run_action,
    write_output,
)
from briefgen.core.errors import UsageError
from briefgen.core.settings import Settings, load_settings
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.store import SearchFilters, SearchHit, Store
from briefgen.outlets import export as exporting
from briefgen.outlets.search import (
    SYNTAX_HELP,
    SimilarResult,
    hit_json,
    readable,
    search,
    similar_json,
    similar_papers,
)
from briefgen.outlets.zotero_push import parse_target, push_to_zotero


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


QueryArg = Annotated[
    str | None,
    typer.Argument(help=f"What to find: {SYNTAX_HELP}.", show_default=False),
]
SimilarOpt = Annotated[
    str,
    typer.Option("--similar", help="Instead of a query: the stored papers most like this one "
                 "(an arXiv id), by embedding similarity, else TF-IDF.",
                 show_default=False),
]  # fmt: skip
FromOpt = Annotated[
    str | None,
    typer.Option("--from", help="From this date (YYYY-MM-DD): a paper's listing date, the "
                 "days a brief covers."),
]  # fmt: skip
ToOpt = Annotated[str | None, typer.Option("--to", help="Up to this date (YYYY-MM-DD).")]
SearchProfileOpt = Annotated[
    str,
    typer.Option("--profile", "-p", help="Only this profile's briefs and the papers they "
                 "covered (default: every profile).", show_default=False),
]  # fmt: skip
SearchAuthorOpt = Annotated[
    str,
    typer.Option("--author", help="Only papers by this author (a name, or whole words of "
                 "one: 'Li' finds Chen Li, not Alice).", show_default=False),
]  # fmt: skip
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="How many hits.")]
TableFormatOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")]

WhatArg = Annotated[
    str,
    typer.Argument(help="A stored brief (a day YYYY-MM-DD, a week 2026-W08) or a brief's file "
                   "(.json or .md, as briefgen wrote it).", show_default=False),
]  # fmt: skip
ExportFormatOpt = Annotated[
    exporting.ExportFormat,
    typer.Option("--format", "-f", help="bibtex, ris or csl-json."),
]
TopOpt = Annotated[bool, typer.Option("--top", help="Only the brief's top 5 papers.")]
DestinationOpt = Annotated[
    str,
    typer.Option("--to", help="Push to Zotero instead: zotero:USER_ID/COLLECTION_KEY or "
                 "zotero:groups/GROUP_ID/COLLECTION_KEY (the key in ZOTERO_API_KEY).",
                 show_default=False),
]  # fmt: skip


def _settings(config: Path | None, profile: str | None) -> Settings:
    return load_settings(config, overrides={"profile": profile} if profile else None)


def _day(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UsageError(f"{option} {value!r}: not a date; expected YYYY-MM-DD") from None


def _dates(hit: SearchHit) -> str:
    if hit.last_day and hit.last_day != hit.first_day:
        return f"{hit.first_day} to {hit.last_day}"
    return hit.first_day or "—"


def _print_hits(hits: list[SearchHit], query: str, as_json: bool) -> None:
    if as_json:
        rows = [hit_json(rank, hit) for rank, hit in enumerate(hits, start=1)]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    rows_text = []
    for rank, hit in enumerate(hits, start=1):
        paper = f"{hit.paper_id}{hit.version}" if hit.paper_id else "—"
        title = hit.title or f"brief {hit.period} ({hit.part})"
        rows_text.append([str(rank), paper, _dates(hit), ", ".join(hit.where),
                          title, hit.snippet])  # fmt: skip
    print_table(f"{len(hits)} match{'es' if len(hits) != 1 else ''} for {query}",
                ["#", "paper", "date", "matched in", "title", "snippet"], rows_text)  # fmt: skip


def _print_similar(result: SimilarResult, as_json: bool) -> None:
    if as_json:
        rows: list[Any] = [similar_json(rank, item, result.method)
                           for rank, item in enumerate(result.papers, start=1)]  # fmt: skip
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [[str(rank), item.paper.versioned_id, item.paper.published.isoformat(),
             f"{item.score:.3f}", item.paper.title]
            for rank, item in enumerate(result.papers, start=1)]  # fmt: skip
    title = f"papers like {result.target.versioned_id} ({result.target.title}), by {result.method}"
    print_table(title, ["#", "paper", "date", "similarity", "title"], rows)


@app.command("search", cls=Command)
def search_command(
    query: QueryArg = None,
    similar: SimilarOpt = "",
    start: FromOpt = None,
    end: ToOpt = None,
    profile: SearchProfileOpt = "",
    author: SearchAuthorOpt = "",
    limit: LimitOpt = 20,
    format_: TableFormatOpt = TableOrJson.table,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Search the stored papers, analyses and briefs (SQLite full-text search), or find the
    papers most like one (--similar)."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        for option, value in (("--profile", profile), ("--author", author),
                              ("--similar", similar)):  # fmt: skip
            readable(option, value)
        filters = SearchFilters(
            first=_day("--from", start), last=_day("--to", end),
            profile=profile.strip() or None, author=author.strip() or None,
        )  # fmt: skip
        if filters.first and filters.last and filters.first > filters.last:
            raise UsageError(f"--from {filters.first} is after --to {filters.last}")
        if similar.strip() and query:
            raise UsageError("give a query or --similar ID, not both")
        settings = load_settings(config)
        as_json = format_ is TableOrJson.json
        with Store.open(settings.store.home) as store:
            if similar.strip():
                found = similar_papers(store, similar.strip(), filters, limit,
                                       note=reporter.notice)  # fmt: skip
                _print_similar(found, as_json)
                return
            result = search(store, query or "", filters, limit)
        for note in result.notes:
            reporter.notice(note)
        if not result.hits and not as_json:
            reporter.info(f"no matches for {query!r}" + (" with these filters" if any(
                (filters.first, filters.last, filters.profile, filters.author)) else ""))
            return
        _print_hits(result.hits, query or "", as_json)

    run_action(reporter, action)


@app.command("export", cls=Command)
def export_command(
    what: WhatArg,
    format_: ExportFormatOpt = exporting.ExportFormat.bibtex,
    top: TopOpt = False,
    output: OutputOpt = None,
    destination: DestinationOpt = "",
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write a brief's papers as references (BibTeX, RIS, CSL-JSON) or into Zotero.

    Each entry has its arXiv id, DOI and the brief's one-line contribution."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        if destination and output is not None:
            raise UsageError("use either -o FILE or --to zotero:…, not both")
        if destination and not destination.lower().startswith("zotero:"):
            raise UsageError(f"--to {destination}: expected zotero:USER_ID/COLLECTION_KEY or "
                             "zotero:groups/GROUP_ID/COLLECTION_KEY")  # fmt: skip
        if destination:
            parse_target(destination)  # a mistyped target fails before any work
        settings = _settings(config, profile)
        with Store.open(settings.store.home) as store:
            if exporting.is_stored_label(what.strip()):
                brief = exporting.papers_of_brief(
                    exporting.stored_brief(store, what.strip(), settings.profile))
            else:
                path = Path(what)
                if not path.is_file():
                    raise UsageError(f"{what} is neither a stored brief's date (YYYY-MM-DD, "
                                     "2026-W08) nor a brief's file")  # fmt: skip
                brief = exporting.read_brief_file(path)
            refs, unknown = exporting.references(store, brief, top_only=top)
        if not refs:
            raise UsageError(f"the brief {brief.label or what} lists no papers to export")
        if unknown:
            reporter.warning(
                f"{len(unknown)} of {len(refs)} papers are not in the store, so they go out "
                f"without authors, abstract or listing date: {', '.join(unknown[:5])}"
                + (" …" if len(unknown) > 5 else "")
            )
        if destination:
            report = push_to_zotero(destination, refs, settings=settings)
            for paper_id, why in report.failed:
                reporter.warning(f"Zotero did not create {paper_id}: {why}")
            where = report.target.described
            sys.stdout.write(
                f"{where}: {len(report.created)} created, {len(report.failed)} failed"
                + (f", {len(report.unchanged)} unchanged" if report.unchanged else "") + "\n"
            )
            if report.failed and not report.created:
                raise typer.Exit(6)
            if report.failed:
                raise typer.Exit(4)
            return
        text = exporting.render(refs, format_)
        if output is None:
            sys.stdout.write(text)
            return
        write_output(output, text)
        reporter.info(f"wrote {len(refs)} {format_.value} entries to {output}")

    run_action(reporter, action)

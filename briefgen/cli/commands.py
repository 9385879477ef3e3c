"""The commands that make and check briefs: daily, weekly, analyze, papers, feed, show, lint,
render."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.app import app
from briefgen.cli.options import (
    MODEL_OPTIONS,
    BriefFormatOpt,
    ConfigOpt,
    FrontMatterOpt,
    ModelRun,
    NoCacheOpt,
    OutputOpt,
    ProfileOpt,
    QuietOpt,
    VerboseOpt,
    model_command,
    run_action,
    settings_for,
)
from briefgen.core.errors import NoPapersError, PartialError, UsageError
from briefgen.core.models import Brief
from briefgen.core.periods import Period, parse_range, parse_week
from briefgen.core.settings import Lang, Settings, load_settings
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.files import write_atomic
from briefgen.infra.store import Store
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.day import rank_day, run_analyze, run_daily
from briefgen.pipeline.show import render_shown, render_shown_json, show_paper
from briefgen.pipeline.weekly import run_weekly
from briefgen.render.compare import compare_files
from briefgen.render.documents import Format, file_name, load_brief, render_document
from briefgen.render.feed import atom_feed, published_url
from briefgen.render.lint import lint_file
from briefgen.render.listing import listing_json, listing_rows
from briefgen.render.markdown import languages
from briefgen.render.report import render_reports
from briefgen.render.schema import brief_schema_json
from briefgen.render.titles import is_daily
from briefgen.sources.remote import Remote


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


def _emit(
    brief: Brief,
    settings: Settings,
    reporter: Reporter,
    *,
    fmt: Format,
    output: Path | None,
    output_dir: Path | None,
    front_matter: bool = False,
    lang: Lang | None = None,
) -> None:
    """The brief in each language asked for: to stdout, one file, or files named by pattern."""
    with_front_matter = front_matter or settings.front_matter
    codes = languages(lang or settings.lang)
    if fmt is Format.json:
        codes = codes[:1]  # one JSON document carries every language
    documents = [
        (code, render_document(brief, code, fmt, with_front_matter=with_front_matter,
                               body_title=settings.front_matter_body_title))
        for code in codes
    ]
    if output_dir is not None:
        pattern = settings.daily_filename if is_daily(brief) else settings.weekly_filename
        for code, text in documents:
            name = file_name(pattern, brief, code, fmt)
            write_atomic(output_dir / name, text)
            reporter.info(f"wrote {output_dir / name}")
    elif output is not None:
        write_atomic(output, "\n".join(text for _, text in documents))
        reporter.info(f"wrote {output}")
    else:
        sys.stdout.write("\n".join(text for _, text in documents))
        sys.stdout.flush()


def _one_destination(output: Path | None, output_dir: Path | None) -> None:
    if output is not None and output_dir is not None:
        raise UsageError("use either --output or --output-dir, not both")


def _missing(failed: dict[str, str], where: str) -> None:
    if failed:
        raise PartialError(
            f"{len(failed)} papers failed and are missing from the {where}: " + ", ".join(failed)
        )


def _period(week: str | None, start: str | None, end: str | None) -> Period:
    if week and (start or end):
        raise UsageError("use either --week or --from/--to, not both")
    if week:
        return parse_week(week)
    if start and end:
        return parse_range(start, end)
    raise UsageError("say which period: --week 2026-W08, or --from D --to D")


@model_command()
def daily(
    run: ModelRun,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", help="Write DATE-brief.LANG.md file(s) here (daily_filename)."
        ),
    ] = None,
) -> None:
    """The whole pipeline for one date; the brief goes to stdout (or --output/--output-dir)."""

    def action() -> None:
        _one_destination(output, output_dir)
        if run.dry_run:
            run.print_estimate(synthesis=True)
            return
        result, settings = run.in_context(lambda ctx: (run_daily(run.request(), ctx), ctx.settings))
        _emit(result.brief, settings, run.reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        _missing(result.failed, "brief")

    run_action(run.reporter, action)


@model_command(without=("date", "dry_run", "max_cost"))
def weekly(
    run: ModelRun,
    week: Annotated[
        str | None, typer.Option("--week", "-w", help="ISO week, e.g. 2026-W08.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", help="Write PERIOD-roundup.LANG.md here (weekly_filename)."),
    ] = None,
) -> None:
    """A roundup of a week or a date range from the stored analyses (only missing days are
    fetched and analysed)."""

    def action() -> None:
        _one_destination(output, output_dir)
        period = _period(week, start, end)
        result, settings = run.in_context(
            lambda ctx: (run_weekly(period, run.request(), ctx), ctx.settings)
        )
        _emit(result.brief, settings, run.reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        _missing(result.failed, "roundup")

    run_action(run.reporter, action)


@app.command()
def feed(
    lang: Annotated[Lang, typer.Option("--lang", help="en, zh or both (one entry each).")] = (
        Lang.en
    ),
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Where the briefs are published (entry links)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest entries to keep.")] = 50,
    output: OutputOpt = None,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """An Atom feed of the stored briefs (daily and weekly), newest first."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        settings = settings_for(config, profile=profile, feed_base_url=base_url)
        langs = languages(lang)
        with Store.open(settings.home) as store:
            stored = store.list_briefs(settings.profile, limit=limit)
        if not stored:
            raise NoPapersError(
                f"no stored briefs for profile '{settings.profile}' yet: run briefgen daily first"
            )
        self_url = (published_url(settings.feed_base_url, output.name)
                    if output is not None and settings.feed_base_url else None)  # fmt: skip
        text = atom_feed(stored, langs, settings, self_url=self_url)
        if output is not None:
            write_atomic(output, text)
            reporter.info(f"wrote {output} ({len(stored) * len(langs)} entries)")
        else:
            sys.stdout.write(text)

    run_action(reporter, action)


@model_command(without=(*MODEL_OPTIONS, "lang", "fulltext", "dry_run", "max_cost", "batch"))
def papers(
    run: ModelRun,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ListFormat.table
    ),
) -> None:
    """Fetch and rank a day's papers, with each one's score and why; no model involved."""

    def action() -> None:
        ranked = run.in_context(lambda ctx: rank_day(run.request(), ctx))
        selected = ranked.selection.selected
        if fmt is ListFormat.json:
            sys.stdout.write(listing_json(selected))
        else:
            title = f"{ranked.day}: {len(selected)} of {ranked.selection.considered} papers"
            print_table(title, ["#", "score", "id", "title", "why"], listing_rows(selected))
        dropped = ranked.selection.dropped
        if dropped:
            run.reporter.info(
                "not selected: " + "; ".join(f"{n} {why}" for why, n in dropped.items())
            )

    run_action(run.reporter, action)


@model_command(without=("analysis_model",))
def analyze(run: ModelRun, output: OutputOpt = None) -> None:
    """Per-paper analyses of a day as a daily papers report (markdown), no synthesis."""

    def report(ctx: RunContext) -> tuple[str, dict[str, str]]:
        result = run_analyze(run.request(), ctx)
        analysed = result.outcome.analysed
        text = render_reports(
            result.ranked.day.isoformat(),
            {code: result.chinese or analysed if code == "zh" else analysed
             for code in languages(ctx.settings.lang)},
            sources=result.ranked.sources, engine=f"{ctx.engine.name} ({ctx.engine.model})",
            failed=result.outcome.failed,
        )  # fmt: skip
        return text, result.outcome.failed

    def action() -> None:
        if run.dry_run:
            run.print_estimate(synthesis=False)
            return
        text, failed = run.in_context(report)
        if output is not None:
            write_atomic(output, text)
            run.reporter.info(f"wrote {output}")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        _missing(failed, "report")

    run_action(run.reporter, action)


@app.command()
def show(
    paper_id: Annotated[str, typer.Argument(help="arXiv id, e.g. 2602.13531 or 2602.13531v2.")],
    abstract_only: Annotated[
        bool, typer.Option("--abstract-only", help="Show the abstract path, fetch no HTML.")
    ] = False,
    budget: Annotated[
        int | None, typer.Option("--budget", min=500, help="Token budget for the full text.")
    ] = None,
    outline: Annotated[
        bool, typer.Option("--outline", help="Headings and token counts only, no text.")
    ] = False,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="text or json.")] = (
        ShowFormat.text
    ),
    no_cache: NoCacheOpt = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """One paper: its metadata, where its text comes from, and the text the model reads."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = settings_for(config, fulltext_budget=budget)
        with Store.open(settings.home) as store, Remote(settings) as remote:
            shown = show_paper(
                paper_id, settings, store, remote,
                fulltext=not abstract_only, use_cache=not no_cache,
            )  # fmt: skip
        if fmt is ShowFormat.json:
            sys.stdout.write(render_shown_json(shown))
        else:
            sys.stdout.write(render_shown(shown, outline=outline))

    run_action(reporter, action)


@app.command()
def lint(
    files: Annotated[list[Path], typer.Argument(help="Brief files (.md or .json) to check.")],
    quiet: QuietOpt = False,
) -> None:
    """Check briefs against the brief's rules; exit 1 with one line per problem."""
    reporter = Reporter(quiet=quiet)

    def action() -> int:
        failures = 0
        for path in files:
            try:
                problems = lint_file(path)
            except FileNotFoundError:
                raise UsageError(f"no such file: {path}") from None
            except (UnicodeDecodeError, IsADirectoryError) as exc:
                raise UsageError(f"cannot read {path} as text: {exc}") from None
            for problem in problems:
                sys.stdout.write(f"{path}: {problem}\n")
            if problems:
                failures += 1
            else:
                reporter.info(f"{path}: ok")
        # An English and a Chinese brief of the same date must have the same structure.
        differences = compare_files(files)
        for line in differences:
            sys.stdout.write(line + "\n")
        return failures + len({line.split(": ", 1)[0] for line in differences})

    if run_action(reporter, action):
        raise typer.Exit(1)


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="A brief saved with --format json.")],
    fmt: BriefFormatOpt = Format.markdown,
    lang: Annotated[Lang, typer.Option("--lang", help="en, zh or both.")] = Lang.en,
    front_matter: FrontMatterOpt = False,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Write the file(s) into this folder.")
    ] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Re-render a stored JSON brief as markdown, HTML or JSON, in English or Chinese."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        _one_destination(output, output_dir)
        try:
            brief = load_brief(file.read_text(encoding="utf-8"), str(file))
        except FileNotFoundError:
            raise UsageError(f"no such file: {file}") from None
        if lang is not Lang.en and "zh" not in brief.translations:
            reporter.warning(
                f"{file} holds no Chinese translation: the Chinese version has Chinese headings "
                "around the English text (make it with --lang zh or both and a model provider)"
            )
        _emit(brief, load_settings(config), reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter, lang=lang)  # fmt: skip

    run_action(reporter, action)


@app.command()
def schema(output: OutputOpt = None, quiet: QuietOpt = False) -> None:
    """The JSON Schema of a brief as --format json writes it (also in the package:
    briefgen/data/brief.schema.json)."""
    reporter = Reporter(quiet=quiet)

    def action() -> None:
        text = brief_schema_json()
        if output is not None:
            write_atomic(output, text)
            reporter.info(f"wrote {output}")
        else:
            sys.stdout.write(text)

    run_action(reporter, action)

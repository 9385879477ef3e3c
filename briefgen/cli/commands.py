"""The commands that make and check briefs: daily, weekly, analyze, papers, feed, show, lint,
render."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.app import app
from briefgen.cli.notify import NotifyOpt, finish, notify_targets, send_brief
from briefgen.cli.options import (
    OFFLINE_CHINESE,
    OFFLINE_CHINESE_REPORT,
    BaseUrlOpt,
    BriefFormatOpt,
    BriefOutputOpt,
    BudgetOpt,
    Command,
    ConfigOpt,
    FrontMatterOpt,
    ModelRun,
    OutputOpt,
    ProfileOpt,
    QuietOpt,
    VerboseOpt,
    check_destination,
    chinese_notice,
    model_command,
    per_language,
    run_action,
    settings_for,
    write_output,
)
from briefgen.core.errors import NoPapersError, PartialError, UsageError
from briefgen.core.models import Brief
from briefgen.core.periods import Period, parse_range, parse_week
from briefgen.core.settings import Lang, Settings, load_settings
from briefgen.engines.plan import PlannedCalls
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.store import Store
from briefgen.pipeline.context import RunContext
from briefgen.pipeline.day import check_cost, preview_day, rank_day, run_analyze, run_daily
from briefgen.pipeline.estimate import Estimate, estimate_run, render_estimate
from briefgen.pipeline.show import render_shown, render_shown_json, show_paper
from briefgen.pipeline.weekly import listing_days, run_weekly
from briefgen.read.abstract import abstract_text
from briefgen.render.compare import compare_files
from briefgen.render.documents import Format, file_name, load_brief, render_document
from briefgen.render.lint import lint_file
from briefgen.render.listing import listing_json, listing_rows
from briefgen.render.markdown import RenderLang, languages
from briefgen.render.report import render_report
from briefgen.render.schema import brief_schema_json
from briefgen.render.titles import is_daily
from briefgen.sources.calendar import EASTERN
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
    untranslated: str = OFFLINE_CHINESE,
) -> None:
    """The brief in each language asked for: to stdout (one document: see check_destination),
    one file per language (-o brief.md: brief.en.md and brief.zh.md), or files named by
    pattern (--output-dir)."""
    with_front_matter = front_matter or settings.output.front_matter
    codes = languages(lang or settings.lang)
    if "zh" in codes and "zh" not in brief.translations:
        if fmt is Format.json:
            reporter.notice(f"the JSON brief holds no Chinese text: {untranslated}")
        else:
            chinese_notice(reporter, "brief", untranslated)
    elif "zh" in codes and brief.provenance.engine == "offline":
        # The offline engine's Chinese quotes the papers in English: said once, on stderr.
        chinese_notice(reporter, "brief", OFFLINE_CHINESE)
    if fmt is Format.json:
        codes = codes[:1]  # one JSON document carries every language
    documents = [
        (code, render_document(brief, code, fmt, with_front_matter=with_front_matter,
                               body_title=settings.output.front_matter_body_title))
        for code in codes
    ]  # fmt: skip
    if output_dir is not None:
        names = settings.output
        pattern = names.daily_filename if is_daily(brief) else names.weekly_filename
        for code, text in documents:
            name = file_name(pattern, brief, code, fmt)
            write_output(output_dir / name, text, within=output_dir)
            reporter.info(f"wrote {output_dir / name}")
    elif output is not None:
        for code, text in documents:
            path = output if len(documents) == 1 else per_language(output, code)
            write_output(path, text)
            reporter.info(f"wrote {path}")
    else:
        (_, text), *more = documents
        assert not more, "check_destination lets one document go to stdout"
        sys.stdout.write(text)
        sys.stdout.flush()


def _missing_text(failed: dict[str, str], where: str) -> str | None:
    if not failed:
        return None
    return (
        f"{len(failed)} paper{'s' if len(failed) != 1 else ''} failed and "
        f"{'are' if len(failed) != 1 else 'is'} missing from the {where}: " + ", ".join(failed)
    )


def _missing(failed: dict[str, str], where: str) -> None:
    message = _missing_text(failed, where)
    if message:
        raise PartialError(message)


def eastern_today() -> date:
    """Today where arXiv is (US/Eastern): what 'this week' means."""
    return datetime.now(tz=EASTERN).date()


def _period(week: str | None, start: str | None, end: str | None) -> Period:
    if week and (start or end):
        raise UsageError("use either --week or --from/--to, not both")
    if week:
        return parse_week(week)
    if start and end:
        return parse_range(start, end)
    if start or end:
        raise UsageError("--from and --to go together: give both (or --week)")
    year, number, _ = eastern_today().isocalendar()
    return parse_week(f"{year}-W{number:02d}")


OutputDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--output-dir", help="Write DATE-brief.LANG.md file(s) here (\\[output] daily_filename)."
    ),
]


@model_command()
def daily(
    run: ModelRun,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: BriefOutputOpt = None,
    output_dir: OutputDirOpt = None,
    notify: NotifyOpt = None,
) -> None:
    """The whole pipeline for one date; the brief goes to stdout (or --output/--output-dir)."""

    def action() -> None:
        run.check_destination(output, output_dir, one_document=fmt is Format.json)
        if run.dry_run:
            run.print_estimate(synthesis=True)
            return
        targets = notify_targets(run.settings(), notify)  # checked before any work
        result, settings = run.in_context(lambda ctx: (run_daily(run.request(), ctx), ctx.settings))
        _emit(result.brief, settings, run.reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        # Sent once the brief is written: a failed delivery leaves the files in place.
        finish(send_brief(result.brief, targets, settings),
               _missing_text(result.failed, "brief"))  # fmt: skip

    run_action(run.reporter, action)


def _sum_lines(lines: list[PlannedCalls]) -> PlannedCalls:
    first = lines[0]
    return replace(
        first,
        calls=sum(x.calls for x in lines),
        input_tokens=sum(x.input_tokens for x in lines),
        output_tokens=sum(x.output_tokens for x in lines),
        cache_write_tokens=sum(x.cache_write_tokens for x in lines),
        cache_read_tokens=sum(x.cache_read_tokens for x in lines),
    )


def roundup_estimate(period: Period, run: ModelRun, ctx: RunContext) -> Estimate:
    """What a roundup would cost: each listing day's analyses as a daily run would buy them
    (stored ones cost nothing), then one synthesis (and translation) of the best papers."""
    request = run.request()
    now = request.now or datetime.now(tz=EASTERN)
    days = listing_days(period, request, ctx.settings, now)
    if not days:
        raise NoPapersError(f"no arXiv announcement between {period.start} and {period.end}")
    estimate = Estimate()
    analyses: list[PlannedCalls] = []
    seen: set[str] = set()
    for day in days:
        try:
            _, found = preview_day(replace(request, date=day), ctx, synthesis=False)
        except NoPapersError as exc:
            run.reporter.info(f"{day}: skipped ({exc})")
            continue
        estimate.papers += [p for p in found.papers if p.paper.paper.id not in seen]
        seen.update(p.paper.paper.id for p in found.papers)
        analyses += [line for line in found.lines if line.purpose == "analysis"]
    if not estimate.papers:
        raise NoPapersError(f"no papers for {period.title} in any of its {len(days)} days")
    if analyses:
        estimate.lines.append(_sum_lines(analyses))
    # The roundup's brief: the best papers by score (the run also counts the themes of the
    # stored daily briefs, which a dry run does not read); texts do not change its price.
    chosen = sorted((p.paper for p in estimate.papers), key=lambda p: -p.score)
    chosen = chosen[: ctx.settings.selection.weekly_max_papers]
    brief = estimate_run(chosen, {p.paper.id: abstract_text(p.paper) for p in chosen},
                         ctx.engine, ctx.store, ctx.settings)  # fmt: skip
    estimate.lines += [line for line in brief.lines if line.purpose != "analysis"]
    return estimate


@model_command(without=("date",))
def weekly(
    run: ModelRun,
    week: Annotated[
        str | None,
        typer.Option("--week", "-w", help="ISO week, e.g. 2026-W08 (default: this week)."),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: BriefOutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", help="Write PERIOD-roundup.LANG.md here (\\[output] weekly_filename)."
        ),
    ] = None,
    notify: NotifyOpt = None,
) -> None:
    """A roundup of a week (this one unless --week or --from/--to says) from the stored
    analyses (only missing days are fetched and analysed)."""

    def roundup(period: Period, ctx: RunContext) -> tuple[Brief, dict[str, str], list[date]]:
        if run.max_cost is not None:  # the whole roundup's cost, checked once up front
            check_cost(roundup_estimate(period, run, ctx), run.max_cost, batch=run.batch)
            ctx = replace(ctx, options=replace(ctx.options, max_cost=None))
        result = run_weekly(period, run.request(), ctx)
        return result.brief, result.failed, result.unfetched

    def action() -> None:
        period = _period(week, start, end)
        run.check_destination(output, output_dir, one_document=fmt is Format.json)
        if run.dry_run:
            text = run.in_context(lambda ctx: render_estimate(
                roundup_estimate(period, run, ctx), ctx.engine, period.title,
                batch=run.batch))  # fmt: skip
            sys.stdout.write(text)
            return
        targets = notify_targets(run.settings(), notify)  # checked before any work
        brief, failed, unfetched = run.in_context(lambda ctx: roundup(period, ctx))
        _emit(brief, run.settings(), run.reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        missing = [text for text in (
            _missing_text(failed, "roundup"),
            f"{len(unfetched)} day{'s' if len(unfetched) != 1 else ''} could not be fetched and "
            f"{'are' if len(unfetched) != 1 else 'is'} missing from the roundup: "
            f"{', '.join(d.isoformat() for d in unfetched)} (rerun when the network is back; "
            "the stored days are reused)" if unfetched else None,
        ) if text]  # fmt: skip
        finish(send_brief(brief, targets, run.settings()),
               "; ".join(missing) or None)  # fmt: skip

    run_action(run.reporter, action)


@app.command(cls=Command)
def feed(
    lang: Annotated[Lang, typer.Option("--lang", help="en, zh or both (one entry each).")] = (
        Lang.en
    ),
    base_url: BaseUrlOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest entries to keep.")] = 50,
    output: OutputOpt = None,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """An Atom feed of the stored briefs (daily and weekly), newest first."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        check_destination(output, None, lang=Lang.en, lang_given=True, takes_output_dir=False)
        settings = settings_for(config, profile=profile, base_url=base_url)
        langs = languages(lang)
        with Store.open(settings.store.home) as store:
            stored = store.list_briefs(settings.profile, limit=limit)
        if not stored:
            raise NoPapersError(
                f"no stored briefs for profile '{settings.profile}' yet: run briefgen daily first"
            )
        from briefgen.render.feed import atom_feed, published_url  # lxml, for feeds only

        self_url = (published_url(settings.output.feed_base_url, output.name)
                    if output is not None and settings.output.feed_base_url else None)  # fmt: skip
        text = atom_feed(stored, langs, settings, self_url=self_url)
        if output is not None:
            write_output(output, text)
            reporter.info(f"wrote {output} ({len(stored) * len(langs)} entries)")
        else:
            sys.stdout.write(text)

    run_action(reporter, action)


@model_command(
    # `papers` takes the model options for --triage, the only model call it can make.
    without=("lang", "fulltext", "dry_run", "max_cost", "batch"),
    helps={
        "no_cache": "Fetch the listing again even if it is stored, and triage again "
        "(nothing is analysed).",
        "max_papers": "How many papers to list (those a daily run would analyse).",
    },
)
def papers(
    run: ModelRun,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ListFormat.table
    ),
) -> None:
    """Fetch and rank a day's papers, with each one's score and why (a model only with
    --triage)."""

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
def analyze(
    run: ModelRun,
    output: BriefOutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Write DATE-report.LANG.md file(s) here (\\[output] report_filename).",
        ),
    ] = None,
) -> None:
    """Per-paper analyses of a day as a daily papers report (markdown), no synthesis."""

    def report(ctx: RunContext) -> tuple[str, list[tuple[RenderLang, str]], dict[str, str]]:
        result = run_analyze(run.request(), ctx)
        analysed = result.outcome.analyzed
        day = result.ranked.day.isoformat()
        codes = languages(ctx.settings.lang)
        if "zh" in codes and result.chinese is None:
            chinese_notice(run.reporter, "report", OFFLINE_CHINESE_REPORT)
        texts = [
            (code, render_report(day, result.chinese or analysed if code == "zh" else analysed,
                                 lang=code, sources=result.ranked.sources,
                                 engine=f"{ctx.engine.name} ({ctx.engine.model})",
                                 failed=result.outcome.failed))
            for code in codes
        ]  # fmt: skip
        return day, texts, result.outcome.failed

    def action() -> None:
        run.check_destination(output, output_dir)
        if run.dry_run:
            run.print_estimate(synthesis=False)
            return
        day, texts, failed = run.in_context(report)
        if output_dir is not None:
            pattern = run.settings().output.report_filename
            for code, text in texts:
                path = output_dir / pattern.format(date=day, period=day, start=day, end=day,
                                                   lang=code, ext="md")  # fmt: skip
                write_output(path, text, within=output_dir)
                run.reporter.info(f"wrote {path}")
        elif output is not None:
            for code, text in texts:
                path = output if len(texts) == 1 else per_language(output, code)
                write_output(path, text)
                run.reporter.info(f"wrote {path}")
        else:
            sys.stdout.write(texts[0][1])
            sys.stdout.flush()
        _missing(failed, "report")

    run_action(run.reporter, action)


@app.command(cls=Command)
def show(
    paper_id: Annotated[str, typer.Argument(help="arXiv id, e.g. 2602.13531 or 2602.13531v2.")],
    abstract_only: Annotated[
        bool, typer.Option("--abstract-only", help="Show the abstract path, fetch no HTML.")
    ] = False,
    budget: BudgetOpt = None,
    outline: Annotated[
        bool, typer.Option("--outline", help="Headings and token counts only, no text.")
    ] = False,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="text or json.")] = (
        ShowFormat.text
    ),
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Fetch the paper and its full text again even if they are stored."
        ),
    ] = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """One paper: its metadata, where its text comes from, and the text the model reads."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        settings = settings_for(config, budget=budget)
        remote_services = Remote(settings)
        with Store.open(settings.store.home) as store, remote_services as remote:
            shown = show_paper(
                paper_id, settings, store, remote,
                fulltext=not abstract_only, use_cache=not no_cache,
            )  # fmt: skip
        if fmt is ShowFormat.json:
            sys.stdout.write(render_shown_json(shown))
        else:
            sys.stdout.write(render_shown(shown, outline=outline))

    run_action(reporter, action)


@app.command(cls=Command)
def lint(
    files: Annotated[list[Path], typer.Argument(help="Brief files (.md or .json) to check.")],
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check briefs against the brief's rules; exit 1 with one line per problem."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

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


@app.command(cls=Command)
def render(
    file: Annotated[Path, typer.Argument(help="A brief saved with --format json.")],
    fmt: BriefFormatOpt = Format.markdown,
    lang: Annotated[Lang, typer.Option("--lang", help="en, zh or both.")] = Lang.en,
    front_matter: FrontMatterOpt = False,
    output: BriefOutputOpt = None,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", help="Write the file(s) into this folder.")
    ] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Re-render a stored JSON brief as markdown, HTML or JSON, in English or Chinese."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        check_destination(output, output_dir, lang=lang, lang_given=True,
                          one_document=fmt is Format.json)  # fmt: skip
        if file.suffix.lower() in (".md", ".markdown", ".html", ".htm"):
            raise UsageError(
                f"{file} is a rendered brief; render takes the JSON brief: write one with -f "
                "json (`briefgen daily --date DATE -f json -o brief.json` reuses a stored day's "
                "analyses)"
            )
        try:
            brief = load_brief(file.read_text(encoding="utf-8"), str(file))
        except FileNotFoundError:
            raise UsageError(f"no such file: {file}") from None
        except (UnicodeDecodeError, IsADirectoryError) as exc:
            raise UsageError(f"cannot read {file} as text: {exc}") from None
        untranslated = (f"{file} holds no Chinese translation (make one with --lang zh or both "
                        "and a model provider)")  # fmt: skip
        _emit(brief, load_settings(config), reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter, lang=lang,
              untranslated=untranslated)  # fmt: skip

    run_action(reporter, action)


@app.command(cls=Command)
def schema(output: OutputOpt = None, quiet: QuietOpt = False, verbose: VerboseOpt = False) -> None:
    """The JSON Schema of a brief as --format json writes it (also in the package:
    briefgen/data/brief.schema.json)."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        check_destination(output, None, lang=Lang.en, lang_given=True, takes_output_dir=False)
        text = brief_schema_json()
        if output is not None:
            write_output(output, text)
            reporter.info(f"wrote {output}")
        else:
            sys.stdout.write(text)

    run_action(reporter, action)

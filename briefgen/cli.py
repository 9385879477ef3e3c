"""The command line: parse options, build Settings, call the pipeline, choose the exit code.

Thin on purpose: every decision lives in the library; this module turns typed errors into one
clear line on stderr and the exit code of SPEC §3.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from briefgen import __version__
from briefgen.core.errors import BriefgenError, NoPapersError, PartialError, UsageError
from briefgen.core.models import Brief
from briefgen.core.periods import Period, parse_range, parse_week
from briefgen.core.settings import (
    Lang,
    ProviderName,
    Settings,
    SourceName,
    category_help,
    default_config_path,
    default_config_text,
    load_settings,
    settings_to_toml,
    unknown_categories,
)
from briefgen.engines.factory import make_engine
from briefgen.infra.console import Reporter, print_table
from briefgen.infra.files import write_atomic
from briefgen.infra.prompts import bundled_prompts_dir
from briefgen.infra.secrets import install_log_redaction
from briefgen.infra.store import Store
from briefgen.pipeline.context import RunContext, RunOptions
from briefgen.pipeline.day import preview_day, rank_day, run_analyze, run_daily
from briefgen.pipeline.estimate import render_estimate
from briefgen.pipeline.show import render_shown, render_shown_json, show_paper
from briefgen.pipeline.weekly import run_weekly
from briefgen.render.compare import compare_files
from briefgen.render.documents import Format, file_name, is_daily, load_brief, render_document
from briefgen.render.feed import atom_feed
from briefgen.render.lint import lint_file
from briefgen.render.listing import listing_json, listing_rows
from briefgen.render.markdown import languages
from briefgen.render.report import render_reports
from briefgen.sources.dates import parse_date_option
from briefgen.sources.gather import PaperRequest
from briefgen.sources.remote import Remote

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


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", help="Listing date YYYY-MM-DD, 'today' or 'latest' (default: latest)."
    ),
]
SourceOpt = Annotated[
    list[SourceName] | None,
    typer.Option(
        "--source",
        "-s",
        help="arxiv, hf or file (repeatable; merged). Default: arxiv, or file with --papers.",
    ),
]
CrossListsOpt = Annotated[
    bool | None,
    typer.Option(
        "--cross-lists/--no-cross-lists", help="Also take papers cross-listed into the categories."
    ),
]
FulltextOpt = Annotated[
    bool | None,
    typer.Option(
        "--fulltext/--abstract-only",
        help="Read arXiv HTML full text, or only abstracts. Default: full text for arxiv/hf "
        "papers, abstracts for a papers file.",
    ),
]
ProviderOpt = Annotated[
    ProviderName | None,
    typer.Option(
        "--provider",
        help="offline (no key), anthropic (ANTHROPIC_API_KEY) or openai (any compatible API).",
    ),
]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="The model for everything (unless overridden).")
]
AnalysisModelOpt = Annotated[
    str | None, typer.Option("--analysis-model", help="The model that reads each paper.")
]
ConcurrencyOpt = Annotated[
    int | None, typer.Option("--concurrency", min=1, max=64, help="Model calls at once.")
]
PromptsOpt = Annotated[
    Path | None,
    typer.Option("--prompts", help="A folder with your own prompt templates (see prompts/)."),
]
BatchOpt = Annotated[
    bool,
    typer.Option(
        "--batch", help="Send the analyses as an Anthropic Message Batch (half price, slower)."
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Show the papers, tokens and cost estimate; call no model, spend nothing."
    ),
]
MaxCostOpt = Annotated[
    float | None,
    typer.Option("--max-cost", min=0, help="Stop before a run estimated above USD this much."),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Fetch and analyse again even if stored.")
]
PapersOpt = Annotated[
    Path | None, typer.Option("--papers", help="A JSON or JSONL list of papers (the file source).")
]
CategoryOpt = Annotated[
    list[str] | None, typer.Option("--category", "-c", help="arXiv category (repeatable).")
]
KeywordOpt = Annotated[
    list[str] | None, typer.Option("--keyword", "-k", help="Include keyword (repeatable).")
]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", help="Exclude keyword (repeatable).")
]
MaxPapersOpt = Annotated[
    int | None, typer.Option("--max-papers", min=1, help="How many papers to analyse.")
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file to read.")]
ProfileOpt = Annotated[
    str | None,
    typer.Option("--profile", "-p", help="A named interest profile from the config file."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="More detail on stderr.")]

LangOpt = Annotated[Lang | None, typer.Option("--lang", help="en, zh or both.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")]
FrontMatterOpt = Annotated[
    bool,
    typer.Option("--front-matter", help="Start markdown with YAML front matter (Hugo, Jekyll)."),
]
BriefFormatOpt = Annotated[Format, typer.Option("--format", "-f", help="markdown, html or json.")]

T = TypeVar("T")


def _run(reporter: Reporter, action: Callable[[], T]) -> T:
    """Turn expected failures into one line and their exit code; anything else is a bug (1)."""
    try:
        return action()
    except BriefgenError as exc:
        reporter.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        reporter.error("interrupted; finished work is kept in the store and reused next run")
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if reporter.verbose:
            raise
        reporter.error(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose for the "
            "traceback, and please report it)"
        )
        raise typer.Exit(1) from None


def _settings(
    config: Path | None,
    *,
    categories: list[str] | None = None,
    keywords: list[str] | None = None,
    exclude: list[str] | None = None,
    max_papers: int | None = None,
    **overrides: Any,
) -> Settings:
    unknown = unknown_categories(categories or [])
    if unknown:  # a mistyped -c is a usage error, not a config problem
        raise UsageError(category_help(unknown))
    return load_settings(
        config,
        overrides=overrides,
        profile_overrides={
            "categories": categories or None,
            "keywords": keywords or None,
            "exclude": exclude or None,
            "max_papers": max_papers,
        },
    )


@dataclass
class ModelRun:
    """The options daily, weekly and analyze share, and what they make of them."""

    source: list[SourceName] | None
    papers: Path | None
    category: list[str] | None
    keyword: list[str] | None
    exclude: list[str] | None
    max_papers: int | None
    lang: Lang | None
    provider: ProviderName | None
    model: str | None  # every purpose (analyze: the per-paper model)
    analysis_model: str | None
    concurrency: int | None
    prompts: Path | None
    cross_lists: bool | None
    fulltext: bool | None
    batch: bool
    no_cache: bool
    profile: str | None
    config: Path | None
    date: str | None = None
    max_cost: float | None = None
    dry_run: bool = False

    def settings(self) -> Settings:
        # --model names the model for every purpose; --analysis-model the per-paper one.
        return _settings(
            self.config, categories=self.category, keywords=self.keyword, exclude=self.exclude,
            max_papers=self.max_papers, lang=self.lang, profile=self.profile,
            prompts_dir=self.prompts, provider=self.provider,
            analysis_model=self.analysis_model or self.model, synthesis_model=self.model,
            concurrency=self.concurrency,
        )  # fmt: skip

    def request(self) -> PaperRequest:
        return PaperRequest(
            papers_path=self.papers, date=parse_date_option(self.date),
            sources=[s.value for s in self.source or []], cross_lists=self.cross_lists,
        )  # fmt: skip

    def in_context(self, reporter: Reporter, work: Callable[[RunContext], T]) -> T:
        """`work` with the run's settings, store, engine and remote services."""
        settings = self.settings()
        engine = make_engine(settings, calls=not self.dry_run)  # a dry run needs no key
        options = RunOptions(use_cache=not self.no_cache, fulltext=self.fulltext,
                             max_cost=self.max_cost, batch=self.batch)  # fmt: skip
        with Store.open(settings.home) as store, Remote(settings) as remote:
            return work(RunContext(settings, store, engine, reporter, remote, options))

    def dry_run_estimate(self, reporter: Reporter, *, synthesis: bool) -> None:
        def estimate(ctx: RunContext) -> str:
            ranked, found = preview_day(self.request(), ctx, synthesis=synthesis)
            return render_estimate(found, ctx.engine, ranked.day.isoformat())

        sys.stdout.write(self.in_context(reporter, estimate))


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
        (code, render_document(brief, code, fmt, with_front_matter=with_front_matter))
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


@app.command()
def daily(
    date: DateOpt = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    max_papers: MaxPapersOpt = None,
    lang: LangOpt = None,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", help="Write DATE-brief.LANG.md file(s) here (daily_filename)."
        ),
    ] = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    analysis_model: AnalysisModelOpt = None,
    concurrency: ConcurrencyOpt = None,
    prompts: PromptsOpt = None,
    cross_lists: CrossListsOpt = None,
    fulltext: FulltextOpt = None,
    dry_run: DryRunOpt = False,
    max_cost: MaxCostOpt = None,
    batch: BatchOpt = False,
    no_cache: NoCacheOpt = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The whole pipeline for one date; the brief goes to stdout (or --output/--output-dir)."""
    reporter = Reporter(quiet=quiet, verbose=verbose)
    run = ModelRun(
        source, papers, category, keyword, exclude, max_papers, lang, provider, model,
        analysis_model, concurrency, prompts, cross_lists, fulltext, batch, no_cache, profile,
        config, date=date, max_cost=max_cost, dry_run=dry_run,
    )  # fmt: skip

    def action() -> None:
        _one_destination(output, output_dir)
        if dry_run:
            run.dry_run_estimate(reporter, synthesis=True)
            return
        result = run.in_context(reporter, lambda ctx: (run_daily(run.request(), ctx), ctx))
        daily_result, ctx = result
        _emit(daily_result.brief, ctx.settings, reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        _missing(daily_result.failed, "brief")

    _run(reporter, action)


@app.command()
def weekly(
    week: Annotated[
        str | None, typer.Option("--week", "-w", help="ISO week, e.g. 2026-W08.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    max_papers: MaxPapersOpt = None,
    lang: LangOpt = None,
    fmt: BriefFormatOpt = Format.markdown,
    front_matter: FrontMatterOpt = False,
    output: OutputOpt = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", help="Write PERIOD-roundup.LANG.md here (weekly_filename)."),
    ] = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    analysis_model: AnalysisModelOpt = None,
    concurrency: ConcurrencyOpt = None,
    prompts: PromptsOpt = None,
    cross_lists: CrossListsOpt = None,
    fulltext: FulltextOpt = None,
    batch: BatchOpt = False,
    no_cache: NoCacheOpt = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """A roundup of a week or a date range from the stored analyses (only missing days are
    fetched and analysed)."""
    reporter = Reporter(quiet=quiet, verbose=verbose)
    run = ModelRun(
        source, papers, category, keyword, exclude, max_papers, lang, provider, model,
        analysis_model, concurrency, prompts, cross_lists, fulltext, batch, no_cache, profile,
        config,
    )  # fmt: skip

    def action() -> None:
        _one_destination(output, output_dir)
        period = _period(week, start, end)
        result, ctx = run.in_context(
            reporter, lambda ctx: (run_weekly(period, run.request(), ctx), ctx)
        )
        _emit(result.brief, ctx.settings, reporter, fmt=fmt, output=output,
              output_dir=output_dir, front_matter=front_matter)  # fmt: skip
        _missing(result.failed, "roundup")

    _run(reporter, action)


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
        settings = _settings(config, profile=profile, feed_base_url=base_url)
        langs = languages(lang)
        with Store.open(settings.home) as store:
            stored = store.list_briefs(settings.profile, limit=limit)
        if not stored:
            raise NoPapersError(
                f"no stored briefs for profile '{settings.profile}' yet: run briefgen daily first"
            )
        text = atom_feed(stored, langs, settings)
        if output is not None:
            write_atomic(output, text)
            reporter.info(f"wrote {output} ({len(stored) * len(langs)} entries)")
        else:
            sys.stdout.write(text)

    _run(reporter, action)


@app.command()
def papers(
    date: DateOpt = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    max_papers: MaxPapersOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = (
        ListFormat.table
    ),
    cross_lists: CrossListsOpt = None,
    no_cache: NoCacheOpt = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Fetch and rank a day's papers, with each one's score and why; no model involved."""
    reporter = Reporter(quiet=quiet, verbose=verbose)
    run = ModelRun(
        source, papers, category, keyword, exclude, max_papers, None, ProviderName.offline,
        None, None, None, None, cross_lists, None, False, no_cache, profile, config, date=date,
    )  # fmt: skip

    def action() -> None:
        ranked = run.in_context(reporter, lambda ctx: rank_day(run.request(), ctx))
        selected = ranked.selection.selected
        if fmt is ListFormat.json:
            sys.stdout.write(listing_json(selected))
        else:
            title = f"{ranked.day}: {len(selected)} of {ranked.selection.considered} papers"
            print_table(title, ["#", "score", "id", "title", "why"], listing_rows(selected))
        dropped = ranked.selection.dropped
        if dropped:
            reporter.info("not selected: " + "; ".join(f"{n} {why}" for why, n in dropped.items()))

    _run(reporter, action)


@app.command()
def analyze(
    date: DateOpt = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    max_papers: MaxPapersOpt = None,
    lang: LangOpt = None,
    output: OutputOpt = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    concurrency: ConcurrencyOpt = None,
    prompts: PromptsOpt = None,
    cross_lists: CrossListsOpt = None,
    fulltext: FulltextOpt = None,
    dry_run: DryRunOpt = False,
    max_cost: MaxCostOpt = None,
    batch: BatchOpt = False,
    no_cache: NoCacheOpt = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Per-paper analyses of a day as a daily papers report (markdown), no synthesis."""
    reporter = Reporter(quiet=quiet, verbose=verbose)
    run = ModelRun(
        source, papers, category, keyword, exclude, max_papers, lang, provider, None, model,
        concurrency, prompts, cross_lists, fulltext, batch, no_cache, profile, config,
        date=date, max_cost=max_cost, dry_run=dry_run,
    )  # fmt: skip

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
        if dry_run:
            run.dry_run_estimate(reporter, synthesis=False)
            return
        text, failed = run.in_context(reporter, report)
        if output is not None:
            write_atomic(output, text)
            reporter.info(f"wrote {output}")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        _missing(failed, "report")

    _run(reporter, action)


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
        settings = _settings(config, fulltext_budget=budget)
        with Store.open(settings.home) as store, Remote(settings) as remote:
            shown = show_paper(
                paper_id, settings, store, remote,
                fulltext=not abstract_only, use_cache=not no_cache,
            )  # fmt: skip
        if fmt is ShowFormat.json:
            sys.stdout.write(render_shown_json(shown))
        else:
            sys.stdout.write(render_shown(shown, outline=outline))

    _run(reporter, action)


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

    if _run(reporter, action):
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

    _run(reporter, action)


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

    _run(reporter, action)


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

    _run(reporter, action)


@cache_app.command("path")
def cache_path(config: ConfigOpt = None) -> None:
    """Print where the store (SQLite) is."""
    reporter = Reporter()
    settings = _run(reporter, lambda: load_settings(config))
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

    _run(reporter, action)


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

    _run(reporter, action)


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

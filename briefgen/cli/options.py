"""The options the commands share, declared once, and what a command makes of them: its
settings, its run context, and one line with the right exit code for any expected failure."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from briefgen.cli.app import app
from briefgen.core.errors import BriefgenError, UsageError
from briefgen.core.settings import (
    Lang,
    ProviderName,
    Settings,
    SourceName,
    category_help,
    load_settings,
    unknown_categories,
)
from briefgen.engines.factory import make_engine
from briefgen.infra.console import Reporter
from briefgen.infra.store import Store
from briefgen.pipeline.context import RunContext, RunOptions
from briefgen.pipeline.day import preview_day
from briefgen.pipeline.estimate import render_estimate
from briefgen.render.documents import Format
from briefgen.sources.dates import parse_date_option
from briefgen.sources.gather import PaperRequest
from briefgen.sources.remote import Remote

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


def run_action(reporter: Reporter, action: Callable[[], T]) -> T:
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


def settings_for(
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
    """The options daily, weekly, analyze and papers share, and what they make of them."""

    date: str | None = None
    source: list[SourceName] | None = None
    papers: Path | None = None
    category: list[str] | None = None
    keyword: list[str] | None = None
    exclude: list[str] | None = None
    max_papers: int | None = None
    lang: Lang | None = None
    provider: ProviderName | None = None
    model: str | None = None
    analysis_model: str | None = None
    concurrency: int | None = None
    prompts: Path | None = None
    cross_lists: bool | None = None
    fulltext: bool | None = None
    dry_run: bool = False
    max_cost: float | None = None
    batch: bool = False
    no_cache: bool = False
    profile: str | None = None
    config: Path | None = None
    quiet: bool = False
    verbose: bool = False

    def __post_init__(self) -> None:
        self.reporter = Reporter(quiet=self.quiet, verbose=self.verbose)

    def settings(self) -> Settings:
        # --model names the model for every purpose; --analysis-model the per-paper one.
        return settings_for(
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

    def in_context(self, work: Callable[[RunContext], T]) -> T:
        """`work` with the run's settings, store, engine and remote services."""
        settings = self.settings()
        engine = make_engine(settings, calls=not self.dry_run)  # a dry run needs no key
        options = RunOptions(use_cache=not self.no_cache, fulltext=self.fulltext,
                             max_cost=self.max_cost, batch=self.batch)  # fmt: skip
        with Store.open(settings.home) as store, Remote(settings) as remote:
            return work(RunContext(settings, store, engine, self.reporter, remote, options))

    def print_estimate(self, *, synthesis: bool) -> None:
        """--dry-run: the papers, tokens and cost; no model is called."""

        def estimate(ctx: RunContext) -> str:
            ranked, found = preview_day(self.request(), ctx, synthesis=synthesis)
            return render_estimate(found, ctx.engine, ranked.day.isoformat())

        sys.stdout.write(self.in_context(estimate))


def _shared_options(
    date: DateOpt = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    max_papers: MaxPapersOpt = None,
    lang: LangOpt = None,
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
    """The shared options, as Typer reads them (a template, never called)."""


SHARED = inspect.signature(_shared_options, eval_str=True).parameters
# The options that choose and drive a model (a command without a model leaves them out).
MODEL_OPTIONS = ("provider", "model", "analysis_model", "concurrency", "prompts")


def model_command(
    *, without: tuple[str, ...] = ()
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `func(run: ModelRun, **own_options)` as a command whose options are its own
    plus the shared ones (but those `without`): Typer sees one flat list of options, the
    command gets the shared ones as one ModelRun."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func, eval_str=True)
        shared = [p for name, p in SHARED.items() if name not in without]
        params = [p for p in own.parameters.values() if p.name != "run"] + shared

        @functools.wraps(func)
        def command(**options: Any) -> None:
            run = ModelRun(**{p.name: options.pop(p.name) for p in shared})
            func(run, **options)

        command.__dict__["__signature__"] = own.replace(parameters=params)  # what Typer reads
        command.__annotations__ = {p.name: p.annotation for p in params}
        app.command(name=func.__name__)(command)
        return command

    return decorate

"""The options the commands share, declared once, and what a command makes of them: its
settings, its run context, and one line with the right exit code for any expected failure."""

from __future__ import annotations

import copy
import errno
import functools
import inspect
import os
import sqlite3
import stat
import sys
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar, get_args, get_origin

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from rich.markup import escape
from typer.core import TyperOption

from briefgen.cli.app import INTERRUPTED, PIPE_CLOSED, BaseCommand, Interrupts, app, silence_stdout
from briefgen.core.errors import BriefgenError, ConfigError, OutputError, UsageError
from briefgen.core.settings import (
    PROFILE_VARIABLES,
    Lang,
    Profile,
    ProviderName,
    Settings,
    SourceName,
    category_help,
    default_config_path,
    load_settings,
    unknown_categories,
)
from briefgen.core.settings_errors import model_of
from briefgen.core.settings_moved import variable_named, variable_setting
from briefgen.engines.factory import make_engine as make_engine  # tests replace it here
from briefgen.infra.console import Reporter, reporting
from briefgen.infra.files import cannot_write, write_atomic
from briefgen.infra.store import Store
from briefgen.infra.store_recovery import is_damage
from briefgen.pipeline.context import RunContext, RunOptions
from briefgen.pipeline.day import preview_day
from briefgen.pipeline.estimate import render_estimate
from briefgen.render.documents import Format
from briefgen.sources.dates import parse_date_option
from briefgen.sources.gather import PaperRequest
from briefgen.sources.remote import Remote as Remote  # tests replace it here


def _field(path: str) -> FieldInfo:
    """The settings field at `path`: "model.concurrency", or "profile.max_papers" for a
    field of the active profile."""
    *tables, name = path.split(".")
    model: type[BaseModel] = Settings
    for table in tables:
        found = Profile if table == "profile" else model_of(model.model_fields[table].annotation)[0]
        assert found is not None, path
        model = found
    return model.model_fields[name]


def _bound(field: FieldInfo, name: str) -> Any:
    # Field(ge=…, le=…) keeps its bounds as annotated-types' Ge and Le in the metadata.
    return next((getattr(rule, name) for rule in field.metadata if hasattr(rule, name)), None)


def setting_option(path: str, *names: str) -> Any:
    """An option that sets the setting at `path`: its help is the field's description, its
    bounds are the field's."""
    field = _field(path)
    words = escape(field.description or "")  # help is Rich markup: [profiles.NAME] is text
    return typer.Option(*names, help=f"{words[:1].upper()}{words[1:]}.",
                        min=_bound(field, "ge"), max=_bound(field, "le"))  # fmt: skip


DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", help="Listing date YYYY-MM-DD, 'today' or 'latest' (default: latest)."
    ),
]
SourceOpt = Annotated[
    list[SourceName] | None,
    typer.Option("--source", "-s", help="arxiv, hf or file (repeatable; merged)."),
]
CrossListsOpt = Annotated[
    bool | None, setting_option("sources.cross_lists", "--cross-lists/--no-cross-lists")
]
FulltextOpt = Annotated[
    bool | None,
    typer.Option(
        "--fulltext/--abstract-only",
        help="Read the arXiv HTML full text, or only abstracts (default: full text; "
        "abstracts for --papers).",
    ),
]
ProviderOpt = Annotated[ProviderName | None, setting_option("provider", "--provider")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="The model for everything (unless overridden).")
]
AnalysisModelOpt = Annotated[
    str | None, setting_option("model.analysis_model", "--analysis-model")
]
ConcurrencyOpt = Annotated[int | None, setting_option("model.concurrency", "--concurrency")]
PromptsOpt = Annotated[Path | None, setting_option("model.prompts_dir", "--prompts")]
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
LibraryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--library",
        help="Papers you read, to rank by: a .bib, zotero:USER/COLLECTION, a file of arXiv ids "
        "or of papers (repeatable).",
    ),
]
AuthorOpt = Annotated[
    list[str] | None,
    typer.Option("--author", help="Follow an author: their papers are always selected "
                 "(repeatable)."),
]  # fmt: skip
IncludeSeenOpt = Annotated[
    bool,
    typer.Option("--include-seen", help="Also rank papers briefed on an earlier day."),
]
EmbeddingModelOpt = Annotated[
    str | None, setting_option("selection.embedding_model", "--embedding-model")
]
TriageOpt = Annotated[
    bool,
    typer.Option(
        "--triage",
        help="A model scores each candidate's relevance first; the best --max-papers are kept.",
    ),
]
MaxPapersOpt = Annotated[int | None, setting_option("profile.max_papers", "--max-papers")]
BudgetOpt = Annotated[int | None, setting_option("sources.fulltext_budget", "--budget")]
BaseUrlOpt = Annotated[str | None, setting_option("output.feed_base_url", "--base-url")]
# Eager, so that `--config FILE --help` shows the defaults that FILE gives.
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", is_eager=True, help="Config file to read (default: `briefgen config path`)."
    ),
]
ProfileOpt = Annotated[str | None, setting_option("profile", "--profile", "-p")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="More detail on stderr (and tracebacks).")
]

LangOpt = Annotated[Lang | None, setting_option("lang", "--lang")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
]
BriefOutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file, not stdout (in two languages: FILE.en.md and FILE.zh.md).",
    ),
]
FrontMatterOpt = Annotated[bool, setting_option("output.front_matter", "--front-matter")]
BriefFormatOpt = Annotated[Format, typer.Option("--format", "-f", help="markdown, html or json.")]


# --help: the defaults as they are now ---------------------------------------------------------


def _models(settings: Settings) -> str:
    analysis, synthesis = settings.model_for("analysis"), settings.model_for("synthesis")
    return analysis if analysis == synthesis else f"{analysis} per paper, {synthesis} for the brief"


@dataclass(frozen=True)
class Backed:
    """An option backed by a setting. Left out, it takes its value from the settings (config
    file < BRIEFGEN_* < flag), which its help shows, computed when the help is shown, with
    where it came from; given, it sets `sets` (default: the setting at `path`)."""

    path: str  # "model.concurrency"; "profile.max_papers" for the active profile's field
    show: Callable[[Settings], str | None]
    sets: tuple[str, ...] | None = None  # () for an option the run uses, not the settings

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.path,) if self.sets is None else self.sets

    def variable_in(self, env: Mapping[str, str]) -> str | None:
        """The BRIEFGEN_* variable of `env` that sets it, as the user spelled it (its old flat
        name too; a profile's field: only the few that have one), named in --help."""
        table, _, key = self.path.rpartition(".")
        if table == "profile":
            return variable_named(env, f"BRIEFGEN_{key}") if key in PROFILE_VARIABLES else None
        if not table:
            return variable_named(env, f"BRIEFGEN_{key}")
        return variable_setting(env, table, key)


# Each option backed by a setting, by its parameter name. --analysis-model comes after
# --model: given both, it names the per-paper model and --model the rest.
SETTING_FLAGS: dict[str, Backed] = {
    "lang": Backed("lang", lambda s: s.lang.value),
    "provider": Backed("provider", lambda s: s.provider.value),
    "profile": Backed("profile", lambda s: s.profile),
    "max_papers": Backed("profile.max_papers", lambda s: str(s.active_profile.max_papers)),
    "concurrency": Backed("model.concurrency", lambda s: str(s.model.concurrency)),
    "model": Backed("model.synthesis_model", lambda s: _models(s),
                    sets=("model.analysis_model", "model.synthesis_model")),
    "analysis_model": Backed("model.analysis_model", lambda s: s.model_for("analysis")),
    "source": Backed("sources.use", lambda s: ", ".join(s.sources.use) + "; file with --papers",
                     sets=()),
    "cross_lists": Backed("sources.cross_lists", lambda s: "cross-lists"
                          if s.sources.cross_lists else "no-cross-lists", sets=()),
    "category": Backed("profile.categories",
                       lambda s: ", ".join(s.active_profile.categories) or "any"),
    "keyword": Backed("profile.keywords",
                      lambda s: f"the profile's {len(s.active_profile.keywords)} keywords"),
    "exclude": Backed("profile.exclude", lambda s: ", ".join(s.active_profile.exclude) or "none"),
    "library": Backed("profile.library", lambda s: ", ".join(s.active_profile.library)
                      or "none; starred papers", sets=()),
    "author": Backed("profile.authors", lambda s: ", ".join(s.active_profile.authors) or "none",
                     sets=()),
    "embedding_model": Backed("selection.embedding_model", lambda s: s.selection.embedding_model),
    "prompts": Backed("model.prompts_dir",
                      lambda s: str(s.model.prompts_dir or "the bundled prompts")),
    "budget": Backed("sources.fulltext_budget", lambda s: f"{s.sources.fulltext_budget} tokens"),
    "base_url": Backed("output.feed_base_url", lambda s: s.output.feed_base_url or "none"),
    "front_matter": Backed("output.front_matter",
                           lambda s: "on (front_matter)" if s.output.front_matter else None,
                           sets=()),
}  # fmt: skip


def help_defaults(
    config: Path | None, env: Mapping[str, str] | None = None
) -> tuple[dict[str, str], str | None]:
    """Each settings-backed option's default as its help shows it, and a note when the config
    cannot be read (the help then shows briefgen's own defaults: help never fails)."""
    env = os.environ if env is None else env
    builtin = Settings()
    note = None
    try:
        settings = load_settings(config, env=env)
    except (BriefgenError, OSError, ValueError) as exc:
        settings = builtin
        note = (
            f"The config cannot be used ({exc}), so the defaults shown are briefgen's own; "
            "`briefgen config show` says more."
        )
    where = str(settings.store.config_path if config is None else config)
    if config is None and not Path(where).exists():
        where = str(default_config_path(env))
    shown = {}
    for name, backed in SETTING_FLAGS.items():
        value = backed.show(settings)
        if value is None:
            continue
        if note is None and value != backed.show(builtin):
            value = f"{value}, from {backed.variable_in(env) or where}"
        shown[name] = value
    return shown, note


class Command(BaseCommand):
    """A command whose help shows each option's effective default: for an option backed by
    the settings, the value the config file and environment give it now."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_help = self.help
        self.option_help = {p.name: getattr(p, "help", None) for p in self.params if p.name}

    def format_help(self, ctx: Any, formatter: Any) -> None:  # see cli/app.py's _OwnHelp
        config = ctx.params.get("config")
        # The config is read for the help too: a key it has in an old place is a warning here
        # as on a run (help_defaults itself logs nothing, so a library use prints nothing).
        with reporting(Reporter(quiet=ctx.params.get("quiet") is True)):
            shown, note = help_defaults(config if isinstance(config, Path) else None)
        for param in self.params:
            if not isinstance(param, TyperOption) or param.name not in shown:
                continue
            if param.default not in (None, False):
                continue  # a default of its own, which Typer shows
            text = self.option_help.get(param.name) or ""
            param.help = f"{text} " + escape(f"[default: {shown[param.name]}]")
        self.help = f"{self.own_help}\n\n{note}" if note else self.own_help
        super().format_help(ctx, formatter)


T = TypeVar("T")

# What the file system says when a path cannot be used: the user's to fix, not a bug.
LOCAL_FILE_ERRORS = {
    errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
    errno.EISDIR, errno.ENOTDIR, errno.ENOENT, errno.ENAMETOOLONG,
}  # fmt: skip


def run_action(reporter: Reporter, action: Callable[[], T], *, shows_records: bool = True) -> T:
    """Turn expected failures into one line and their exit code; anything else is a bug (1).
    While `action` runs, `reporter` shows what briefgen logs (`shows_records`, the default).

    A closed stdout (`briefgen … | head -1`) ends the command quietly with 141, as SIGPIPE ends
    a Unix tool; Ctrl-C is one line and 130."""
    try:
        with reporting(reporter) if shows_records else nullcontext():
            return action()
    except BriefgenError as exc:
        reporter.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except (KeyboardInterrupt, typer.Abort):
        Interrupts.report(lambda: reporter.error(
            "interrupted; finished work is kept in the store and reused next run"))  # fmt: skip
        raise typer.Exit(INTERRUPTED) from None
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(PIPE_CLOSED) from None
    except typer.Exit:
        raise
    except OSError as exc:
        if exc.errno not in LOCAL_FILE_ERRORS:  # not a path the user gave: a bug
            _internal(reporter, exc)
        where = exc.filename or "a file"
        reporter.error(f"cannot use {where}: {exc.strerror or exc}")
        raise typer.Exit(OutputError.exit_code) from None
    except sqlite3.OperationalError as exc:  # the store's disk filled up, or turned read-only
        if not any(word in str(exc) for word in ("disk", "readonly", "read-only")):
            _internal(reporter, exc)
        reporter.error(
            f"the store cannot be written: {exc}; free some space or set BRIEFGEN_HOME to a "
            "writable folder"
        )
        raise typer.Exit(ConfigError.exit_code) from None
    except sqlite3.DatabaseError as exc:  # damage found mid-run, in a store too big to check
        if not is_damage(exc):
            _internal(reporter, exc)
        reporter.error(
            f"the store is damaged: {exc}; run `briefgen cache repair`: it sets the damaged "
            "file aside and copies what SQLite can still read of it into a fresh store"
        )
        raise typer.Exit(ConfigError.exit_code) from None
    except Exception as exc:
        _internal(reporter, exc)


def _internal(reporter: Reporter, exc: Exception) -> NoReturn:
    """A bug: its traceback with --verbose, else one line asking for a report."""
    if reporter.verbose:
        raise exc
    reporter.error(
        f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose for the "
        "traceback, and please report it)"
    )
    raise typer.Exit(1) from None


# Output ---------------------------------------------------------------------------------------


def is_device(path: Path) -> bool:
    """A terminal, /dev/null, a named pipe: written in place, never replaced by a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def write_output(path: Path, text: str, *, within: Path | None = None) -> None:
    """A document written where -o says: a file atomically (see write_atomic), a device or a
    named pipe (/dev/stdout, /dev/null, a FIFO) in place. `within`: the --output-dir folder a
    file briefgen named must stay in."""
    if not is_device(path):
        write_atomic(path, text, within=within)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def per_language(path: Path, code: str) -> Path:
    """-o brief.md for two languages: brief.en.md and brief.zh.md."""
    stem = path.stem.removesuffix(".en").removesuffix(".zh")
    return path.with_name(f"{stem}.{code}{path.suffix}")


def check_destination(
    output: Path | None,
    output_dir: Path | None,
    *,
    lang: Lang,
    lang_given: bool,
    one_document: bool = False,
    takes_output_dir: bool = True,
) -> None:
    """Before any work: where the output goes can hold it. Two languages are two documents,
    which stdout (or a device) cannot hold one after the other."""
    if output is not None and output_dir is not None:
        raise UsageError("use either --output or --output-dir, not both")
    if output is not None and output.is_dir():
        instead = f", or use --output-dir {output}" if takes_output_dir else ""
        raise UsageError(f"--output {output} is a directory: name a file in it{instead}")
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"--output-dir {output_dir} is a file, not a directory")
    if lang is not Lang.both or one_document or output_dir is not None:
        return
    if output is None or is_device(output):
        asked = "--lang both" if lang_given else "lang = \"both\" (from the config)"
        where = "stdout" if output is None else str(output)
        raise UsageError(
            f"{asked} makes two documents (English and Chinese) and {where} takes one: use "
            "--output-dir DIR, or -o FILE (one file per language: -o brief.md writes "
            "brief.en.md and brief.zh.md), or --lang en or zh"
        )


def chinese_notice(reporter: Reporter, what: str, why: str) -> None:
    reporter.notice(f"the Chinese {what} has English text: {why}")


OFFLINE_CHINESE = (
    "the offline engine writes its own words in Chinese and quotes the papers' sentences in "
    "English, 「…」 (--provider anthropic or openai translates them)"
)
OFFLINE_CHINESE_REPORT = (
    "the offline engine writes no Chinese prose in a report: its headings are Chinese "
    "(--provider anthropic or openai translates it)"
)


# Commands -------------------------------------------------------------------------------------


def sets_a_setting(name: str) -> bool:
    backed = SETTING_FLAGS.get(name)
    return backed is not None and bool(backed.targets)


def settings_overrides(flags: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The settings the options given set, nested as the settings are, and the active
    profile's: ({"model": {"concurrency": 2}}, {"max_papers": 5}). None or an empty list is an
    option not given."""
    nested: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for name, backed in SETTING_FLAGS.items():
        value = flags.get(name)
        if value is None or (isinstance(value, list | tuple) and not value):
            continue
        for path in backed.targets:
            *tables, key = path.split(".")
            if tables == ["profile"]:
                profile[key] = value
                continue
            table = nested
            for part in tables:
                table = table.setdefault(part, {})
            table[key] = value
    return nested, profile


def settings_for(
    config: Path | None, *, authors: list[str] | None = None, **flags: Any
) -> Settings:
    """The settings with the options given (by parameter name, as SETTING_FLAGS knows them)."""
    unknown = unknown_categories(flags.get("category") or [])
    if unknown:  # a mistyped -c is a usage error, not a config problem
        raise UsageError(category_help(unknown))
    nested, profile = settings_overrides(flags)
    settings = load_settings(config, overrides=nested, profile_overrides=profile)
    if authors:  # --author adds to the authors the profile follows
        active = settings.active_profile
        active.authors = list(dict.fromkeys([*active.authors, *authors]))
    return settings


@dataclass
class ModelRun:
    """The options daily, weekly, analyze and papers share, and what they make of them: the
    options that set a setting are kept as given (SETTING_FLAGS says where they go), the
    run's own as fields."""

    flags: dict[str, Any] = field(default_factory=dict)  # parameter name -> value given
    date: str | None = None
    source: list[SourceName] | None = None
    papers: Path | None = None
    library: list[str] | None = None
    author: list[str] | None = None
    include_seen: bool = False
    triage: bool = False
    cross_lists: bool | None = None
    fulltext: bool | None = None
    dry_run: bool = False
    max_cost: float | None = None
    batch: bool = False
    no_cache: bool = False
    config: Path | None = None
    quiet: bool = False
    verbose: bool = False
    _settings: Settings | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reporter = Reporter(quiet=self.quiet, verbose=self.verbose)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = settings_for(self.config, authors=self.author, **self.flags)
        return self._settings

    def request(self) -> PaperRequest:
        return PaperRequest(
            papers_path=self.papers, date=parse_date_option(self.date),
            sources=[s.value for s in self.source or []], cross_lists=self.cross_lists,
        )  # fmt: skip

    def check_destination(
        self, output: Path | None, output_dir: Path | None, *, one_document: bool = False
    ) -> None:
        """Before any work (a dry run writes no document, so it goes anywhere)."""
        if self.dry_run:
            check_destination(output, output_dir, lang=Lang.en, lang_given=True)
            return
        check_destination(output, output_dir, lang=self.settings().lang,
                          lang_given=self.flags.get("lang") is not None,
                          one_document=one_document)  # fmt: skip

    def in_context(self, work: Callable[[RunContext], T]) -> T:
        """`work` with the run's settings, store, engine and remote services."""
        settings = self.settings()
        engine = make_engine(settings, calls=not self.dry_run)  # dry: no key
        options = RunOptions(use_cache=not self.no_cache, fulltext=self.fulltext,
                             max_cost=self.max_cost, batch=self.batch,
                             library=tuple(self.library or ()),
                             include_seen=self.include_seen, triage=self.triage)  # fmt: skip
        if self.triage and settings.provider == "offline":
            raise UsageError("--triage needs a model (--provider anthropic or openai)")
        with Store.open(settings.store.home) as store, Remote(settings) as remote:
            return work(RunContext(settings, store, engine, remote, options))

    def print_estimate(self, *, synthesis: bool) -> None:
        """--dry-run: the papers, tokens and cost; no model is called."""

        def estimate(ctx: RunContext) -> str:
            ranked, found = preview_day(self.request(), ctx, synthesis=synthesis)
            return render_estimate(found, ctx.engine, ranked.day.isoformat(), batch=self.batch)

        sys.stdout.write(self.in_context(estimate))


def _shared_options(
    date: DateOpt = None,
    source: SourceOpt = None,
    papers: PapersOpt = None,
    category: CategoryOpt = None,
    keyword: KeywordOpt = None,
    exclude: ExcludeOpt = None,
    library: LibraryOpt = None,
    author: AuthorOpt = None,
    include_seen: IncludeSeenOpt = False,
    embedding_model: EmbeddingModelOpt = None,
    triage: TriageOpt = False,
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


def _with_help(param: inspect.Parameter, text: str) -> inspect.Parameter:
    """A shared option with help of the command's own (--no-cache of `papers` fetches again
    but analyses nothing)."""
    assert get_origin(param.annotation) is Annotated
    base, *metadata = get_args(param.annotation)
    infos = []
    for info in metadata:
        if isinstance(info, typer.models.OptionInfo):
            info = copy.copy(info)
            info.help = text
        infos.append(info)
    return param.replace(annotation=Annotated[(base, *infos)])


def model_command(
    *, without: tuple[str, ...] = (), helps: Mapping[str, str] | None = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `func(run: ModelRun, **own_options)` as a command whose options are its own
    plus the shared ones (but those `without`, and with the help texts of `helps` instead of
    the shared ones): Typer sees one flat list of options, the command gets the shared ones as
    one ModelRun."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func, eval_str=True)
        shared = [_with_help(p, helps[name]) if helps and name in helps else p
                  for name, p in SHARED.items() if name not in without]  # fmt: skip
        params = [p for p in own.parameters.values() if p.name != "run"] + shared

        @functools.wraps(func)
        def command(**options: Any) -> None:
            given = {p.name: options.pop(p.name) for p in shared}
            flags = {name: given.pop(name) for name in list(given) if sets_a_setting(name)}
            run = ModelRun(flags, **given)
            func(run, **options)

        command.__dict__["__signature__"] = own.replace(parameters=params)  # what Typer reads
        command.__annotations__ = {p.name: p.annotation for p in params}
        app.command(name=func.__name__, cls=Command)(command)
        return command

    return decorate

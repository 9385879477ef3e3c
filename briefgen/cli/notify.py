"""Getting a brief to its readers: `--notify NAME` on daily and weekly (after the brief is
written), and `briefgen send FILE|DATE --notify NAME` for a brief already made — nothing is
fetched or analysed again."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.app import app
from briefgen.cli.options import (
    Command,
    ConfigOpt,
    ProfileOpt,
    QuietOpt,
    VerboseOpt,
    run_action,
)
from briefgen.core.errors import PartialError, UsageError
from briefgen.core.models import Brief
from briefgen.core.notify_targets import NotifyTarget
from briefgen.core.periods import WEEK, parse_week
from briefgen.core.settings import Settings, load_settings
from briefgen.infra.console import Reporter
from briefgen.infra.store import Store
from briefgen.outlets.notify import (
    Document,
    Target,
    deliver,
    document_of_brief,
    document_of_markdown,
    failure_message,
    resolve_targets,
)
from briefgen.render.documents import load_brief
from briefgen.render.lint import brief_language, lint_markdown
from briefgen.render.markdown import RenderLang, languages, render_brief_markdown

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

NotifyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--notify",
        metavar="NAME",
        help="After writing the brief, send it to this \\[notify.NAME] target of the config "
        "(repeatable).",
    ),
]


def notify_targets(settings: Settings, names: list[str] | None) -> list[Target]:
    """The targets --notify names, checked before any work (exit 2 or 5 at once)."""
    return resolve_targets(settings, names) if names else []


def resend_label(brief: Brief) -> str:
    """What `briefgen send` takes to find this brief again."""
    if brief.kind == "daily" or WEEK.match(brief.date):
        return brief.date
    return "FILE.json"


def send_brief(
    brief: Brief,
    targets: list[Target],
    settings: Settings,
    *,
    force: bool = False,
    resend: str | None = None,
    lang: RenderLang | None = None,
) -> str | None:
    """Send a brief to the targets (each in its language, else the run's first); the
    failures in one line (None if all went). `resend` is what `briefgen send` would take."""
    if not targets:
        return None
    first: RenderLang = languages(settings.lang)[0]

    def document(target: NotifyTarget) -> Document:
        return document_of_brief(brief, lang or target.lang or first, settings)

    with Store.open(settings.store.home) as store:
        outcomes = deliver(targets, document, settings, store, force=force)
    return failure_message(outcomes, resend or resend_label(brief))


def finish(delivery_failure: str | None, papers_failure: str | None) -> None:
    """Exit 4 naming every failure (papers and deliveries), once the brief is written."""
    problems = [p for p in (papers_failure, delivery_failure) if p]
    if problems:
        raise PartialError("; ".join(problems))


def _stored(what: str, settings: Settings) -> Brief:
    kind = "daily" if DAY.match(what) else "weekly"
    label = what if kind == "daily" else parse_week(what).label
    with Store.open(settings.store.home) as store:
        brief = store.get_brief(kind, label, settings.profile)
    if brief is None:
        made = "daily --date" if kind == "daily" else "weekly --week"
        raise UsageError(
            f"no stored {'daily brief' if kind == 'daily' else 'roundup'} for {label} "
            f"(profile '{settings.profile}'); make it with `briefgen {made} {label}`, or "
            "send a brief file"
        )
    return brief


def _stored_twin(text: str, lang: RenderLang, settings: Settings) -> Brief | None:
    """The stored brief a markdown file was written from, if the store has it unchanged: then
    `send FILE.md` sends (and records) exactly what `--notify` or `send DATE` would."""
    doc = document_of_markdown(text, lang, settings)
    with Store.open(settings.store.home) as store:
        brief = store.get_brief("daily" if doc.kind == "daily" else "weekly", doc.label,
                                settings.profile)  # fmt: skip
    if brief is None:
        return None
    heading = doc.markdown.startswith("# ")
    return brief if render_brief_markdown(brief, lang, heading=heading) == doc.markdown else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise UsageError(f"cannot read {path} as text: {exc}") from None


@app.command(cls=Command)
def send(
    what: Annotated[
        str,
        typer.Argument(
            help="A brief file written by briefgen (.md or .json), a date (YYYY-MM-DD: the "
            "stored daily brief) or a week (2026-W08: the stored roundup).",
            show_default=False,
        ),
    ],
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify", metavar="NAME",
            help="A \\[notify.NAME] target of the config (at least one; repeatable).",
        ),
    ] = [],  # noqa: B006 - Typer passes its own list
    force: Annotated[
        bool,
        typer.Option("--force", help="Send even to targets that already have this brief."),
    ] = False,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Send a brief already made to notification targets (nothing is fetched or analysed).

    A target that already has exactly this brief is skipped (unless --force), so sending
    again after a failure reaches only the targets that missed it."""
    reporter = Reporter(quiet=quiet, verbose=verbose)

    def action() -> None:
        if not notify:
            raise UsageError("send to whom? name at least one target: --notify NAME")
        settings = load_settings(config, overrides={"profile": profile} if profile else None)
        path = Path(what)
        is_file = path.suffix.lower() in (".md", ".markdown", ".json") or path.exists()
        if not is_file and not (DAY.match(what) or WEEK.match(what)):
            raise UsageError(
                f"{what!r} is neither a brief file (.md or .json) nor a date (YYYY-MM-DD) or "
                "week (2026-W08)"
            )
        targets = resolve_targets(settings, notify)
        if is_file and path.suffix.lower() not in (".json",):
            text = _read(path)
            problems = lint_markdown(text)
            if problems:
                raise UsageError(f"{path} is not a brief: {'; '.join(problems[:3])}")
            lang: RenderLang = "zh" if brief_language(text) == "zh" else "en"
            twin = _stored_twin(text, lang, settings)
            if twin is not None:  # the stored brief this file was written from: same content
                failure = send_brief(twin, targets, settings, force=force,
                                     resend=str(path), lang=lang)  # fmt: skip
                finish(failure, None)
                return

            def document(target: NotifyTarget) -> Document:
                if target.lang is not None and target.lang != lang:
                    reporter.notice(
                        f"{path} is the {lang} brief; target asks for {target.lang}: send the "
                        "other language's file or the .json brief for that"
                    )
                return document_of_markdown(text, lang, settings)

            with Store.open(settings.store.home) as store:
                outcomes = deliver(targets, document, settings, store, force=force)
            finish(failure_message(outcomes, str(path)), None)
            return
        brief = load_brief(_read(path), str(path)) if is_file else _stored(what, settings)
        resend = str(path) if is_file else what
        finish(send_brief(brief, targets, settings, force=force, resend=resend), None)

    run_action(reporter, action)

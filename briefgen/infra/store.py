"""The local store: SQLite in WAL mode under $BRIEFGEN_HOME. The only module with SQL.

Every stage's output is kept here so that a rerun spends nothing it already spent and an
interrupted run resumes where it stopped. The schema grows through named migrations, applied
once each, in order, inside a transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from briefgen.core.calls import CallRecord
from briefgen.core.errors import ConfigError, UsageError
from briefgen.core.models import NOT_STATED, Brief, Paper, PaperAnalysis, ParsedHtml
from briefgen.core.trust import check_home, check_store_file
from briefgen.infra import store_recovery

DB_NAME = "briefgen.sqlite3"
MISSING_HTML_TTL = timedelta(days=1)

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE papers (
            id TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            published TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX papers_published ON papers (published);
        CREATE TABLE analyses (
            paper_id TEXT NOT NULL,
            version TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            model TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (paper_id, version, prompt_version, model)
        );
        CREATE TABLE briefs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            period TEXT NOT NULL,
            profile TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (kind, period, profile)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            params TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            paper_count INTEGER NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT ''
        );
        """,
    ),
    (
        "0002_fulltexts_listings",
        """
        CREATE TABLE fulltexts (
            paper_id TEXT NOT NULL,
            version TEXT NOT NULL,
            status TEXT NOT NULL,
            data TEXT,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (paper_id, version)
        );
        CREATE TABLE listings (
            source TEXT NOT NULL,
            day TEXT NOT NULL,
            query TEXT NOT NULL,
            via TEXT NOT NULL,
            papers TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (source, day, query)
        );
        """,
    ),
    (
        "0003_calls",
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            run_id INTEGER,
            paper_id TEXT NOT NULL,
            purpose TEXT NOT NULL,
            model TEXT NOT NULL,
            ok INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cache_read_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            cost_usd REAL NOT NULL,
            seconds REAL NOT NULL,
            message TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX calls_run ON calls (run_id);
        """,
    ),
    (
        "0004_cache",
        """
        CREATE TABLE cache (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        """,
    ),
    (
        "0005_relevance",
        """
        CREATE TABLE embeddings (
            key TEXT NOT NULL,
            model TEXT NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (key, model)
        );
        CREATE TABLE stars (
            paper_id TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            starred_at TEXT NOT NULL
        );
        CREATE TABLE briefed (
            profile TEXT NOT NULL,
            day TEXT NOT NULL,
            paper_id TEXT NOT NULL,
            version TEXT NOT NULL,
            PRIMARY KEY (profile, day, paper_id)
        );
        CREATE INDEX briefed_paper ON briefed (profile, paper_id);
        """,
    ),
    (
        # Full-text search (`briefgen search`) over papers, analyses and briefs: one row of
        # search_docs per indexed piece (its kind, paper, dates, profile) and, under the same
        # rowid, its text in search_text (words: unicode61) and, for a brief's Chinese, in
        # search_cjk (trigram: Chinese has no spaces between words). Kept in step with the
        # tables they index by the writes that change those (_index_*), in the same
        # transactions; existing rows are indexed by _backfill_search as this is applied.
        "0006_search",
        """
        CREATE TABLE search_docs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            part TEXT NOT NULL,
            paper_id TEXT NOT NULL,
            version TEXT NOT NULL,
            label TEXT NOT NULL,
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            profile TEXT NOT NULL,
            period TEXT NOT NULL
        );
        CREATE INDEX search_docs_owner ON search_docs (kind, owner);
        CREATE INDEX search_docs_paper ON search_docs (paper_id);
        CREATE VIRTUAL TABLE search_text USING fts5 (
            title, contribution, authors, body,
            tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
        );
        CREATE VIRTUAL TABLE search_cjk USING fts5 (text, tokenize = 'trigram')
        """,
    ),
]

TABLES = (
    "papers", "analyses", "briefs", "runs", "fulltexts", "listings", "calls", "cache",
    "embeddings", "stars", "briefed",
)  # fmt: skip
# The reader's own choices are not cache: `cache clear` keeps the papers they starred.
KEPT_BY_CLEAR = ("stars",)


def input_key(*parts: str) -> str:
    """The cache key of a model result: a hash of exactly what it was made from (prompt
    version, model, inputs), so a change to any of them is a miss, never a stale hit."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _enable_wal(connection: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch to WAL. SQLite reports 'database is locked' at once, without waiting for the busy
    timeout, when two processes create the same new store together; so this waits itself."""
    for attempt in range(attempts):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def _upsert_papers(db: sqlite3.Connection, papers: list[Paper]) -> None:
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "version = excluded.version, published = excluded.published, "
        "data = excluded.data, updated_at = excluded.updated_at",
        [(p.id, p.version, p.published.isoformat(), p.model_dump_json(), _now()) for p in papers],
    )
    _index_papers(db, papers)


@dataclass(frozen=True)
class StoredBrief:
    kind: str  # "daily" or "weekly"
    period: str
    brief: Brief
    updated: datetime


@dataclass(frozen=True)
class AnalysisKey:
    """An analysis is reusable only for the same paper version, prompt and model."""

    paper_id: str
    version: str
    prompt_version: str
    model: str


# search index (migration 0006_search) -------------------------------------------------------

SEARCH_TABLES = ("search_text", "search_cjk", "search_docs")
# bm25 column weights of search_text (title, contribution, authors, body): a word in a title
# or a one-line contribution says more about a paper than the same word in an abstract.
SEARCH_WEIGHTS = (10.0, 5.0, 2.0, 1.0)
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SKIP = {"", NOT_STATED}


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@dataclass(frozen=True)
class SearchDoc:
    """One indexed piece of text: a paper, an analysis, or one part of a brief."""

    part: str  # abstract, analysis, takeaway, theme, top paper, synthesis, next step, glance
    paper_id: str = ""  # '' for a part of a brief about no one paper
    version: str = ""
    label: str = ""  # the paper's title
    title: str = ""
    contribution: str = ""
    authors: str = ""
    body: str = ""
    chinese: str = ""
    first_day: str = ""
    last_day: str = ""
    profile: str = ""
    period: str = ""


def _join(*texts: str | list[str]) -> str:
    flat: list[str] = []
    for text in texts:
        flat += text if isinstance(text, list) else [text]
    return "\n".join(t for t in flat if t.strip() not in _SKIP)


def _paper_docs(paper: Paper) -> list[SearchDoc]:
    return [SearchDoc(
        "abstract", paper.id, paper.version, paper.title, title=paper.title,
        authors=", ".join(paper.authors), body=paper.abstract,
    )]  # fmt: skip


def _analysis_docs(analysis: PaperAnalysis, paper_id: str, version: str) -> list[SearchDoc]:
    a, guide, exp = analysis, analysis.usage_guide, analysis.experiments
    body = _join(
        a.domain, a.problem, a.method, guide.inputs, guide.how_to_use, guide.hardware,
        guide.open_source, a.innovations, exp.datasets, exp.key_results, exp.baselines,
        a.limitations, a.skeptical_note, a.why_now, a.keywords,
    )  # fmt: skip
    return [SearchDoc("analysis", paper_id, version, a.title,
                      contribution=a.one_line_contribution, body=body)]  # fmt: skip


def _brief_docs(period: str, profile: str, brief: Brief) -> list[SearchDoc]:
    """A brief's parts, one piece per paper each names (so that a hit shows the paper) and
    one for each part about no one paper, all as body text (a paper's title and contribution
    are its own, not a brief's); a translated brief's Chinese goes with each."""
    zh = brief.translations.get("zh", {})
    rows = {row.paper_id: row for row in brief.papers_at_a_glance}
    first = brief.start.isoformat() if brief.start else brief.date
    last = brief.end.isoformat() if brief.end else brief.date
    docs: list[SearchDoc] = []

    def add(part: str, paper_ids: list[str], keys: list[str], **text: str) -> None:
        chinese = _join([zh[k] for k in keys if k in zh])
        for paper_id in paper_ids or [""]:
            row = rows.get(paper_id)
            version = _version_of(row.url) if row else ""
            docs.append(SearchDoc(
                part, paper_id, version, row.title if row else "", chinese=chinese,
                first_day=first, last_day=last, profile=profile, period=period, **text,
            ))  # fmt: skip

    for i, t in enumerate(brief.takeaways):
        keys = [f"takeaways.{i}.headline", f"takeaways.{i}.body"]
        add("takeaway", t.paper_ids, keys, body=_join(t.headline, t.body))
    for i, th in enumerate(brief.themes):
        keys = [f"themes.{i}.title", f"themes.{i}.why_it_matters"]
        keys += [f"themes.{i}.common_approach.{j}" for j in range(len(th.common_approach))]
        keys += [f"themes.{i}.open_questions.{j}" for j in range(len(th.open_questions))]
        body = _join(th.title, th.why_it_matters, th.common_approach, th.open_questions)
        add("theme", th.paper_ids, keys, body=body)
    for i, top in enumerate(brief.top_papers):
        keys = [f"top.{i}.bullets.{j}" for j in range(len(top.bullets))]
        keys += [f"top.{i}.why_now", f"top.{i}.skepticism"]
        add("top paper", [top.paper_id], keys, body=_join(top.bullets, top.why_now,
                                                          top.skepticism))  # fmt: skip
    for i, item in enumerate(brief.technical_synthesis):
        add("synthesis", [], [f"technical_synthesis.{i}"], body=item)
    for i, step in enumerate(brief.next_steps):
        add("next step", [], [f"next_steps.{i}"], body=step)
    # The glance table's English is the analyses' own (indexed there); its Chinese is not.
    for i, row in enumerate(brief.papers_at_a_glance):
        if zh.get(f"glance.{i}.contribution") or zh.get(f"glance.{i}.domain"):
            add("glance", [row.paper_id], [f"glance.{i}.domain", f"glance.{i}.contribution"])
    return docs


def _version_of(url: str) -> str:
    match = re.search(r"(v\d+)$", url.rstrip("/"))
    return match.group(1) if match else ""


def _index(db: sqlite3.Connection, kind: str, owner: str, docs: list[SearchDoc]) -> None:
    """Replace what the index holds for one row of papers, analyses or briefs."""
    old = [r[0] for r in db.execute(
        "SELECT id FROM search_docs WHERE kind = ? AND owner = ?", (kind, owner))]  # fmt: skip
    if old:
        marks = ",".join("?" * len(old))
        for table in SEARCH_TABLES:
            column = "id" if table == "search_docs" else "rowid"
            db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", old)
    for doc in docs:
        cursor = db.execute(
            "INSERT INTO search_docs (kind, owner, part, paper_id, version, label, first_day, "
            "last_day, profile, period) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, owner, doc.part, doc.paper_id, doc.version, doc.label, doc.first_day,
             doc.last_day, doc.profile, doc.period),
        )  # fmt: skip
        rowid = cursor.lastrowid
        db.execute(
            "INSERT INTO search_text (rowid, title, contribution, authors, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (rowid, doc.title, doc.contribution, doc.authors, doc.body),
        )
        if doc.chinese:
            db.execute("INSERT INTO search_cjk (rowid, text) VALUES (?, ?)", (rowid, doc.chinese))


def _index_papers(db: sqlite3.Connection, papers: list[Paper]) -> None:
    for paper in papers:
        _index(db, "paper", paper.id, _paper_docs(paper))


def _analysis_owner(key: AnalysisKey) -> str:
    return "|".join((key.paper_id, key.version, key.prompt_version, key.model))


def _index_analysis(db: sqlite3.Connection, key: AnalysisKey, analysis: PaperAnalysis) -> None:
    _index(db, "analysis", _analysis_owner(key), _analysis_docs(analysis, key.paper_id,
                                                                key.version))  # fmt: skip


def _index_brief(db: sqlite3.Connection, kind: str, period: str, profile: str,
                 brief: Brief) -> None:  # fmt: skip
    _index(db, "brief", f"{kind}|{period}|{profile}", _brief_docs(period, profile, brief))


def _backfill_search(db: sqlite3.Connection) -> None:
    """Index what a store held before 0006_search, so an existing store is searchable."""
    for (data,) in db.execute("SELECT data FROM papers").fetchall():
        _index_papers(db, [Paper.model_validate_json(data)])
    rows = db.execute(
        "SELECT paper_id, version, prompt_version, model, data FROM analyses"
    ).fetchall()
    for paper_id, version, prompt, model, data in rows:
        key = AnalysisKey(paper_id, version, prompt, model)
        _index_analysis(db, key, PaperAnalysis.model_validate_json(data))
    briefs = db.execute("SELECT kind, period, profile, data FROM briefs").fetchall()
    for kind, period, profile, data in briefs:
        _index_brief(db, kind, period, profile, Brief.model_validate_json(data))


# Python steps of a migration, run in its transaction after its SQL.
MIGRATION_STEPS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "0006_search": _backfill_search,
}


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search: dates (a paper's listing date, the days a brief covers, both
    inclusive), a profile (its briefs, and the papers they covered), an author (a name or
    whole words of one, ASCII letters in any case)."""

    first: str | None = None
    last: str | None = None
    profile: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """The best match of one paper (or of one brief's part about no one paper)."""

    paper_id: str
    version: str
    title: str
    first_day: str
    last_day: str
    where: list[str]  # paper, analysis, brief 2026-06-17 (profile) …
    part: str  # where the best match is
    period: str  # the brief of the best match, if a brief
    profile: str
    snippet: str
    score: float


# The day of an indexed piece: a brief's own days, else its paper's listing date.
_FIRST_DAY = "(CASE WHEN d.kind = 'brief' THEN d.first_day ELSE p.published END)"
_LAST_DAY = "(CASE WHEN d.kind = 'brief' THEN d.last_day ELSE p.published END)"
_WHERE = (
    "(CASE WHEN d.kind = 'brief' THEN 'brief ' || d.period || ' (' || d.profile || ')' "
    "ELSE d.kind END)"
)
_FILTERS = f"""
    (:first IS NULL OR {_LAST_DAY} >= :first)
    AND (:last IS NULL OR {_FIRST_DAY} <= :last)
    AND (:profile IS NULL OR (d.kind = 'brief' AND d.profile = :profile)
         OR (d.kind != 'brief' AND EXISTS (SELECT 1 FROM briefed b
             WHERE b.profile = :profile AND b.paper_id = d.paper_id)))
    AND (:author IS NULL OR EXISTS (SELECT 1 FROM json_each(p.data, '$.authors') a
         WHERE ' ' || a.value || ' ' LIKE :author ESCAPE '\\'))
"""
_GROUP = "(CASE WHEN d.paper_id != '' THEN 'p:' || d.paper_id ELSE 'b:' || d.owner END)"


def _like(text: str, *, words: bool = False) -> str:
    """A LIKE pattern that finds `text` anywhere (or as whole words: ' Li ' in ' Chen Li ')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %" if words else f"%{escaped}%"


def _filter_params(filters: SearchFilters) -> dict[str, str | None]:
    author = " ".join(filters.author.split()) if filters.author else ""
    return {
        "first": filters.first,
        "last": filters.last,
        "profile": filters.profile,
        "author": _like(author, words=True) if author else None,
    }


class QuerySyntaxError(UsageError):
    """A search query that SQLite's FTS5 cannot parse."""


# What SQLite says about a query it cannot parse (anything else is not the user's query).
_QUERY_ERRORS = ("fts5:", "unterminated string", "no such column", "unknown special query")


def _journals(path: Path) -> list[Path]:
    """The files SQLite keeps beside the store (a planted link there is written through too)."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _create_private(path: Path) -> None:
    """A new store is made here, readable and writable by its user only (SQLite gives its
    journal files the store's mode), and never through a link planted at its name."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                         0o600)  # fmt: skip
    except FileExistsError:
        return  # there already: checked before use
    os.close(handle)


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @staticmethod
    def path_in(home: Path) -> Path:
        """Where the store of a briefgen home is."""
        return home / DB_NAME

    @classmethod
    def open(cls, home: Path) -> Store:
        path = cls.path_in(home)
        connection: sqlite3.Connection | None = None
        check_home(home)
        try:
            home.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            for part in (path, *_journals(path)):
                check_store_file(part)  # a link, another user's, writable by others: refused
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            # Wait for another briefgen process (a cron job and a manual run) instead of failing.
            connection.execute("PRAGMA busy_timeout=30000")
            _enable_wal(connection)
            store_recovery.check(connection, path)
            store = cls(connection, path)
            store.migrate()
        except (OSError, sqlite3.Error) as exc:
            if connection is not None:
                connection.close()
            # Not a folder to change: a file to set aside and repair.
            if store_recovery.is_damage(exc):
                raise store_recovery.StoreDamagedError(
                    store_recovery.damaged_message(path, exc, store_recovery.move_aside(path))
                ) from exc
            raise ConfigError(
                f"cannot open the store at {path}: {exc}; set BRIEFGEN_HOME to a writable folder"
            ) from exc
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def migrate(self) -> list[str]:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        applied = []
        for name, sql in MIGRATIONS:
            # Checked inside the write lock: two processes opening a new store at once (a cron
            # job and a manual run) apply each migration exactly once between them.
            with self.transaction() as db:
                done = db.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
                ).fetchone()
                if done:
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                step = MIGRATION_STEPS.get(name)
                if step is not None:
                    step(db)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, _now()))
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # papers ---------------------------------------------------------------------------------

    def save_papers(self, papers: list[Paper]) -> None:
        with self.transaction() as db:
            _upsert_papers(db, papers)

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self._db.execute("SELECT data FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return Paper.model_validate_json(row[0]) if row else None

    # listings: which papers a source listed for a day, so a rerun asks nobody ---------------

    def save_listing(
        self, source: str, day: str, query: str, via: str, papers: list[Paper]
    ) -> None:
        with self.transaction() as db:
            _upsert_papers(db, papers)
            db.execute(
                "INSERT OR REPLACE INTO listings VALUES (?, ?, ?, ?, ?, ?)",
                (
                    source,
                    day,
                    query,
                    via,
                    json.dumps([p.model_dump(mode="json") for p in papers]),
                    _now(),
                ),
            )

    def get_listing(self, source: str, day: str, query: str) -> tuple[str, list[Paper]] | None:
        row = self._db.execute(
            "SELECT via, papers FROM listings WHERE source = ? AND day = ? AND query = ?",
            (source, day, query),
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), [Paper.model_validate(item) for item in json.loads(row[1])]

    def listed_sources(self, day: str) -> list[tuple[str, str, str]]:
        """(source, query, via) of every stored listing of `day`, the most recently stored
        first: which listings there are, without reading their papers."""
        rows = self._db.execute(
            "SELECT source, query, via FROM listings WHERE day = ? ORDER BY fetched_at DESC",
            (day,),
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def listings_of_day(self, day: str) -> list[tuple[str, str, list[Paper]]]:
        """Every stored listing of `day`, whatever source made it: (source, via, papers),
        the most recently stored first."""
        rows = self._db.execute(
            "SELECT source, via, papers FROM listings WHERE day = ? ORDER BY fetched_at DESC",
            (day,),
        )
        return [(str(r[0]), str(r[1]), [Paper.model_validate(item) for item in json.loads(r[2])])
                for r in rows]  # fmt: skip

    # full texts -----------------------------------------------------------------------------

    def get_fulltext(self, paper_id: str, version: str) -> ParsedHtml | Literal[False] | None:
        """The parsed HTML of a paper version; False when arXiv had none (404) within the last
        day (it converts papers late sometimes, so an old 404 is asked again); None: unknown."""
        row = self._db.execute(
            "SELECT status, data, fetched_at FROM fulltexts WHERE paper_id = ? AND version = ?",
            (paper_id, version),
        ).fetchone()
        if row is None:
            return None
        if row[0] == "html":
            return ParsedHtml.model_validate_json(row[1])
        fresh = datetime.now(UTC) - datetime.fromisoformat(row[2]) < MISSING_HTML_TTL
        return False if fresh else None

    def save_fulltext(self, paper_id: str, version: str, parsed: ParsedHtml | None) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO fulltexts VALUES (?, ?, ?, ?, ?)",
                (
                    paper_id,
                    version,
                    "html" if parsed is not None else "missing",
                    parsed.model_dump_json() if parsed is not None else None,
                    _now(),
                ),
            )

    # model results other than analyses (syntheses, translations, batch ids), by input_key ---

    def get_cached(self, kind: str, key: str) -> str | None:
        row = self._db.execute(
            "SELECT data FROM cache WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return str(row[0]) if row else None

    def put_cached(self, kind: str, key: str, data: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO cache VALUES (?, ?, ?, ?)", (kind, key, data, _now())
            )

    # analyses -------------------------------------------------------------------------------

    def get_analysis(self, key: AnalysisKey) -> PaperAnalysis | None:
        row = self._db.execute(
            "SELECT data FROM analyses WHERE paper_id = ? AND version = ? "
            "AND prompt_version = ? AND model = ?",
            (key.paper_id, key.version, key.prompt_version, key.model),
        ).fetchone()
        return PaperAnalysis.model_validate_json(row[0]) if row else None

    def save_analysis(self, key: AnalysisKey, analysis: PaperAnalysis) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.paper_id,
                    key.version,
                    key.prompt_version,
                    key.model,
                    analysis.model_dump_json(),
                    _now(),
                ),
            )
            _index_analysis(db, key, analysis)

    def save_analyses(self, items: list[tuple[AnalysisKey, PaperAnalysis]]) -> None:
        """Many analyses in one transaction: a 2,000-paper offline day commits once, not 2,000
        times."""
        if not items:
            return
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (k.paper_id, k.version, k.prompt_version, k.model, a.model_dump_json(), now)
                    for k, a in items
                ],
            )
            for k, a in items:
                _index_analysis(db, k, a)

    # embeddings, stars, what was briefed ----------------------------------------------------

    def get_vectors(self, model: str, keys: list[str]) -> dict[str, bytes]:
        """Stored embedding vectors (raw float32 bytes) of `keys` under `model`."""
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({marks})",
                (model, *chunk),
            )
            found.update((str(k), bytes(v)) for k, v in rows)
        return found

    def put_vectors(self, model: str, vectors: dict[str, bytes]) -> None:
        if not vectors:
            return
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                [(key, model, vector, now) for key, vector in vectors.items()],
            )

    def star(self, papers: list[Paper]) -> None:
        now = _now()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO stars VALUES (?, ?, ?)",
                [(p.id, p.model_dump_json(), now) for p in papers],
            )

    def unstar(self, paper_ids: list[str]) -> int:
        with self.transaction() as db:
            return sum(
                db.execute("DELETE FROM stars WHERE paper_id = ?", (pid,)).rowcount
                for pid in paper_ids
            )

    def starred(self) -> list[Paper]:
        rows = self._db.execute("SELECT data FROM stars ORDER BY starred_at, paper_id")
        return [Paper.model_validate_json(r[0]) for r in rows]

    def mark_briefed(self, profile: str, day: str, papers: list[tuple[str, str]]) -> None:
        """Remember which papers (id, version) a profile's daily brief for `day` covered."""
        with self.transaction() as db:
            db.execute("DELETE FROM briefed WHERE profile = ? AND day = ?", (profile, day))
            db.executemany(
                "INSERT OR REPLACE INTO briefed VALUES (?, ?, ?, ?)",
                [(profile, day, pid, version) for pid, version in papers],
            )

    def briefed_before(self, profile: str, day: str) -> dict[str, tuple[str, str]]:
        """paper id -> (the latest version briefed, the day) over the profile's daily briefs
        of days before `day`."""
        rows = self._db.execute(
            "SELECT paper_id, version, day FROM briefed WHERE profile = ? AND day < ? "
            "ORDER BY day",
            (profile, day),
        )
        return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}

    # briefs ---------------------------------------------------------------------------------

    def save_brief(self, kind: str, period: str, profile: str, brief: Brief) -> None:
        """One brief per (kind, period, profile): rerunning a day replaces that day's brief."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO briefs (kind, period, profile, data, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, period, profile) DO UPDATE SET "
                "data = excluded.data, created_at = excluded.created_at",
                (kind, period, profile, brief.model_dump_json(), _now()),
            )
            _index_brief(db, kind, period, profile, brief)

    def get_brief(self, kind: str, period: str, profile: str) -> Brief | None:
        row = self._db.execute(
            "SELECT data FROM briefs WHERE kind = ? AND period = ? AND profile = ?",
            (kind, period, profile),
        ).fetchone()
        return Brief.model_validate_json(row[0]) if row else None

    def list_briefs(self, profile: str, limit: int = 50) -> list[StoredBrief]:
        """The profile's stored briefs, newest first (by when they were written)."""
        rows = self._db.execute(
            "SELECT kind, period, data, created_at FROM briefs WHERE profile = ? "
            "ORDER BY created_at DESC, period DESC LIMIT ?",
            (profile, limit),
        ).fetchall()
        return [
            StoredBrief(kind=r[0], period=r[1], brief=Brief.model_validate_json(r[2]),
                        updated=datetime.fromisoformat(r[3]))
            for r in rows
        ]  # fmt: skip

    # runs -----------------------------------------------------------------------------------

    def start_run(self, command: str, params: dict[str, Any]) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (command, params, status, started_at) VALUES (?, ?, ?, ?)",
                (command, json.dumps(params, sort_keys=True, default=str), "running", _now()),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(
        self, run_id: int, status: str, *, paper_count: int = 0, message: str = ""
    ) -> None:
        """Close a run; its token and cost totals are summed from its recorded calls."""
        with self.transaction() as db:
            totals = db.execute(
                "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
                "COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), "
                "COALESCE(SUM(cost_usd), 0) FROM calls WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, paper_count = ?, message = ?, "
                "input_tokens = ?, output_tokens = ?, cache_read_tokens = ?, "
                "cache_write_tokens = ?, cost_usd = ? WHERE id = ?",
                (status, _now(), paper_count, message, *totals, run_id),
            )

    def record_calls(self, run_id: int | None, calls: list[CallRecord]) -> None:
        if not calls:
            return
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO calls (run_id, paper_id, purpose, model, ok, input_tokens, "
                "output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, seconds, "
                "message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id, c.paper_id, c.purpose, c.model, int(c.ok),
                        c.usage.input_tokens, c.usage.output_tokens, c.usage.cache_read_tokens,
                        c.usage.cache_write_tokens, c.cost_usd, round(c.seconds, 3),
                        c.message, _now(),
                    )
                    for c in calls
                ],
            )  # fmt: skip

    def calls(self, run_id: int | None = None) -> list[dict[str, Any]]:
        query = "SELECT * FROM calls" + (" WHERE run_id = ?" if run_id is not None else "")
        cursor = self._db.execute(query + " ORDER BY id", () if run_id is None else (run_id,))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def runs(self) -> list[dict[str, Any]]:
        cursor = self._db.execute("SELECT * FROM runs ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    # search (briefgen search) ----------------------------------------------------------------

    def search(self, query: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """The best `limit` matches of an FTS5 query (bm25, title and contribution weighted
        up), one per paper; the query is bound as a parameter, never spliced into SQL. A
        query FTS5 cannot parse is a QuerySyntaxError."""
        weights = ", ".join(str(w) for w in SEARCH_WEIGHTS)
        sql = f"""
            WITH hits AS MATERIALIZED (
                SELECT rowid AS rid, bm25(search_text, {weights}) AS score
                FROM search_text WHERE search_text MATCH :query
            )
            SELECT {_GROUP} AS grp, MIN(h.score) AS best, h.rid, d.part, d.paper_id,
                   COALESCE(NULLIF(d.version, ''), p.version, ''), d.label,
                   COALESCE({_FIRST_DAY}, ''), COALESCE({_LAST_DAY}, ''), d.period,
                   d.profile, group_concat(DISTINCT {_WHERE})
            FROM hits h JOIN search_docs d ON d.id = h.rid
            LEFT JOIN papers p ON p.id = d.paper_id
            WHERE {_FILTERS}
            GROUP BY grp ORDER BY best, grp LIMIT :limit
        """
        params = {"query": query, "limit": limit, **_filter_params(filters)}
        try:
            rows = self._db.execute(sql, params).fetchall()
            snippets = dict(self._db.execute(
                "SELECT rowid, snippet(search_text, -1, '«', '»', '…', 14) FROM search_text "
                "WHERE search_text MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
                (query, json.dumps([r[2] for r in rows])),
            ).fetchall())  # fmt: skip
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith(_QUERY_ERRORS):
                raise
            raise QuerySyntaxError(str(exc)) from None
        return [
            SearchHit(paper_id=r[4], version=r[5], title=r[6], first_day=r[7], last_day=r[8],
                      where=sorted(set(str(r[11]).split(","))), part=r[3], period=r[9],
                      profile=r[10], snippet=" ".join(str(snippets.get(r[2], "")).split()),
                      score=float(r[1]))
            for r in rows
        ]  # fmt: skip

    def search_chinese(
        self, terms: list[str], filters: SearchFilters, limit: int
    ) -> list[tuple[SearchHit, str]]:
        """Briefs' Chinese text that holds every term (any length: the trigram index serves
        the terms of three characters or more, a scan the rest), newest first, one per
        paper; with the text matched, for a snippet."""
        likes = " AND ".join(f"c.text LIKE :t{i} ESCAPE '\\'" for i in range(len(terms)))
        sql = f"""
            SELECT {_GROUP}, d.part, d.paper_id, COALESCE(NULLIF(d.version, ''), p.version, ''),
                   d.label, COALESCE({_FIRST_DAY}, ''), COALESCE({_LAST_DAY}, ''), d.period,
                   d.profile, {_WHERE}, c.text
            FROM search_cjk c JOIN search_docs d ON d.id = c.rowid
            LEFT JOIN papers p ON p.id = d.paper_id
            WHERE {likes} AND {_FILTERS}
            ORDER BY 7 DESC, d.id
        """
        params: dict[str, str | None] = {f"t{i}": _like(t) for i, t in enumerate(terms)}
        params.update(_filter_params(filters))
        found: dict[str, tuple[SearchHit, str]] = {}
        for r in self._db.execute(sql, params):
            if r[0] in found:
                found[r[0]][0].where.append(str(r[9]))
                continue
            if len(found) == limit:
                continue
            hit = SearchHit(paper_id=r[2], version=r[3], title=r[4], first_day=r[5],
                            last_day=r[6], where=[str(r[9])], part=r[1], period=r[7],
                            profile=r[8], snippet="", score=0.0)  # fmt: skip
            found[r[0]] = (hit, str(r[10]))
        return list(found.values())

    def papers_where(self, filters: SearchFilters) -> list[Paper]:
        """The stored papers the filters leave, by listing date then id."""
        sql = """
            SELECT p.data FROM papers p
            WHERE (:first IS NULL OR p.published >= :first)
              AND (:last IS NULL OR p.published <= :last)
              AND (:profile IS NULL OR EXISTS (SELECT 1 FROM briefed b
                   WHERE b.profile = :profile AND b.paper_id = p.id))
              AND (:author IS NULL OR EXISTS (SELECT 1 FROM json_each(p.data, '$.authors') a
                   WHERE ' ' || a.value || ' ' LIKE :author ESCAPE '\\'))
            ORDER BY p.published, p.id
        """
        rows = self._db.execute(sql, _filter_params(filters))
        return [Paper.model_validate_json(r[0]) for r in rows]

    def vector_models(self, keys: Sequence[str]) -> list[str]:
        """The embedding models that hold a vector for any of `keys`, newest first."""
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT model FROM embeddings WHERE key IN ({marks}) "
            "GROUP BY model ORDER BY MAX(created_at) DESC, model",
            tuple(keys),
        )
        return [str(r[0]) for r in rows]

    def paper_vectors(self, model: str) -> dict[str, bytes]:
        """Every arXiv paper's vector stored under `model` (keys 'arxiv:ID[vN]')."""
        rows = self._db.execute(
            "SELECT key, vector FROM embeddings WHERE model = ? AND key LIKE 'arxiv:%'",
            (model,),
        )
        return {str(k): bytes(v) for k, v in rows}

    # maintenance ----------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        counts = {
            table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in TABLES
        }
        counts["bytes"] = sum(
            p.stat().st_size for p in self.path.parent.glob(DB_NAME + "*") if p.is_file()
        )
        return counts

    def recover_from(self, damaged: Path) -> store_recovery.RepairReport:
        """Copy what SQLite can still read of a damaged store file into this one."""
        return store_recovery.recover(damaged, self._db, TABLES)

    def clear(self) -> None:
        with self.transaction() as db:
            for table in TABLES:
                if table not in KEPT_BY_CLEAR:
                    db.execute(f"DELETE FROM {table}")
            for table in SEARCH_TABLES:  # the index of what was just deleted
                db.execute(f"DELETE FROM {table}")
        self._db.execute("VACUUM")

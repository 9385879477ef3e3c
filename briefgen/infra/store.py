"""The local store: SQLite in WAL mode under $BRIEFGEN_HOME. The only module with SQL.

Every stage's output is kept here so that a rerun spends nothing it already spent and an
interrupted run resumes where it stopped. The schema grows through named migrations, applied
once each, in order, inside a transaction.
"""

from __future__ import annotations

import hashlib
import json
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
from briefgen.core.models import Brief, Paper, PaperAnalysis, ParsedHtml
from briefgen.infra import repair

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
        try:
            home.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            # Wait for another briefgen process (a cron job and a manual run) instead of failing.
            connection.execute("PRAGMA busy_timeout=30000")
            _enable_wal(connection)
            repair.check(connection, path)
            store = cls(connection, path)
            store.migrate()
        except (OSError, sqlite3.Error) as exc:
            if connection is not None:
                connection.close()
            if repair.is_damage(exc):  # not a folder to change: a file to set aside and repair
                raise repair.StoreDamagedError(
                    repair.damaged_message(path, exc, repair.move_aside(path))
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

    def recover_from(self, damaged: Path) -> repair.RepairReport:
        """Copy what SQLite can still read of a damaged store file into this one."""
        return repair.recover(damaged, self._db, TABLES)

    def clear(self) -> None:
        with self.transaction() as db:
            for table in TABLES:
                if table not in KEPT_BY_CLEAR:
                    db.execute(f"DELETE FROM {table}")
        self._db.execute("VACUUM")

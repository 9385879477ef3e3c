"""A damaged store: told by its real cause, moved aside (never deleted), and what SQLite can
still read of it copied into a fresh store by `briefgen cache repair`.

A laptop that loses power mid-write, a disk that fills, a sync tool that copies the file while
it is written: the store's file can end truncated, with a clobbered header or a garbled page.
The analyses in it were paid for, so nothing is thrown away: the damaged file stays beside the
new store, and recovery reads it row by row, skipping only what cannot be read.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from briefgen.core.errors import ConfigError

# What SQLite says of a file it cannot read as a database (not of one that is merely busy).
DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image")
# quick_check reads every page: cheap for a store of any real size (0.6 ms for 330 KB), but a
# store past this size is checked only when a query trips over the damage.
CHECK_LIMIT_BYTES = 256 * 1024 * 1024
SUFFIX = ".damaged-"
# Probing row ids past the last readable one: give up after this many in a row are missing.
PROBE_GAP = 20_000
CHUNK = 256
# Columns holding JSON: a row whose JSON does not parse is garbage from a garbled page.
JSON_COLUMNS = {"papers": "data", "analyses": "data", "briefs": "data", "runs": "params",
                "fulltexts": "data", "listings": "papers", "stars": "data"}  # fmt: skip


class StoreDamagedError(ConfigError):
    """The store's file cannot be read as SQLite; exit 5 like other local-state problems."""


def is_damage(error: BaseException) -> bool:
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    text = str(error).lower()
    return any(word in text for word in DAMAGE_WORDS)


def check(connection: sqlite3.Connection, path: Path) -> None:
    """Raise sqlite3.DatabaseError when the store is damaged (a store too big to check every
    page of on each run is left to fail where it is damaged)."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > CHECK_LIMIT_BYTES:
        return
    rows = connection.execute("PRAGMA quick_check(5)").fetchall()
    if rows and rows[0][0] != "ok":
        raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(
            str(r[0]) for r in rows))  # fmt: skip


def move_aside(path: Path) -> Path:
    """briefgen.sqlite3 -> briefgen.sqlite3.damaged-20261123T201500, with its -wal and -shm
    files, so the next command starts a fresh store and nothing is lost."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}{SUFFIX}{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}{SUFFIX}{stamp}-{number}")
    path.rename(target)
    for extra in ("-wal", "-shm"):
        companion = path.with_name(path.name + extra)
        if companion.exists():
            companion.rename(target.with_name(target.name + extra))
    return target


def damaged_message(path: Path, cause: BaseException, moved: Path) -> str:
    return (
        f"the store is damaged: {cause} ({path}). It was moved aside to {moved.name} in the "
        "same folder; nothing was deleted. Run `briefgen cache repair` to copy what SQLite can "
        "still read from it (analyses, briefs, runs, starred papers) into a fresh store, then "
        "run the command again: what is recovered is not paid for twice"
    )


def damaged_files(folder: Path, name: str) -> list[Path]:
    """The stores moved aside in `folder`, newest first."""
    found = [p for p in folder.glob(f"{name}{SUFFIX}*")
             if not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    return sorted(found, key=lambda p: p.name, reverse=True)


# reading what is left ---------------------------------------------------------------------------


@dataclass
class TableReport:
    table: str
    recovered: int = 0
    counted: int | None = None  # how many rows the damaged file says it has, if it can
    skipped: int = 0  # rows read but unusable (garbled JSON)

    def line(self) -> str:
        of = f" of {self.counted}" if self.counted is not None else ""
        extra = f" ({self.skipped} unreadable rows left out)" if self.skipped else ""
        return f"{self.table}: {self.recovered}{of} recovered{extra}"


@dataclass
class RepairReport:
    source: Path
    header_rebuilt: bool = False
    tables: list[TableReport] = field(default_factory=list)

    def count(self, table: str) -> TableReport | None:
        return next((t for t in self.tables if t.table == table), None)


def _header(page_size: int, pages: int) -> bytes:
    """A database file header (https://sqlite.org/fileformat.html#the_database_header) for a
    file whose first 100 bytes were overwritten: the rest of page 1 (the schema) is intact."""
    size_field = 1 if page_size == 65536 else page_size
    head = bytearray(100)
    head[0:16] = b"SQLite format 3\x00"
    struct.pack_into(">H", head, 16, size_field)
    head[18], head[19] = 1, 1  # legacy journal: read it without a WAL
    head[20], head[21], head[22], head[23] = 0, 64, 32, 32
    struct.pack_into(">I", head, 24, 1)  # change counter
    struct.pack_into(">I", head, 28, pages)
    struct.pack_into(">I", head, 40, 1)  # schema cookie
    struct.pack_into(">I", head, 44, 4)  # schema format
    struct.pack_into(">I", head, 56, 1)  # UTF-8
    struct.pack_into(">I", head, 92, 1)
    struct.pack_into(">I", head, 96, 3_045_000)
    return bytes(head)


def _readable(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            db.execute("SELECT name FROM sqlite_master").fetchall()
        return True
    except sqlite3.DatabaseError:
        return False


def readable_copy(source: Path, work: Path) -> tuple[Path, bool]:
    """A copy of the damaged file SQLite can open (with its WAL, whose committed pages hold the
    latest rows): as is, or with its header rebuilt when only the header was lost."""
    copy = work / "damaged.sqlite3"
    shutil.copyfile(source, copy)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    if _readable(copy):
        return copy, False
    size = copy.stat().st_size
    for page_size in (4096, 1024, 2048, 8192, 16384, 32768, 65536):
        if size < page_size:
            continue
        with open(copy, "r+b") as handle:
            handle.write(_header(page_size, size // page_size))
        if _readable(copy):
            return copy, True
    return copy, False


def _rows(db: sqlite3.Connection, table: str) -> Iterator[tuple[object, ...]]:
    """Every row still readable, by row id: a plain scan while it lasts, then probes past the
    damage in chunks and, in a chunk that fails, one row id at a time."""
    last = 0
    try:
        for row in db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid"):
            last = int(row[0])
            yield row
        return
    except sqlite3.DatabaseError:
        pass
    try:
        top = int(db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
    except sqlite3.DatabaseError:
        top = 0
    start, missing = last + 1, 0
    while start <= top or missing < PROBE_GAP:
        end = start + CHUNK - 1
        try:
            chunk = db.execute(
                f"SELECT rowid, * FROM {table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                (start, end),
            ).fetchall()
        except sqlite3.DatabaseError:
            chunk = []
            for rowid in range(start, end + 1):
                try:
                    chunk += db.execute(
                        f"SELECT rowid, * FROM {table} WHERE rowid = ?", (rowid,)
                    ).fetchall()
                except sqlite3.DatabaseError:
                    continue
        missing = 0 if chunk else missing + CHUNK
        yield from chunk
        start = end + 1


def _count(db: sqlite3.Connection, table: str) -> int | None:
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def _usable(table: str, columns: list[str], row: tuple[object, ...]) -> bool:
    name = JSON_COLUMNS.get(table)
    if name is None or name not in columns:
        return True
    value = row[columns.index(name)]
    if value is None:
        return True
    try:
        json.loads(str(value))
    except ValueError:
        return False
    return True


def recover(source: Path, target: sqlite3.Connection, tables: tuple[str, ...]) -> RepairReport:
    """Copy every readable row of `tables` from the damaged file `source` into `target` (a
    fresh, migrated store), in one transaction per table; rows already there are kept."""
    report = RepairReport(source=source)
    with tempfile.TemporaryDirectory(prefix="briefgen-repair-") as work:
        copy, rebuilt = readable_copy(source, Path(work))
        report.header_rebuilt = rebuilt
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as db:
            for table in tables:
                wanted = [r[1] for r in target.execute(f"PRAGMA table_info({table})")]
                try:
                    have = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
                except sqlite3.DatabaseError:
                    have = []
                columns = [c for c in wanted if c in have]
                entry = TableReport(table=table, counted=_count(db, table) if have else 0)
                report.tables.append(entry)
                if not columns:
                    continue
                marks = ",".join("?" * len(columns))
                names = ",".join(columns)
                rows = []
                try:
                    for row in _rows(db, table):
                        values = row[1:]
                        picked = tuple(values[have.index(c)] for c in columns)
                        if _usable(table, columns, picked):
                            rows.append(picked)
                        else:
                            entry.skipped += 1
                except sqlite3.DatabaseError:
                    pass  # the table's root is gone: what was read is all there is
                target.execute("BEGIN IMMEDIATE")
                try:
                    cursor = target.executemany(
                        f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", rows
                    )
                    entry.recovered = max(cursor.rowcount, 0)
                except BaseException:
                    target.execute("ROLLBACK")
                    raise
                target.execute("COMMIT")
    return report

"""A damaged store, as a power cut or a sync tool leaves it: told by its cause, set aside
(never deleted), and what SQLite can still read recovered by `briefgen cache repair`, so paid
analyses are not bought again."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.infra.store_recovery import is_damage
from tests.fakes import FakeAnthropic, FakeServer

DAY = ["--papers", "", "--date", "2026-02-18", "--provider", "anthropic"]
MOVED = re.compile(r"moved aside to (briefgen\.sqlite3\.damaged-\d{8}T\d{6})")


def daily(runner: CliRunner, papers: Path, out: Path) -> tuple[int, str]:
    args = [*DAY, "-o", str(out)]
    args[1] = str(papers)
    result = runner.invoke(app, ["daily", *args])
    return result.exit_code, result.stderr


def analysis_calls(server: FakeServer, api: FakeAnthropic) -> int:
    return sum(1 for r in server.hits("/v1/messages") if api.kind(r.json()) == "analysis")


def stored(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, as after exit
    db.close()
    return path


def paid_day(
    runner: CliRunner, server: FakeServer, api: FakeAnthropic, papers: Path, home: Path, out: Path
) -> tuple[int, Path]:
    """A day briefed with a model: (the analyses bought, its store as left on disk)."""
    code, err = daily(runner, papers, out)
    assert code == 0, err
    return analysis_calls(server, api), stored(home / "briefgen.sqlite3")


def overwrite_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(b"\0" * 100)


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def garble_middle_page(path: Path) -> None:
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:
        handle.seek(pages // 2 * 4096)
        handle.write(bytes(range(256)) * 16)


@pytest.mark.parametrize("damage", [overwrite_header, truncate, garble_middle_page])
def test_damage_is_named_set_aside_and_repaired(
    damage: object,
    runner: CliRunner,
    server: FakeServer,
    anthropic_api: FakeAnthropic,
    small_papers: Path,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    assert callable(damage)
    bought, store = paid_day(
        runner, server, anthropic_api, small_papers, isolated_home, tmp_path / "first.md"
    )
    damage(store)

    code, err = daily(runner, small_papers, tmp_path / "second.md")
    assert code == 5
    assert err.startswith("error: the store is damaged: ")
    assert "set BRIEFGEN_HOME" not in err  # not a folder problem
    moved = MOVED.search(err)
    assert moved is not None, err
    aside = isolated_home / moved[1]
    assert aside.is_file() and not store.exists()  # set aside, nothing deleted
    assert analysis_calls(server, anthropic_api) == bought  # no model was called

    repaired = runner.invoke(app, ["cache", "repair"])
    assert repaired.exit_code == 0, repaired.stderr
    assert f"recovered from {aside}" in repaired.stderr
    found = re.search(r"analyses: (\d+) of (\d+) recovered", repaired.stderr)
    if damage is overwrite_header:  # every page is intact but the first 100 bytes
        assert "(its header was rebuilt)" in repaired.stderr
        assert found is not None and found[1] == found[2] == str(bought)
    assert aside.is_file()  # kept, for a second attempt by hand

    code, err = daily(runner, small_papers, tmp_path / "third.md")
    assert code == 0, err
    recovered = int(found[1]) if found else 0
    # What was recovered is not bought again; only what was lost is.
    assert analysis_calls(server, anthropic_api) == bought + (bought - recovered)
    db = sqlite3.connect(store)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()


def test_repair_with_nothing_damaged_says_so(runner: CliRunner, small_papers: Path) -> None:
    assert runner.invoke(app, ["papers", "--papers", str(small_papers)]).exit_code == 0
    result = runner.invoke(app, ["cache", "repair"])
    assert result.exit_code == 0
    assert "is not damaged" in result.stderr and "nothing to repair" in result.stderr


def test_only_damage_counts_as_damage() -> None:
    assert is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert is_damage(sqlite3.DatabaseError("file is not a database"))
    assert not is_damage(sqlite3.OperationalError("database is locked"))
    assert not is_damage(OSError("disk full"))


def last_page_of(path: Path, tables: tuple[str, ...]) -> tuple[int, int]:
    """(the highest page any row of `tables` or their indexes is on, the page size)."""
    db = sqlite3.connect(path)
    try:
        page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
        marks = ",".join("?" * len(tables))
        found = db.execute(
            f"SELECT max(d.pageno) FROM dbstat AS d JOIN sqlite_schema AS s ON s.name = d.name "
            f"WHERE s.tbl_name IN ({marks})",
            tables,
        ).fetchone()[0]
    except sqlite3.OperationalError as exc:  # a SQLite built without the dbstat table
        pytest.skip(f"dbstat is not available: {exc}")
    finally:
        db.close()
    return int(found), page_size


def test_a_store_cut_short_after_its_analyses_gives_them_all_back(
    runner: CliRunner,
    server: FakeServer,
    anthropic_api: FakeAnthropic,
    small_papers: Path,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    # A copy that stopped short (a sync tool, a full disk): every page from some point on is
    # gone, but the analyses' pages came before it.
    bought, store = paid_day(
        runner, server, anthropic_api, small_papers, isolated_home, tmp_path / "first.md"
    )
    assert bought > 0
    kept, page_size = last_page_of(store, ("analyses", "cache", "briefs"))
    assert kept * page_size < store.stat().st_size  # something is really cut off
    os.truncate(store, kept * page_size)

    code, err = daily(runner, small_papers, tmp_path / "second.md")
    assert code == 5 and err.startswith("error: the store is damaged: "), err
    repaired = runner.invoke(app, ["cache", "repair"])
    assert repaired.exit_code == 0, repaired.stderr
    assert f"analyses: {bought} of {bought} recovered" in repaired.stderr

    calls = len(server.hits("/v1/messages"))
    code, err = daily(runner, small_papers, tmp_path / "third.md")
    assert code == 0, err
    assert len(server.hits("/v1/messages")) == calls  # no model call at all
    assert (tmp_path / "third.md").read_text().split("*Generated")[0] == (
        (tmp_path / "first.md").read_text().split("*Generated")[0]
    )

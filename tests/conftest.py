from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SMALL = DATA / "papers-small.jsonl"
EXAMPLE = REPO / "examples" / "papers-2026-02-17.jsonl"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own store and config; the developer's own settings never leak in."""
    for key in list(os.environ):
        if key.startswith("BRIEFGEN_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFGEN_HOME", str(home))
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small_papers() -> Path:
    return SMALL


@pytest.fixture
def example_papers() -> Path:
    return EXAMPLE

"""The brief's published JSON Schema: current, printed by `briefgen schema`, and what the JSON
briefs of every kind really validate against (checked with the jsonschema package)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.render.schema import brief_schema_json

PACKAGED = Path(__file__).parent.parent / "briefgen" / "data" / "brief.schema.json"


def test_the_packaged_schema_is_current_and_printed(runner: CliRunner) -> None:
    assert PACKAGED.read_text(encoding="utf-8") == brief_schema_json(), (
        "regenerate it: briefgen schema -o briefgen/data/brief.schema.json"
    )
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and result.stdout == brief_schema_json()


def test_json_briefs_of_every_kind_validate(
    runner: CliRunner, small_papers: Path, tmp_path: Path
) -> None:
    schema = json.loads(PACKAGED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    runs = {
        "daily": ["daily", "--date", "2026-02-18"],
        "weekly": ["weekly", "--week", "2026-W08"],
        "range": ["weekly", "--from", "2026-02-18", "--to", "2026-02-18"],
    }
    for kind, args in runs.items():
        out = tmp_path / f"{kind}.json"
        result = runner.invoke(app, [*args, "--papers", str(small_papers), "--format", "json",
                                     "-o", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.stderr
        brief = json.loads(out.read_text(encoding="utf-8"))
        jsonschema.validate(brief, schema)
        assert brief["kind"] == kind and brief["schema_version"] == 2
        assert brief["start"] <= brief["end"]
    assert brief["start"] == brief["end"] == "2026-02-18"  # a one-day range, yet a roundup
    broken = {**brief, "kind": "monthly"}
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError as exc:
        assert "monthly" in str(exc.message)
    else:
        raise AssertionError("a brief of an unknown kind validated")

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.core.errors import InputError
from briefgen.sources.local import load_papers_file


def test_reads_jsonl_with_string_authors_and_categories(small_papers: Path) -> None:
    papers = {p.id: p for p in load_papers_file(small_papers)}
    assert len(papers) == 9
    kv = papers["2602.20002"]
    assert kv.version == "v2"
    assert kv.authors == ["Chen Li", "Dana Ruiz"]
    assert kv.categories == ["cs.DC", "cs.LG"]
    assert kv.published.isoformat() == "2026-02-18"  # the date part of a timestamp


def test_reads_a_json_list_and_a_papers_object(tmp_path: Path) -> None:
    record = {
        "id": "2602.00001",
        "title": "T",
        "authors": ["A"],
        "abstract": "B",
        "categories": ["cs.LG"],
        "published": "2026-02-17",
        "upvotes": 5,
    }
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps([record]))
    as_object = tmp_path / "object.json"
    as_object.write_text(json.dumps({"papers": [record]}))
    assert load_papers_file(as_list)[0].upvotes == 5
    assert load_papers_file(as_object)[0].id == "2602.00001"


def test_newest_version_wins(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    base = {"title": "T", "abstract": "A", "published": "2026-02-17"}
    lines = [{**base, "id": "2602.00001v2"}, {**base, "id": "2602.00001v1"}]
    path.write_text("\n".join(json.dumps(line) for line in lines))
    papers = load_papers_file(path)
    assert [(p.id, p.version) for p in papers] == [("2602.00001", "v2")]


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps(
        {"id": "2602.00001", "title": "T", "abstract": "A", "published": "2026-02-17"}
    )
    path.write_text(good + "\n\n{not json\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:3: invalid JSON"):
        load_papers_file(path)


def test_invalid_record_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "2602.00001", "title": "T", "abstract": "A"}) + "\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:1: the record lacks published"):
        load_papers_file(path)
    path.write_text(json.dumps({"id": "nope", "title": "T", "abstract": "A"}) + "\n")
    with pytest.raises(InputError) as info:
        load_papers_file(path)
    assert str(info.value) == (
        f"{path}:1: not an arXiv id: 'nope' (expected e.g. 2602.13531 or 2602.13531v1)"
    )


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"papers file not found: .*missing\.jsonl"):
        load_papers_file(tmp_path / "missing.jsonl")

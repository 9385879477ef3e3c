"""`briefgen export` read back by the programs that consume it: BibTeX by bibtexparser (and
its LaTeX decoding), RIS by rispy, CSL-JSON as JSON with the fields citeproc needs; a brief
given by its date, week or file (JSON or markdown, either language); and a push into a fake of
Zotero's write API that is as strict as the real one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import rispy  # type: ignore[import-untyped]
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from bibtexparser.middlewares.names import NameParts
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Brief
from briefgen.infra.store import Store
from briefgen.outlets.export import bib_escape, person_name, split_name, surname
from tests.fakes import FakeServer, Reply, Request

DAY = "2026-06-17"
KEY = "zotero-SECRET-key-0123456789abcdef"
COLLECTION = "ABCD2345"
TRICKY = "50% faster {KV} & co: under_score #1 costs $5 ~ C:\\path"


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def brief(runner: CliRunner, example_papers: Path, isolated_home: Path) -> Brief:
    """The real example day, stored; its brief as the store holds it."""
    code, _, err = run(runner, "daily", "--papers", example_papers)
    assert code == 0, err
    with Store.open(isolated_home) as store:
        stored = store.get_brief("daily", DAY, "default")
    assert stored is not None
    return stored


def bib_entries(text: str) -> list[Any]:
    library = parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return list(library.entries)


def field(entry: Any, name: str) -> str:
    return str(entry.fields_dict[name].value)


def as_latex_reads(text: str) -> str:
    """What LaTeX makes of plain text's dashes (the paper's own "--" is LaTeX's en dash)."""
    return text.replace("---", "\u2014").replace("--", "\u2013")


def test_bibtex_parses_back_with_every_paper_of_the_brief(
    runner: CliRunner, brief: Brief
) -> None:
    code, out, err = run(runner, "export", DAY, "--format", "bibtex")
    assert code == 0, err
    entries = bib_entries(out)
    rows = brief.papers_at_a_glance
    assert len(entries) == len(rows) == 30
    assert [field(e, "eprint") for e in entries] == [r.paper_id for r in rows]
    assert len({e.key for e in entries}) == len(entries)  # unique keys
    for entry, row in zip(entries, rows, strict=True):
        assert entry.entry_type == "misc"
        assert field(entry, "archivePrefix") == "arXiv"
        assert field(entry, "doi") == f"10.48550/arXiv.{row.paper_id}"
        assert field(entry, "url") == f"https://arxiv.org/abs/{row.paper_id}"
        assert field(entry, "year") == "2026" and field(entry, "date") == DAY
        assert field(entry, "month") == "jun"
        assert field(entry, "primaryClass").startswith("cs.")
        assert " ".join(field(entry, "annote").split()) == as_latex_reads(row.contribution)
        assert re.fullmatch(r"[a-z]+2026[a-z0-9]+[a-z]*", entry.key), entry.key
    (trainee,) = [e for e in entries if field(e, "eprint") == "2606.17682"]
    assert trainee.key == "chen2026trainee"  # Chao Chen, 2026, "From Trainee…" ("from" skipped)
    assert field(trainee, "author").startswith("Chen, Chao and Li, Chengzu")


def test_top_exports_the_five_top_papers_in_order(runner: CliRunner, brief: Brief) -> None:
    code, out, err = run(runner, "export", DAY, "--top")
    assert code == 0, err
    assert [field(e, "eprint") for e in bib_entries(out)] == [
        t.paper_id for t in brief.top_papers
    ]


def test_ris_parses_back_with_rispy(runner: CliRunner, brief: Brief) -> None:
    code, out, err = run(runner, "export", DAY, "--format", "ris")
    assert code == 0, err
    records = rispy.loads(out)
    rows = brief.papers_at_a_glance
    assert len(records) == len(rows)
    for record, row in zip(records, rows, strict=True):
        assert record["type_of_reference"] == "UNPB"
        assert record["title"] == row.title
        assert record["doi"] == f"10.48550/arXiv.{row.paper_id}"
        assert record["urls"] == [f"https://arxiv.org/abs/{row.paper_id}"]
        assert record["accession_number"] == f"arXiv:{row.paper_id}"
        assert record["notes"] == [row.contribution]
        assert record["year"] == "2026" and record["date"] == "2026/06/17/"
        assert record["authors"] and all(", " in a for a in record["authors"])


def test_csl_json_has_what_citeproc_needs(runner: CliRunner, brief: Brief) -> None:
    code, out, err = run(runner, "export", DAY, "--format", "csl-json")
    assert code == 0, err
    items = json.loads(out)
    assert isinstance(items, list) and len(items) == len(brief.papers_at_a_glance)
    assert len({i["id"] for i in items}) == len(items)
    for item, row in zip(items, brief.papers_at_a_glance, strict=True):
        assert {"id", "type", "title"} <= set(item)
        assert item["type"] == "article" and item["genre"] == "preprint"
        assert item["number"] == f"arXiv:{row.paper_id}" and item["publisher"] == "arXiv"
        assert item["DOI"] == f"10.48550/arXiv.{row.paper_id}"
        assert item["issued"] == {"date-parts": [[2026, 6, 17]]}
        assert item["note"] == row.contribution
        assert all("family" in a or "literal" in a for a in item["author"])


def test_a_brief_file_exports_like_the_stored_brief(
    runner: CliRunner, example_papers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    code, _, err = run(runner, "daily", "--papers", example_papers, "--lang", "both",
                       "--output-dir", out, "--front-matter")  # fmt: skip
    assert code == 0, err
    code, _, err = run(runner, "daily", "--papers", example_papers, "-f", "json",
                       "-o", tmp_path / "brief.json")  # fmt: skip
    assert code == 0, err
    code, stored, err = run(runner, "export", DAY, "-f", "csl-json")
    assert code == 0, err
    expected = json.loads(stored)
    files = [tmp_path / "brief.json", *sorted(out.glob("*.md"))]
    assert len(files) == 3
    for path in files:
        code, text, err = run(runner, "export", path, "-f", "csl-json")
        assert code == 0, (path, err)
        got = json.loads(text)
        assert [i["number"] for i in got] == [i["number"] for i in expected], path
        assert [i["title"] for i in got] == [i["title"] for i in expected], path
        if path.suffix == ".json" or ".en." in path.name:  # the Chinese file has its own
            assert [i.get("note") for i in got] == [i.get("note") for i in expected], path
    code, text, err = run(runner, "export", files[1], "--top", "-f", "ris")
    assert code == 0 and len(rispy.loads(text)) == 5, err


def test_tricky_titles_survive_a_bibtex_round_trip(
    runner: CliRunner, small_papers: Path, tmp_path: Path
) -> None:
    papers = [json.loads(line) for line in small_papers.read_text().splitlines()]
    papers[1]["title"] = TRICKY  # the KV cache paper, always selected
    papers[3]["title"] += " { an unpaired brace"
    papers[3]["authors"] = ["Ludwig van Beethoven", "Zoë Ångström Jr."]
    changed = tmp_path / "papers.jsonl"
    changed.write_text("\n".join(json.dumps(p) for p in papers) + "\n")
    code, _, err = run(runner, "daily", "--papers", changed, "--date", "2026-02-18")
    assert code == 0, err
    code, out, err = run(runner, "export", "2026-02-18")
    assert code == 0, err
    assert r"50\% faster \{KV\} \& co: under\_score \#1 costs \$5" in out
    entries = {field(e, "eprint"): e for e in bib_entries(out)}
    assert field(entries["2602.20002v2"], "title") == TRICKY
    assert field(entries["2602.20002v2"], "annote")  # the contribution, decoded
    unpaired = entries["2602.20004v1"]
    assert "\\textbraceleft{}" in out and field(unpaired, "title").startswith("Reward Shaping")
    assert field(unpaired, "author") == "van Beethoven, Ludwig and Ångström, Jr., Zoë"
    assert unpaired.key == "vanbeethoven2026reward"


# The parts of a CSL name (CSL-JSON's name-variable): nothing else is allowed in one.
CSL_NAME = {
    "type": "object",
    "properties": {part: {"type": "string"} for part in (
        "family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")},
    "additionalProperties": False,
}  # fmt: skip
NAMES = ["Charles de la Vallée Poussin", "Martin Luther King Jr.", "Aaron van den Oord",
         "Amir M. Mirzendehdel", "Curie, Marie", "Plato"]  # fmt: skip
# (family with its particle, particle, family alone, given, suffix) of each of NAMES
PARTS = [
    ("de la Vallée Poussin", "de la", "Vallée Poussin", "Charles", ""),
    ("King", "", "King", "Martin Luther", "Jr."),
    ("van den Oord", "van den", "Oord", "Aaron", ""),
    ("Mirzendehdel", "", "Mirzendehdel", "Amir M.", ""),
    ("Curie", "", "Curie", "Marie", ""),
    ("Plato", "", "Plato", "", ""),
]
MATH_TITLE = r"Sorting in $O(n\log n)$ and $\sin\theta$ with $\log_2 n$ bits"


@pytest.fixture
def names_day(runner: CliRunner, small_papers: Path, tmp_path: Path) -> str:
    """A stored day whose KV cache paper (always selected) has NAMES and MATH_TITLE."""
    papers = [json.loads(line) for line in small_papers.read_text().splitlines()]
    papers[1]["authors"] = NAMES
    papers[1]["title"] = MATH_TITLE
    changed = tmp_path / "papers.jsonl"
    changed.write_text("\n".join(json.dumps(p) for p in papers) + "\n")
    code, _, err = run(runner, "daily", "--papers", changed, "--date", "2026-02-18")
    assert code == 0, err
    return "2026-02-18"


def test_names_split_as_bibtex_splits_them(runner: CliRunner, names_day: str) -> None:
    code, out, err = run(runner, "export", names_day, "-f", "bibtex")
    assert code == 0, err
    assert "de la Vallée Poussin, Charles and King, Jr., Martin Luther and " in out
    library = parse_string(out, append_middleware=[
        LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()])  # fmt: skip
    entry = next(e for e in library.entries if field(e, "eprint") == "2602.20002v2")
    assert entry.key == "delavalleepoussin2026sorting"
    got = [(" ".join(n.von), " ".join(n.last), " ".join(n.first), " ".join(n.jr))
           for n in entry.fields_dict["author"].value]  # fmt: skip
    assert got == [(p[1], p[2], p[3], p[4]) for p in PARTS]
    assert field(entry, "title") == "Sorting in O(n log n) and sin θ with log₂ n bits"


def test_names_split_as_csl_and_ris_have_them(runner: CliRunner, names_day: str) -> None:
    code, out, err = run(runner, "export", names_day, "-f", "csl-json")
    assert code == 0, err
    item = next(i for i in json.loads(out) if i["number"] == "arXiv:2602.20002v2")
    for name in item["author"]:
        jsonschema.validate(name, CSL_NAME)
    assert item["author"][:3] == [
        {"family": "Vallée Poussin", "given": "Charles", "non-dropping-particle": "de la"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"family": "Oord", "given": "Aaron", "non-dropping-particle": "van den"},
    ]
    assert item["author"][-1] == {"literal": "Plato"}
    assert item["title"] == "Sorting in O(n log n) and sin θ with log₂ n bits"
    code, out, err = run(runner, "export", names_day, "-f", "ris")
    assert code == 0, err
    record = next(r for r in rispy.loads(out) if r["accession_number"] == "arXiv:2602.20002v2")
    # RIS: 'Lastname, Firstname, Suffix'
    assert record["authors"][:2] == ["de la Vallée Poussin, Charles", "King, Martin Luther, Jr."]
    assert record["title"] == "Sorting in O(n log n) and sin θ with log₂ n bits"


def test_escaping_and_names() -> None:
    assert bib_escape("a^b ~c") == r"a\textasciicircum{}b \textasciitilde{}c"
    assert bib_escape("}{") == r"\textbraceright{}\textbraceleft{}"
    assert split_name("Amir M. Mirzendehdel") == ("Mirzendehdel", "Amir M.")
    assert split_name("Plato") == ("Plato", "")
    assert split_name("Curie, Marie") == ("Curie", "Marie")
    for name, (written, particle, family, given, suffix) in zip(NAMES, PARTS, strict=True):
        expected = NameParts(given.split(), particle.split(), family.split(), suffix.split())
        assert person_name(name) == expected, name
        assert surname(person_name(name)) == written
    assert person_name("Martin Luther King, Jr.") == person_name("King, Jr., Martin Luther")
    assert person_name("de la Vallée Poussin, Charles") == person_name(NAMES[0])
    # Zotero's two fields: the particle with the family, a suffix after the given names
    assert split_name(NAMES[0]) == ("de la Vallée Poussin", "Charles")
    assert split_name(NAMES[1]) == ("King", "Martin Luther, Jr.")
    # a capitalised 'Van' is a given name, as BibTeX reads it (and as in 'Minh Van Nguyen')
    assert person_name("Luc Van Gool") == NameParts(first=["Luc", "Van"], last=["Gool"])


def test_output_file_and_usage_errors(
    runner: CliRunner, brief: Brief, tmp_path: Path
) -> None:
    target = tmp_path / "refs" / "day.bib"
    code, out, err = run(runner, "export", DAY, "-o", target)
    assert code == 0 and out == "" and "wrote 30 bibtex entries" in err
    assert len(bib_entries(target.read_text())) == 30
    assert not list(target.parent.glob(".*.tmp"))  # written atomically, nothing left over
    cases: list[tuple[list[str | Path], str]] = [
        (["2026-06-18"], "no stored daily brief for 2026-06-18"),
        (["2026-W30"], "no stored roundup for 2026-W30"),
        ([tmp_path / "missing.json"], "neither a stored brief's date"),
        ([DAY, "--to", "mendeley:1"], "expected zotero:"),
        ([DAY, "--to", "zotero:alice/ABCD2345"], "not a Zotero user ID"),
        ([DAY, "-o", tmp_path / "x.bib", "--to", f"zotero:1/{COLLECTION}"], "not both"),
    ]
    for args, said in cases:
        code, out, err = run(runner, "export", *args)
        assert code == 2 and said in err and out == "", (args, err)
    page = tmp_path / "brief.html"
    page.write_text("<html></html>")
    code, _, err = run(runner, "export", page)
    assert code == 2 and "not its HTML page" in err


def test_a_weekly_roundup_exports_its_papers(runner: CliRunner, small_papers: Path) -> None:
    code, _, err = run(runner, "weekly", "--papers", small_papers, "--week", "2026-W08")
    assert code == 0, err
    code, out, err = run(runner, "export", "2026-W08", "-f", "ris")
    assert code == 0, err
    assert len(rispy.loads(out)) >= 5


# Zotero ---------------------------------------------------------------------------------------


class FakeZotero:
    """POST /users/ID/items as Zotero answers it: API version 3, the key, a fresh 32-character
    write token (412 when reused), at most 50 items (413), JSON items of a known type with a
    collection that exists; the results as the maps the API sends."""

    def __init__(self, server: FakeServer, fail_titles: tuple[str, ...] = ()) -> None:
        self.tokens: set[str] = set()
        self.items: list[dict[str, Any]] = []
        self.fail_titles = fail_titles
        server.route("/users/12345/items", self.handle)

    def handle(self, request: Request) -> Reply:
        def error(status: int, text: str) -> Reply:
            return Reply(status=status, body=text, content_type="text/plain")

        if request.method != "POST":
            return error(405, "Method not allowed")
        if request.headers.get("zotero-api-version") != "3":
            return error(400, "API version 3 required")
        if request.headers.get("zotero-api-key") != KEY:
            return error(403, "Forbidden")
        if not request.headers.get("content-type", "").startswith("application/json"):
            return error(400, "Content-Type must be application/json")
        token = request.headers.get("zotero-write-token", "")
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            return error(400, "Invalid write token")
        if token in self.tokens:
            return error(412, "Write token already used")
        items = request.json()
        if not isinstance(items, list):
            return error(400, "Uploaded data must be a JSON array")
        if len(items) > 50:
            return error(413, "Only 50 objects can be saved in a single request")
        self.tokens.add(token)
        successful, success, failed = {}, {}, {}
        for index, item in enumerate(items):
            if item.get("itemType") != "preprint" or item.get("collections") != [COLLECTION]:
                failed[str(index)] = {"key": "", "code": 400, "message": "bad item"}
            elif item["title"] in self.fail_titles:
                failed[str(index)] = {"key": "", "code": 413, "message": "Title too long"}
            else:
                key = f"K{len(self.items):07d}"
                self.items.append(item)
                successful[str(index)] = {"key": key, "version": 1, "data": item}
                success[str(index)] = key
        body = {"successful": successful, "success": success, "unchanged": {}, "failed": failed}
        return Reply(body=json.dumps(body), content_type="application/json",
                     headers={"Last-Modified-Version": str(len(self.items))})  # fmt: skip


@pytest.fixture
def zotero_env(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setenv("BRIEFGEN_SELECTION__ZOTERO_API_URL", server.url)
    monkeypatch.setenv("ZOTERO_API_KEY", KEY)
    return server


def test_push_to_zotero_in_batches_counts_created_and_failed(
    runner: CliRunner, example_papers: Path, zotero_env: FakeServer, isolated_home: Path
) -> None:
    code, _, err = run(runner, "daily", "--papers", example_papers, "--max-papers", "60",
                       "-c", "cs.AI", "-c", "cs.CL", "-c", "cs.CV", "-c", "cs.LG")  # fmt: skip
    assert code == 0, err
    with Store.open(isolated_home) as store:
        stored = store.get_brief("daily", DAY, "default")
    assert stored is not None
    count = len(stored.papers_at_a_glance)
    assert 50 < count <= 60
    failing = stored.papers_at_a_glance[7]
    fake = FakeZotero(zotero_env, fail_titles=(failing.title,))
    zotero_env.fail_next("/users/12345/items", 503)  # retried, with the same write token
    code, out, err = run(runner, "export", DAY, "--to", f"zotero:12345/{COLLECTION}")
    assert code == 4, err  # partial: one item failed
    assert out == f"collection {COLLECTION} of Zotero user 12345: {count - 1} created, 1 failed\n"
    assert f"Zotero did not create {failing.paper_id}: Title too long (code 413)" in err
    requests = zotero_env.hits("/users/12345/items")
    assert [len(r.json()) for r in requests] == [50, 50, count - 50]  # 503, retry, the rest
    assert requests[0].headers["zotero-write-token"] == requests[1].headers["zotero-write-token"]
    assert requests[1].headers["zotero-write-token"] != requests[2].headers["zotero-write-token"]
    assert len(fake.items) == count - 1
    item = next(i for i in fake.items if i["archiveID"] == "arXiv:2606.17682")
    assert item["itemType"] == "preprint" and item["repository"] == "arXiv"
    assert item["DOI"] == "10.48550/arXiv.2606.17682"
    assert item["url"] == "https://arxiv.org/abs/2606.17682"
    assert item["date"] == DAY and item["collections"] == [COLLECTION]
    assert item["creators"][0] == {"creatorType": "author", "firstName": "Chao",
                                   "lastName": "Chen"}  # fmt: skip
    assert item["abstractNote"].startswith("Reinforcement learning pipelines")
    assert stored.row("2606.17682").contribution in item["extra"]
    # The key travels in its header only: never in a URL, stdout or stderr.
    assert all(KEY not in r.path and KEY not in json.dumps(r.query) for r in requests)
    assert KEY not in out and KEY not in err


def test_zotero_refusals_are_one_line_with_the_right_code(
    runner: CliRunner, brief: Brief, zotero_env: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeZotero(zotero_env)
    target = f"zotero:12345/{COLLECTION}"
    monkeypatch.setenv("ZOTERO_API_KEY", "wrong-key")
    code, out, err = run(runner, "export", DAY, "--top", "--to", target)
    assert code == 5 and out == "" and "refused the key in ZOTERO_API_KEY (HTTP 403)" in err
    assert "wrong-key" not in err
    monkeypatch.delenv("ZOTERO_API_KEY")
    code, _, err = run(runner, "export", DAY, "--top", "--to", target)
    assert code == 5 and "needs an API key with write access in ZOTERO_API_KEY" in err
    monkeypatch.setenv("ZOTERO_API_KEY", KEY)
    code, _, err = run(runner, "export", DAY, "--top", "--to", f"zotero:999/{COLLECTION}")
    assert code == 5 and "HTTP 404" in err
    code, out, err = run(runner, "export", DAY, "--top", "--to", target)
    assert code == 0 and out.endswith(": 5 created, 0 failed\n"), err

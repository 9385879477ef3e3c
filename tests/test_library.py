"""The reader's library: BibTeX as Zotero, Google Scholar, arXiv and DBLP export it, files of
arXiv ids and links, papers files, and a Zotero library read from a local stand-in for the
Zotero web API v3 that is as strict as the real one."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from briefgen.core.errors import BriefgenError, ConfigError, UpstreamError
from briefgen.core.models import Paper
from briefgen.core.settings import NetworkSettings, SelectionSettings, Settings
from briefgen.read.latex import bibtex_text as convert
from briefgen.select.library import (
    LibraryPaper,
    dedupe,
    ids_in_text,
    library_from_papers,
    read_library,
    title_key,
)
from tests.conftest import DATA, DEAD, SMALL
from tests.fakes import FakeServer, Reply, Request

LIBRARY = DATA / "library"
# A key no real account has; it must appear in no message, warning or URL.
ZOTERO_KEY = "zk-TEST-NEVER-PRINT-ME-4f9a2c"
DAY = date(2026, 2, 18)


@pytest.fixture(autouse=True)
def no_zotero_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own Zotero key never reaches a test."""
    monkeypatch.delenv("ZOTERO_API_KEY", raising=False)


def read(
    caplog: pytest.LogCaptureFixture, spec: str | Path, **kwargs: Any
) -> tuple[list[LibraryPaper], list[str]]:
    """The entries `spec` names, and the warnings reading it logged."""
    caplog.clear()
    settings = kwargs.pop("settings", None) or Settings()
    return read_library(str(spec), settings=settings, **kwargs), caplog.messages


def by_key(entries: list[LibraryPaper]) -> dict[str, LibraryPaper]:
    return {entry.key: entry for entry in entries}


# BibTeX ------------------------------------------------------------------------------------------


def test_a_real_mixed_export_reads_every_good_entry_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    entries, warnings = read(caplog, LIBRARY / "mixed-export.bib")
    assert [entry.key for entry in entries] == [
        "arxiv:2302.04761",  # Zotero: url, DOI 10.48550/arXiv.…, note "arXiv:… [cs]"
        "bib:kwon_efficient_2023",  # Zotero, the published version: no arXiv id anywhere
        "bib:vaswani2017attention",  # Google Scholar, a conference paper
        "arxiv:2309.06180",  # Google Scholar: journal={arXiv preprint arXiv:2309.06180}
        "arxiv:2310.06825",  # Google Scholar's journal through an @string
        "arxiv:2312.00752",  # arXiv's own BibTeX: eprint (versioned) + archivePrefix
        "arxiv:2001.08361",  # DBLP: journal = {CoRR}, volume = {abs/2001.08361}
        "bib:MyNotes2024",  # hand-written: capitalised fields, quotes, accents
    ]
    # the broken entry (line 37) and the one without a title are left out, and said so once
    assert warnings == [
        "library " + str(LIBRARY / "mixed-export.bib") + ": 2 entries skipped (1 malformed, "
        "1 without a title); the unreadable one starts on line 37"
    ]
    # bibtexparser's own log line for the broken block does not reach stderr
    assert capsys.readouterr().err == ""

    papers = by_key(entries)
    toolformer = papers["arxiv:2302.04761"]
    assert toolformer.title == "Toolformer: Language Models Can Teach Themselves to Use Tools"
    assert toolformer.short_title == "Toolformer"
    assert toolformer.arxiv_id == "2302.04761" and toolformer.origin == "mixed-export.bib"
    assert toolformer.authors[:3] == ("Timo Schick", "Jane Dwivedi-Yu", "Roberto Dessì")
    assert toolformer.abstract.startswith("Language models (LMs) exhibit remarkable abilities")
    assert toolformer.text == f"{toolformer.title}. {toolformer.abstract}"

    vaswani = papers["bib:vaswani2017attention"]
    assert vaswani.arxiv_id is None and vaswani.abstract == ""
    assert vaswani.text == "Attention is all you need"
    assert "Łukasz Kaiser" in vaswani.authors and "Aidan N Gomez" in vaswani.authors

    mistral = papers["arxiv:2310.06825"]
    assert mistral.title == "Mistral 7B"
    assert "others" not in mistral.authors and "Diego de las Casas" in mistral.authors

    mamba = papers["arxiv:2312.00752"]
    assert mamba.authors == ("Albert Gu", "Tri Dao") and mamba.short_title == "Mamba"

    notes = papers["bib:MyNotes2024"]
    assert notes.title == "Café & Naïve Retrieval: Notes on RAG at München"
    assert notes.authors == ("Jörg Müller", "Research Group Example")
    # an unescaped % is a per cent sign, not a LaTeX comment; math reads as Unicode
    assert notes.abstract == "Retrieval improves accuracy by 5% over the baseline; see O(n²) costs."


def test_reading_a_bib_file_holds_back_only_its_own_threads_library_lines(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bibtexparser's line for the broken block is held back, but only in the reading thread:
    what pylatexenc says meanwhile for another thread (a full text's LaTeX, another MCP call)
    still reaches the program's handlers, and nothing stays held back after the read."""
    elsewhere = threading.Thread(
        target=lambda: logging.getLogger("pylatexenc.latexwalker").warning("another thread")
    )

    def bibtex_text(value: str) -> str:
        if elsewhere.ident is None:  # once, in the middle of the read
            elsewhere.start()
            elsewhere.join()
        return convert(value)

    monkeypatch.setattr("briefgen.select.library.bibtex_text", bibtex_text)
    with caplog.at_level(logging.INFO):
        read(caplog, LIBRARY / "mixed-export.bib")
        logging.getLogger("bibtexparser.splitter").warning("after the read")
    said = [(r.name, r.getMessage()) for r in caplog.records if not r.name.startswith("briefgen")]
    assert said == [("pylatexenc.latexwalker", "another thread"),
                    ("bibtexparser.splitter", "after the read")]  # fmt: skip


def test_bibtex_names_are_split_as_bibtex_splits_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bib = tmp_path / "names.bib"
    bib.write_text(
        "@misc{names, title = {Names},\n"
        "  author = {de la Vall{\\'e}e Poussin, Charles and King, Jr., Martin Luther AND"
        " {Barack and Michelle Obama Foundation} and Donald~E. Knuth and Gool, Luc Van"
        " and Brinch Hansen, Per and others}}\n",
        encoding="utf-8",
    )
    (entry,), warnings = read(caplog, bib)
    assert entry.authors == (
        "Charles de la Vallée Poussin",  # 'de la' is the von part, before the last name
        "Martin Luther King Jr.",
        "Barack and Michelle Obama Foundation",  # an 'and' inside braces separates nothing
        "Donald E. Knuth",
        "Luc Van Gool",
        "Per Brinch Hansen",
    )
    assert not warnings


def test_one_paper_exported_twice_is_one_entry_after_dedupe(
    caplog: pytest.LogCaptureFixture
) -> None:
    entries, _ = read(caplog, LIBRARY / "mixed-export.bib")
    kept = dedupe(entries)
    # Zotero's PagedAttention (published version) and Scholar's (the preprint) are one paper:
    # the same title in another case; the first one wins
    assert len(kept) == len(entries) - 1
    assert "bib:kwon_efficient_2023" in by_key(kept) and "arxiv:2309.06180" not in by_key(kept)


def test_zotero_exports_of_two_reading_lists(caplog: pytest.LogCaptureFixture) -> None:
    kv, warnings = read(caplog, LIBRARY / "lib-kv.bib")
    assert warnings == []
    assert [(e.arxiv_id, e.short_title) for e in kv] == [
        ("2306.14048", "H₂O"),  # Zotero escapes the title's math: H\$_2\$O
        ("2404.14469", "SnapKV"),
        ("2309.17453", "Efficient Streaming Language Models with Attention Sinks"),
        ("2004.05150", "Longformer"),
        ("2502.11089", "Native Sparse Attention"),
    ]
    h2o = kv[0]
    assert h2o.title == (
        "H₂O: Heavy-Hitter Oracle for Efficient Generative Inference of Large Language Models"
    )
    assert h2o.authors[0] == "Zhenyu Zhang" and "Christopher Ré" in h2o.authors
    assert h2o.abstract.startswith("Large Language Models (LLMs), despite their recent")
    assert "{" not in h2o.text and "\\" not in h2o.text

    clinical, warnings = read(caplog, LIBRARY / "lib-clinical.bib")
    assert warnings == []
    assert [(e.arxiv_id, e.short_title) for e in clinical] == [
        ("1904.05342", "ClinicalBERT"),
        ("1901.08746", "BioBERT"),  # the journal version: the id is in its note
        ("2212.13138", "Large Language Models Encode Clinical Knowledge"),
        ("1904.03323", "Publicly Available Clinical BERT Embeddings"),
        ("2309.07430", "Clinical Text Summarization"),
    ]
    assert "Nathanael Schärli" in clinical[2].authors
    assert "Anna Seehofnerová" in clinical[4].authors


def test_a_bib_file_is_told_by_its_content_whatever_its_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    exported = tmp_path / "export.txt"
    exported.write_text(
        "% exported by hand\n@misc{a, title = {Ring Attention with Blockwise Transformers},"
        " eprint = {2310.01889}, archivePrefix = {arXiv}}\n"
    )
    entries, _ = read(caplog, exported)
    assert [(e.key, e.origin) for e in entries] == [("arxiv:2310.01889", "export.txt")]


def test_an_eprint_of_another_archive_is_not_an_arxiv_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bib = tmp_path / "other.bib"
    bib.write_text(
        "@article{x, title = {Some Biology}, eprint = {2301.12345}, eprinttype = {pubmed}}\n"
    )
    (entry,) = read(caplog, bib)[0]
    assert entry.arxiv_id is None and entry.key == "bib:x"


def test_an_empty_or_unusable_bib_file_is_a_config_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty.bib"
    empty.write_text("% nothing here yet\n")
    with pytest.raises(ConfigError, match=r"empty\.bib: holds no BibTeX entries"):
        read(caplog, empty)
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{a, title = {Never closed,\n")
    with pytest.raises(ConfigError, match="no readable entry with a title") as caught:
        read(caplog, broken)
    assert caught.value.exit_code == 5


# short titles, keys, dedupe ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("SnapKV: LLM Knows What You are Looking for Before Generation", "SnapKV"),
        ("Efficient Streaming Language Models with Attention Sinks",
         "Efficient Streaming Language Models with Attention Sinks"),
        ("Adapted large language models can outperform medical experts in clinical text "
         "summarization", "Adapted large language models can outperform medical experts…"),
        ("A very long preamble that goes on and on before it ever reaches: the colon",
         "A very long preamble that goes on and on before it ever…"),
    ],
)  # fmt: skip
def test_short_titles(title: str, short: str) -> None:
    assert LibraryPaper(key="k", title=title).short_title == short


def test_text_keys_and_dedupe() -> None:
    a = LibraryPaper(key="arxiv:2404.14469", title="SnapKV: LLM Knows…", arxiv_id="2404.14469")
    b = LibraryPaper(key="bib:li2024", title="SnapKV: LLM knows…", origin="lib.bib")
    c = LibraryPaper(key="arxiv:2404.14469", title="Another title", arxiv_id="2404.14469")
    d = LibraryPaper(key=title_key("Longformer"), title="Longformer")
    assert dedupe([a, b, c, d]) == [a, d]
    assert title_key("Longformer") == title_key("  LONGFORMER ") and len(d.key) == 6 + 12
    assert LibraryPaper(key="k", title="Why?", abstract="Because.").text == "Why? Because."


def test_library_from_papers() -> None:
    paper = Paper(id="2404.14469v2", title="SnapKV", abstract="Compress the cache.",
                  authors=["Yuhong Li"], published=DAY)  # fmt: skip
    (entry,) = library_from_papers([paper], "stars")
    assert entry == LibraryPaper(
        key="arxiv:2404.14469", title="SnapKV", abstract="Compress the cache.",
        authors=("Yuhong Li",), arxiv_id="2404.14469", origin="stars",
    )  # fmt: skip


# ids and links -----------------------------------------------------------------------------------

IDS_FILE = """\
# papers I keep coming back to
2404.14469
2306.14048v3
arXiv:2309.17453
https://arxiv.org/abs/2004.05150
https://arxiv.org/pdf/2502.11089v1
http://export.arxiv.org/abs/hep-th/9901001   # an old-style id
- https://arxiv.org/pdf/2401.12345v2.pdf

2404.14469
# 2101.00001 was dropped
"""


def fake_lookup(known: dict[str, str], calls: list[list[str]]) -> Any:
    def lookup(ids: list[str]) -> list[Paper]:
        calls.append(list(ids))
        return [
            Paper(id=paper_id, title=known[paper_id], abstract=f"About {known[paper_id]}.",
                  published=DAY)
            for paper_id in ids
            if paper_id in known
        ]  # fmt: skip

    return lookup


def test_an_ids_file_is_looked_up_once_with_every_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ids.txt"
    path.write_text(IDS_FILE)
    calls: list[list[str]] = []
    known = {"2404.14469": "SnapKV", "2306.14048": "H2O", "2309.17453": "StreamingLLM",
             "2004.05150": "Longformer", "hep-th/9901001": "Large N limit"}  # fmt: skip
    entries, warnings = read(caplog, path, lookup=fake_lookup(known, calls))
    assert calls == [["2404.14469", "2306.14048", "2309.17453", "2004.05150", "2502.11089",
                      "hep-th/9901001", "2401.12345"]]  # fmt: skip
    assert [(e.key, e.title, e.origin) for e in entries] == [
        ("arxiv:2404.14469", "SnapKV", "ids.txt"),
        ("arxiv:2306.14048", "H2O", "ids.txt"),
        ("arxiv:2309.17453", "StreamingLLM", "ids.txt"),
        ("arxiv:2004.05150", "Longformer", "ids.txt"),
        ("arxiv:hep-th/9901001", "Large N limit", "ids.txt"),
    ]
    assert entries[0].text == "SnapKV. About SnapKV."
    (warning,) = warnings
    assert "2 arXiv ids of 7 left out (2502.11089, 2401.12345)" in warning
    assert "could not be found" in warning


def test_ids_without_a_lookup_are_left_out_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reading-list"  # no extension: every line is an id, so it is a list
    path.write_text("2404.14469\n2306.14048\n")
    entries, warnings = read(caplog, path)
    assert entries == []
    assert warnings == [
        f"library {path}: 2 arXiv ids of 2 left out (2404.14469, 2306.14048): nothing looked "
        "their titles and abstracts up, and an id alone cannot be compared with a day's papers"
    ]


def test_links_inside_prose_are_found_and_look_alikes_are_not() -> None:
    text = (
        "# AwesomePaper-for-AI\n"
        "## Metis-HOME\nhttps://arxiv.org/abs/2510.20519 美团等 2025.11.25\n"
        "see [the paper](https://arxiv.org/pdf/2511.16665) and arXiv:2511.11238v1.\n"
        "Released as version 1.2; tested on 2048.00000 tokens; https://github.com/x/2510.20519\n"
        "DOI 10.48550/arXiv.2404.14469 and https://huggingface.co/papers/2502.11089\n"
    )
    assert ids_in_text(text) == [
        "2510.20519", "2511.16665", "2511.11238", "2404.14469", "2502.11089",
    ]  # fmt: skip
    # in markdown a '#' line is a heading, and its links count
    assert ids_in_text("# [NSA](https://arxiv.org/abs/2502.11089)", markdown=True) == ["2502.11089"]
    assert ids_in_text("# [NSA](https://arxiv.org/abs/2502.11089)") == []


def test_a_text_without_any_id_is_a_config_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(ConfigError, match=r"notes\.txt: found no arXiv ids or links"):
        read(caplog, path)


# papers files and missing files ------------------------------------------------------------------


def test_a_papers_file_is_read_by_the_file_source(caplog: pytest.LogCaptureFixture) -> None:
    entries, _ = read(caplog, SMALL)
    assert entries[0].key == "arxiv:2602.20001"
    assert entries[0].title.startswith("SpecServe") and entries[0].origin == SMALL.name
    assert entries[1].authors == ("Chen Li", "Dana Ruiz")


def test_a_broken_papers_file_is_a_config_error_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "starred.json"
    path.write_text('[{"id": "2401.12345", "title": "x"')
    with pytest.raises(ConfigError, match=r"library .*starred\.json: .*invalid JSON"):
        read(caplog, path)


def test_missing_and_unreadable_files_are_config_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigError, match=r"library ~/nowhere\.bib: no such file") as caught:
        read(caplog, "~/nowhere.bib")
    assert "library = [...]" in str(caught.value)
    with pytest.raises(ConfigError, match="is a directory"):
        read(caplog, tmp_path)
    with pytest.raises(ConfigError, match="an empty entry"):
        read(caplog, "  ")


# Zotero ------------------------------------------------------------------------------------------


def creator(first: str, last: str, kind: str = "author") -> dict[str, str]:
    return {"creatorType": kind, "firstName": first, "lastName": last}


def zotero_item(key: str, item_type: str, **data: Any) -> dict[str, Any]:
    """One item as the API's format=json gives it: key, version, library, links, meta, data."""
    return {
        "key": key,
        "version": 1214,
        "library": {"type": "user", "id": 4711, "name": "reader", "links": {}},
        "links": {
            "self": {
                "href": f"https://api.zotero.org/users/4711/items/{key}",
                "type": "application/json",
            }
        },
        "meta": {"creatorSummary": "Someone et al.", "parsedDate": "2024", "numChildren": 2},
        "data": {
            "key": key,
            "version": 1214,
            "itemType": item_type,
            "tags": [],
            "collections": ["ABCD2345"],
            "relations": {},
            "dateAdded": "2024-05-01T10:00:00Z",
            "dateModified": "2024-05-02T10:00:00Z",
            **data,
        },
    }


def zotero_collection(papers: int) -> list[dict[str, Any]]:
    """`papers` preprints (the arXiv id in each place Zotero keeps it, in turn), and between
    them standalone notes and attachments, as a real collection has."""
    items: list[dict[str, Any]] = []
    for n in range(papers):
        arxiv_id = f"2401.{10000 + n}"
        place = n % 4
        fields: dict[str, Any] = {
            "title": f"Paper number {n} on <i>sparse</i> attention",
            "abstractNote": f"We study sparse attention, case {n}.",
            "creators": [
                creator("Ada", f"Author{n}"),
                {"creatorType": "author", "name": "LAB"},
                creator("Ed", "Itor", "editor"),
            ],
        }
        if place == 0:
            fields["url"] = f"http://arxiv.org/abs/{arxiv_id}"
        elif place == 1:
            fields["DOI"] = f"10.48550/arXiv.{arxiv_id}"
        elif place == 2:
            fields["archiveID"] = f"arXiv:{arxiv_id}"
        else:
            fields["extra"] = f"arXiv: {arxiv_id}\nCitation Key: key{n}"
        items.append(zotero_item(f"P{n:07d}", "preprint", **fields))
        if n % 50 == 0:
            items.append(zotero_item(f"N{n:07d}", "note", note="<p>read this again</p>"))
            attachment = zotero_item(
                f"A{n:07d}", "attachment", title="Full Text PDF", linkMode="imported_url",
                contentType="application/pdf",
            )  # fmt: skip
            items.append(attachment)
    journal = zotero_item(
        "JOURNAL1", "journalArticle", title="A Journal Paper", abstractNote="No preprint.",
        creators=[creator("Bo", "Lee")],
    )  # fmt: skip
    items.append(journal)
    return items


class FakeZotero:
    """The parts of the Zotero web API v3 briefgen reads, as strict as the real one: the
    version header is required; a private library answers 403 without the right key, and a
    wrong key is 403 anywhere; 404 for an unknown library or collection; at most 100 items a
    page, with Total-Results and a Link header (next, last, alternate) as the API sends."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.libraries: dict[str, list[dict[str, Any]]] = {}
        self.collections: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.public: set[str] = set()
        self.send_total = True
        self.throttle: list[int] = []  # statuses to answer first, with Retry-After: 0

    def __call__(self, request: Request) -> Reply:
        if request.headers.get("zotero-api-version") != "3":
            return Reply(400, "This API requires Zotero-API-Version: 3", "text/plain")
        if self.throttle:
            status = self.throttle.pop(0)
            return Reply(status, "Too many requests", "text/plain", {"Retry-After": "0"})
        match = re.fullmatch(r"/(users|groups)/(\d+)(?:/collections/([A-Z0-9]{8}))?/items/top",
                             request.path)  # fmt: skip
        if match is None:
            return Reply(404, "Not found", "text/plain")
        library = f"/{match[1]}/{match[2]}"
        given = request.headers.get("zotero-api-key")
        if given is not None and given != ZOTERO_KEY:
            return Reply(403, "Invalid key", "text/plain")
        if library not in self.public and given != ZOTERO_KEY:
            return Reply(403, "Forbidden", "text/plain")
        if library not in self.libraries:
            return Reply(404, "Not found", "text/plain")
        items = self.libraries[library]
        if match[3]:
            if (library, match[3]) not in self.collections:
                return Reply(404, "Collection not found", "text/plain")
            items = self.collections[(library, match[3])]
        if request.query.get("format", "json") != "json":
            return Reply(400, "Invalid 'format' value", "text/plain")
        limit = min(int(request.query.get("limit", "25")), 100)
        start = int(request.query.get("start", "0"))
        page = items[start : start + limit]
        base = f"{self.server.url}{request.path}"
        links = []
        if start + limit < len(items):
            links.append(f'<{base}?limit={limit}&start={start + limit}>; rel="next"')
            last = (len(items) - 1) // limit * limit
            links.append(f'<{base}?limit={limit}&start={last}>; rel="last"')
        links.append(f'<https://www.zotero.org{library}/items>; rel="alternate"')
        headers = {"Zotero-API-Version": "3", "Last-Modified-Version": "1214",
                   "Link": ", ".join(links)}  # fmt: skip
        if self.send_total:
            headers["Total-Results"] = str(len(items))
        return Reply(200, json.dumps(page), "application/json", headers)


@pytest.fixture
def zotero(server: FakeServer) -> Iterator[FakeZotero]:
    api = FakeZotero(server)
    api.libraries["/users/4711"] = zotero_collection(3)
    api.collections[("/users/4711", "ABCD2345")] = zotero_collection(230)
    api.collections[("/users/4711", "EMPTY234")] = [
        zotero_item("N1", "note", note="<p>nothing but a note</p>")
    ]
    api.libraries["/groups/99"] = zotero_collection(2)
    api.public.add("/groups/99")
    server.route("/users/", api)
    server.route("/groups/", api)
    yield api


def zotero_settings(url: str, retries: int = 2) -> Settings:
    return Settings(
        selection=SelectionSettings(zotero_api_url=url),
        network=NetworkSettings(http_retries=retries, retry_wait_seconds=0, http_timeout_seconds=5),
    )


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert ZOTERO_KEY not in text


def test_a_zotero_collection_is_read_page_by_page(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    entries, warnings = read(caplog, "zotero:4711/ABCD2345", settings=zotero_settings(server.url))
    assert warnings == []
    # 230 papers and one journal article; the notes and attachments are skipped
    assert len(entries) == 231
    assert [e.arxiv_id for e in entries[:4]] == ["2401.10000", "2401.10001", "2401.10002",
                                                  "2401.10003"]  # fmt: skip
    first = entries[0]
    assert first.key == "arxiv:2401.10000" and first.origin == "zotero:4711/ABCD2345"
    assert first.title == "Paper number 0 on sparse attention"  # Zotero's <i> markup dropped
    assert first.abstract == "We study sparse attention, case 0."
    assert first.authors == ("Ada Author0", "LAB")  # the editor is not an author
    assert entries[-1].key == "zotero:JOURNAL1" and entries[-1].arxiv_id is None

    requests = server.hits("/users/4711/collections/ABCD2345/items/top")
    assert len(requests) == len(server.requests) == 3
    assert [r.query["start"] for r in requests] == ["0", "100", "200"]
    for request in requests:
        assert request.query["limit"] == "100" and request.query["format"] == "json"
        assert request.headers["zotero-api-version"] == "3"
        assert request.headers["zotero-api-key"] == ZOTERO_KEY
        assert "key" not in request.query  # the key travels in a header, never in a URL
        assert request.headers["user-agent"].startswith("briefgen/")


def test_paging_follows_the_link_header_when_there_is_no_total(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    zotero.send_total = False
    entries, _ = read(caplog, "zotero:4711/ABCD2345", settings=zotero_settings(server.url))
    assert len(entries) == 231
    assert [r.query["start"] for r in server.requests] == ["0", "100", "200"]


def test_a_whole_library_and_a_public_group_without_a_key(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries, _ = read(caplog, "zotero:groups/99", settings=zotero_settings(server.url))
    assert len(entries) == 3 and entries[0].origin == "zotero:groups/99"
    (request,) = server.requests
    assert request.path == "/groups/99/items/top" and "zotero-api-key" not in request.headers

    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    entries, _ = read(caplog, "zotero:4711", settings=zotero_settings(server.url))
    assert len(entries) == 4 and server.requests[-1].path == "/users/4711/items/top"


def test_a_private_library_without_a_key_says_to_set_one(
    zotero: FakeZotero, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigError) as caught:
        read(caplog, "zotero:4711/ABCD2345", settings=zotero_settings(server.url))
    message = str(caught.value)
    assert caught.value.exit_code == 5
    assert "zotero:4711/ABCD2345" in message and "HTTP 403" in message
    assert "set ZOTERO_API_KEY" in message and "https://www.zotero.org/settings/keys" in message


def test_a_wrong_key_is_refused_and_never_shown(
    zotero: FakeZotero, server: FakeServer, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "zk-WRONG-KEY-ALSO-SECRET-77"
    monkeypatch.setenv("ZOTERO_API_KEY", wrong)
    with pytest.raises(ConfigError) as caught:
        read_library("zotero:4711/ABCD2345", settings=zotero_settings(server.url))  # fmt: skip
    message = str(caught.value)
    assert "refused the key in ZOTERO_API_KEY (HTTP 403)" in message
    assert "https://www.zotero.org/settings/keys" in message
    assert wrong not in message and not any(wrong in w for w in caplog.messages)
    assert len(server.requests) == 1  # a refused key is not retried


def test_an_unknown_collection_is_a_404_config_error(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    with pytest.raises(ConfigError) as caught:
        read(caplog, "zotero:4711/ZZZZ9999", settings=zotero_settings(server.url))
    message = str(caught.value)
    assert "has no collection ZZZZ9999 of Zotero user 4711 (HTTP 404)" in message
    assert_no_key(message)


def test_a_collection_of_notes_only_is_an_empty_library(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    with pytest.raises(ConfigError, match=r"holds no papers .*nothing to learn from"):
        read(caplog, "zotero:4711/EMPTY234", settings=zotero_settings(server.url))


def test_rate_limits_are_waited_out_and_said(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    zotero.throttle = [429, 503]
    entries, warnings = read(caplog, "zotero:4711", settings=zotero_settings(server.url, retries=3))
    assert len(entries) == 4 and len(server.requests) == 3
    host = server.url.removeprefix("http://")  # a retry line names what it was fetching
    assert len(warnings) == 2 and warnings[0].startswith(
        f"the Zotero web API ({host}/users/4711/items/top) answered HTTP 429"
    )
    assert_no_key(*warnings)


def test_a_failing_service_is_an_upstream_error(
    zotero: FakeZotero, server: FakeServer, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    zotero.throttle = [503, 503]
    with pytest.raises(UpstreamError) as caught:
        read_library("zotero:4711", settings=zotero_settings(server.url))  # fmt: skip
    message = str(caught.value)
    assert caught.value.exit_code == 6
    assert message.startswith("library zotero:4711: the Zotero web API answered HTTP 503")
    assert_no_key(message, *caplog.messages)


def test_a_redirect_is_not_followed_with_the_key(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    elsewhere = "http://collector.invalid/steal"
    server.route("/moved/", lambda _: Reply(301, "", "text/plain", {"Location": elsewhere}))
    with pytest.raises(ConfigError) as caught:
        read(caplog, "zotero:4711", settings=zotero_settings(f"{server.url}/moved"))
    message = str(caught.value)
    assert f"redirects to {elsewhere} (HTTP 301)" in message and "zotero_api_url" in message
    assert len(server.requests) == 1
    assert_no_key(message)


def test_an_unreachable_zotero_fails_at_once(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    with pytest.raises(UpstreamError) as caught:
        read_library("zotero:4711/ABCD2345", settings=zotero_settings(DEAD, retries=4))  # fmt: skip
    message = str(caught.value)
    assert caught.value.exit_code == 6 and caplog.messages == []  # not retried
    assert "the Zotero web API refused the connection on 127.0.0.1:9" in message
    assert "BRIEFGEN_SELECTION__ZOTERO_API_URL" in message
    assert_no_key(message)


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("zotero:alice/ABCD2345", "'alice' is not a Zotero user ID"),
        ("zotero:groups/team", "'team' is not a Zotero group ID"),
        ("zotero:4711/coll", "'coll' is not a collection key"),
        ("zotero:4711/ABCD2345/extra", "not a Zotero library"),
        ("zotero:", "not a Zotero library"),
    ],
)
def test_malformed_zotero_specs_are_config_errors(
    spec: str, said: str, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigError, match=re.escape(said)):
        read(caplog, spec, settings=zotero_settings(server.url))
    assert server.requests == []


def test_a_zotero_url_that_is_not_http_is_a_config_error(caplog: pytest.LogCaptureFixture) -> None:
    said = "zotero:4711: [selection] zotero_api_url (or BRIEFGEN_SELECTION__ZOTERO_API_URL) must"
    with pytest.raises(ConfigError, match=re.escape(f"{said} be an http(s) URL")):
        read(caplog, "zotero:4711", settings=zotero_settings("api.zotero.org"))


def test_every_error_is_a_briefgen_error_with_the_spec(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for spec in (str(tmp_path / "missing.bib"), "zotero:x", str(tmp_path)):
        with pytest.raises(BriefgenError, match=re.escape(f"library {spec}")):
            read(caplog, spec)


def test_a_profile_library_on_zotero_ranks_a_day_through_the_cli(
    zotero: FakeZotero,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    small_papers: Path,
    isolated_home: Path,
) -> None:
    """`library = ["zotero:…"]` in a profile: the collection is read with the key from the
    environment, the day is ranked against it, and the key is nowhere but in the requests."""
    from typer.testing import CliRunner

    from briefgen.cli import app

    monkeypatch.setenv("ZOTERO_API_KEY", ZOTERO_KEY)
    monkeypatch.setenv("BRIEFGEN_SELECTION__ZOTERO_API_URL", server.url)
    monkeypatch.setenv("BRIEFGEN_SELECTION__EMBEDDING_MODEL", "tfidf")
    config = isolated_home.parent / "config.toml"
    config.write_text('[profiles.reader]\nkeywords = ["RL"]\nlibrary = ["zotero:4711/ABCD2345"]\n')
    result = CliRunner().invoke(app, [
        "papers", "--papers", str(small_papers), "--date", "2026-02-18", "--config", str(config),
        "--profile", "reader", "-f", "json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    # the collection is 230 papers on sparse attention: the day's sparse-attention survey leads
    assert rows[0]["id"] == "2602.20005v1"
    assert rows[0]["reasons"][0].startswith("similar to your 'Paper number")
    assert "library: 231 papers, compared by TF-IDF" in result.stderr
    assert len(server.hits("/users/4711/collections/ABCD2345/items/top")) == 3
    store = (isolated_home / "briefgen.sqlite3").read_bytes()
    assert_no_key(result.stdout, result.stderr, store.decode("latin-1"))

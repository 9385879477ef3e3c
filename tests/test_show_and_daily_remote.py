"""`briefgen show` and `briefgen daily --source arxiv` end to end against local fakes."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.render.lint import lint_markdown
from tests.fakes import FakeAnthropic, FakeServer, Reply, Request
from tests.scenario import html_pages, serve_arxiv

ABS_LINK = re.compile(r"arxiv\.org/abs/([\w.]+)\)")


def test_show_lists_the_sections_the_model_reads(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    result = runner.invoke(app, ["show", "2602.20001"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("2602.20001v1 — Paged KV Cache Offload for Long-Context Inference\n")
    assert "Authors: José Raúl Romero, Łukasz Kaiser, 王小明" in out
    assert "Read from: html (" in out
    headings = [line for line in out.splitlines() if line.startswith("##")]
    assert [h.split(" (")[0] for h in headings] == [
        "## Title", "## Abstract", "## 1 Introduction", "## 2 Related Work", "## 3 Method",
        "### 3.1 Paging policy", "## 4 Experiments", "## 5 Limitations", "## 6 Conclusion",
        "## Appendix A Hyperparameters",
    ]  # fmt: skip
    assert "{mdframed}" not in out and "References" not in out and "Smith. Paging" not in out
    # The paper's metadata came from the API by id; the page from /html/ID+version.
    assert services.paths() == ["/api/query", "/html/2602.20001v1"]
    assert services.requests[0].query["id_list"] == "2602.20001"


def test_show_falls_back_to_the_abstract_without_html(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    result = runner.invoke(app, ["show", "2602.20002v2"])
    assert result.exit_code == 0, result.stderr
    assert "Read from: abstract (no HTML version (HTTP 404))" in result.stdout
    assert "## Abstract" in result.stdout and "## 1 " not in result.stdout


def test_show_outline_json_and_budget(runner: CliRunner, services: FakeServer) -> None:
    serve_arxiv(services)
    outline = runner.invoke(app, ["show", "2602.20001", "--outline"])
    assert "## 1 Introduction (" in outline.stdout and "Long contexts make" not in outline.stdout
    as_json = runner.invoke(app, ["show", "2602.20001", "--format", "json", "--budget", "500"])
    document = json.loads(as_json.stdout)
    assert document["text"]["read_from"] == "html" and document["text"]["budget"] == 500
    assert document["tokens"] <= 500
    # Fetched once: the page is cached in the store, the paper too.
    assert services.paths("/html/") == ["/html/2602.20001v1"]
    assert services.paths("/api/") == ["/api/query"]


def test_show_rejects_a_bad_id_and_reports_an_unknown_one(
    runner: CliRunner, services: FakeServer
) -> None:
    serve_arxiv(services)
    bad = runner.invoke(app, ["show", "not-an-id"])
    assert bad.exit_code == 2 and "not an arXiv id" in bad.stderr
    unknown = runner.invoke(app, ["show", "2602.99999"])
    assert unknown.exit_code == 3 and "arXiv has no paper 2602.99999" in unknown.stderr


def test_daily_from_arxiv_reads_full_text_where_it_exists(
    runner: CliRunner, services: FakeServer, tmp_path: Path
) -> None:
    serve_arxiv(services)
    out = tmp_path / "brief.md"
    result = runner.invoke(
        app,
        ["daily", "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG",
         "--provider", "offline", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    brief = out.read_text()
    assert brief.startswith("# AI Paper Insight Brief\n## 2026-02-18\n")
    glance = brief.split("### 1)")[1].split("### 2)")[0]
    rows = {m.group(1): line for line in glance.splitlines() if (m := ABS_LINK.search(line))}
    assert "full text (HTML)" in rows["2602.20001v1"]
    assert rows["2602.20002v2"].rstrip(" |").endswith("abstract")
    assert lint_markdown(brief) == []
    assert "full text: 1 of 2 papers from arXiv HTML" in result.stderr


def test_daily_abstract_only_fetches_no_pages(
    runner: CliRunner, services: FakeServer, tmp_path: Path
) -> None:
    serve_arxiv(services)
    result = runner.invoke(
        app,
        ["daily", "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG", "--abstract-only"],
    )
    assert result.exit_code == 0, result.stderr
    assert services.paths("/html/") == []
    assert "full text (HTML)" not in result.stdout


def test_analyses_start_while_full_texts_are_still_downloading(
    runner: CliRunner, services: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    serve_arxiv(services)
    slow_seconds = 1.0

    def one_slow_page(request: Request) -> Reply:
        if request.path.endswith("2602.20001v1"):  # the page with HTML takes a while
            time.sleep(slow_seconds)
        return html_pages(request)  # the other one is a quick 404

    services.route("/html/", one_slow_page)
    result = runner.invoke(
        app, ["daily", "--date", "2026-02-18", "--source", "arxiv", "-c", "cs.LG",
              "--provider", "anthropic"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    slow = next(r for r in services.hits("/html/") if r.path.endswith("2602.20001v1"))
    analyses = sorted(r.at for r in services.hits("/v1/messages")
                      if anthropic_api.kind(r.json()) == "analysis")  # fmt: skip
    # The paper without HTML is analysed while the other page is still downloading.
    assert analyses[0] < slow.at + slow_seconds
    assert "full text: 1 of 2 papers from arXiv HTML" in result.stderr

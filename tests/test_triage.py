"""--triage end to end: the real `anthropic` SDK against the fake Messages API, through the CLI.

The fake scores relevance by keyword overlap with the reader's profile in the prompt (see
tests.fakes.triaged), so the order it gives differs from the keyword score's."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.analyze.triage import BATCH_SIZE, LIBRARY_TITLES, batches, library_titles
from briefgen.cli import app
from briefgen.core.models import Paper
from briefgen.select.rank import Reader
from tests.fakes import FakeAnthropic, FakeOpenAI, FakeServer, triaged_ids

DAY = ["--date", "2026-02-18"]
# The small file's 2026-02-18 papers that pass the default profile's filters (one is q-bio).
CANDIDATES = {f"2602.2000{i}" for i in (1, 2, 3, 4, 5, 7, 8)}


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def triage_bodies(server: FakeServer, api: FakeAnthropic) -> list[dict[str, Any]]:
    return [r.json() for r in server.hits("/v1/messages") if api.kind(r.json()) == "triage"]


def prompt_of(body: dict[str, Any]) -> str:
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else str(content[0]["text"])


def listing(runner: CliRunner, papers: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run(runner, "papers", "--papers", papers, *DAY, "-f", "json", *args)
    return code, (json.loads(out) if code == 0 else []), err


# The profile this test's verdicts and scores were worked out with (the default keywords of
# the time), so that the fake model's keyword reading and the ranking's score disagree on
# some papers whatever the defaults become.
SEED_KEYWORDS = [
    "kv cache", "offload", "state space model", "SSM", "linear attention", "sparse attention",
    "long context", "LLM", "RL", "RLHF", "reinforcement learning", "inference", "serving",
    "mixture of experts", "MoE", "quantization", "low-bit", "FP8", "FP4", "speculative decoding",
    "prefill", "throughput", "latency", "GPU", "CUDA", "distributed training", "parallelism",
    "memory efficient", "pruning", "knowledge distillation",
]  # fmt: skip
SEED = [arg for keyword in SEED_KEYWORDS for arg in ("-k", keyword)]


def test_papers_are_ranked_by_the_models_relevance(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage", *SEED)
    assert code == 0, err
    bodies = triage_bodies(server, anthropic_api)
    assert len(bodies) == math.ceil(len(CANDIDATES) / BATCH_SIZE) == 1
    asked = [i for body in bodies for i in triaged_ids(prompt_of(body))]
    assert sorted(asked) == sorted(CANDIDATES)  # every candidate exactly once
    assert [b.kind for b in anthropic_api.billed] == ["triage"]  # and nothing else is asked
    body = bodies[0]
    assert body["model"] == "claude-haiku-4-5"
    assert body["output_config"]["format"]["type"] == "json_schema"
    prompt = prompt_of(body)
    assert "Keywords: kv cache, offload" in prompt and "<papers>" in prompt
    # The listing: each paper's triage verdict first among its reasons, best relevance first,
    # ties broken by the keyword score; a paper the model scores 0 is left out.
    relevance = [int(row["reasons"][0].split()[1].split("/")[0]) for row in rows]
    assert all(row["reasons"][0].startswith("triage: ") and " — " in row["reasons"][0]
               for row in rows)  # fmt: skip
    assert [(-r, -row["score"]) for r, row in zip(relevance, rows, strict=True)] == sorted(
        (-r, -row["score"]) for r, row in zip(relevance, rows, strict=True)
    )
    assert [row["id"] for row in rows][:2] == ["2602.20001v1", "2602.20002v2"]  # not by score
    assert rows[0]["score"] < rows[1]["score"]
    assert "2602.20007v1" not in {row["id"] for row in rows}  # the poetry corpus: 0/10
    assert "1 triage: not relevant (0/10)" in err
    assert "triage: 7 candidates: 7 scored by claude-haiku-4-5 in 1 call" in err

    # A rerun asks nothing: the verdicts are stored per paper.
    again, rows_again, err = listing(
        runner, small_papers, "--provider", "anthropic", "--triage", *SEED
    )
    assert again == 0, err
    assert len(triage_bodies(server, anthropic_api)) == 1
    assert rows_again == rows
    assert "triage: 7 candidates: 7 from the store" in err


def test_max_papers_keeps_the_most_relevant(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    code, rows, err = listing(
        runner, small_papers, "--provider", "anthropic", "--triage", "--max-papers", "2"
    )
    assert code == 0, err
    assert [row["id"] for row in rows] == ["2602.20001v1", "2602.20002v2"]
    assert "beyond max_papers 2 (by triage)" in err
    # A changed profile is another reader: it is asked again.
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage",
                              "-k", "reward shaping")  # fmt: skip
    assert code == 0, err
    assert len(triage_bodies(server, anthropic_api)) == 2
    assert rows[0]["id"] == "2602.20004v1"


def test_a_daily_run_records_the_triage_calls_with_its_own(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    isolated_home: Path,
) -> None:  # fmt: skip
    code, out, err = run(runner, "daily", "--papers", small_papers, *DAY, "--provider",
                         "anthropic", "--triage", "--max-papers", "3")  # fmt: skip
    assert code == 0, err
    kinds = [b.kind for b in anthropic_api.billed]
    assert kinds[0] == "triage" and kinds.count("triage") == 1
    assert kinds.count("analysis") == 3  # the three most relevant papers
    assert "SpecServe" in out and "Paged KV Cache" in out
    with sqlite3.connect(isolated_home / "briefgen.sqlite3") as db:
        rows = db.execute(
            "SELECT runs.command, calls.purpose, calls.input_tokens, calls.cost_usd FROM calls "
            "JOIN runs ON runs.id = calls.run_id WHERE calls.purpose = 'triage'"
        ).fetchall()
    assert len(rows) == 1
    command, _, tokens, cost = rows[0]
    assert command == "daily" and tokens == anthropic_api.billed_for("triage")[0].input_tokens
    assert cost > 0
    assert f"{len(kinds)} calls" in err  # the run's spend line counts the triage call too


def test_a_dry_run_prices_the_triage_and_sends_nothing(
    runner: CliRunner, server: FakeServer, small_papers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)  # no key: nothing may be sent
    code, out, err = run(runner, "daily", "--papers", small_papers, *DAY, "--provider",
                         "anthropic", "--triage", "--dry-run")  # fmt: skip
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("triage "))
    assert "claude-haiku-4-5" in line and "1 calls" in line and "$0.0" in line
    assert "7 of 7 candidates to score in 1 call" in out
    assert server.requests == []


def test_a_dry_run_after_a_run_knows_the_stored_verdicts(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage")
    assert code == 0, err
    code, out, err = run(runner, "daily", "--papers", small_papers, *DAY, "--provider",
                         "anthropic", "--triage", "--dry-run")  # fmt: skip
    assert code == 0, err
    assert "all 7 candidates scored before" in out
    line = next(x for x in out.splitlines() if x.startswith("triage "))
    assert "0 calls" in line and "$0.0000" in line
    # the papers the run would analyse are the ones triage selected, in its order
    listed = [x.split()[1] for x in out.splitlines() if x.strip().endswith("would be analysed")]
    assert listed == [row["id"] for row in rows]
    assert len(triage_bodies(server, anthropic_api)) == 1


def test_triage_needs_a_model(runner: CliRunner, small_papers: Path) -> None:
    for command in ("papers", "daily"):
        code, out, err = run(runner, command, "--papers", small_papers, *DAY, "--triage")
        assert code == 2
        assert "--triage needs a model (--provider anthropic or openai)" in err
        assert out == ""


def test_a_batch_that_fails_twice_falls_back_to_the_keyword_ranking(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    _, keyword_rows, _ = listing(runner, small_papers)  # no triage: the offline engine
    broken = FakeAnthropic.message('{"relevance": [{"id": "2602.20001", "relev')
    anthropic_api.enqueue_for("triage", broken, broken)
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage")
    assert code == 0, err
    assert len(triage_bodies(server, anthropic_api)) == 2  # the reply and its one repair
    assert [row["id"] for row in rows] == [row["id"] for row in keyword_rows]
    assert all("triage: no answer, ranked by score" in row["reasons"] for row in rows)
    warnings = [x for x in err.splitlines() if "triage failed" in x]
    assert len(warnings) == 1
    assert "triage failed for 7 of 7 papers" in warnings[0]
    assert "ranked by keywords and library instead" in warnings[0]
    # nothing was stored for them: the next run asks again, and is answered
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage")
    assert code == 0 and "triage failed" not in err
    assert len(triage_bodies(server, anthropic_api)) == 3


def test_a_reply_that_leaves_papers_out_is_repaired_once(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    partial = FakeAnthropic.message(json.dumps({"relevance": [
        {"id": "2602.20002", "relevance": 9, "reason": "Paged KV-cache offload."}]}))  # fmt: skip
    anthropic_api.enqueue_for("triage", partial)
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage")
    assert code == 0, err
    repair = triage_bodies(server, anthropic_api)[1]
    assert len(repair["messages"]) == 3
    assert "no entry for 6 ids" in repair["messages"][2]["content"]
    assert "triage failed" not in err
    assert rows[0]["id"] == "2602.20001v1"  # the repair's answer (the fake's own) counts


def test_an_unreachable_model_falls_back_without_losing_the_run(
    runner: CliRunner, small_papers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")  # the base URL is a closed port
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage")
    assert code == 0, err
    assert len(rows) == 6
    assert sum("triage failed for 7 of 7 papers" in x for x in err.splitlines()) == 1


def write_papers(path: Path, count: int) -> Path:
    topics = ["kv cache", "speculative decoding", "protein folding", "poetry", "quantization"]
    with path.open("w") as out:
        for i in range(count):
            topic = topics[i % len(topics)]
            out.write(json.dumps({
                "id": f"2602.3{i:04d}v1", "title": f"A study of {topic} number {i}",
                "authors": [f"Author {i}"], "categories": ["cs.LG"],
                "abstract": f"We look at {topic} in setting {i} and report what we measured.",
                "published": "2026-02-18",
            }) + "\n")  # fmt: skip
    return path


def test_45_candidates_are_three_concurrent_batches(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, tmp_path: Path
) -> None:
    anthropic_api.delay = 0.1  # long enough that the batches overlap
    papers = write_papers(tmp_path / "papers.jsonl", 45)
    code, rows, err = listing(runner, papers, "--provider", "anthropic", "--triage",
                              "--max-papers", "10", "--concurrency", "4")  # fmt: skip
    assert code == 0, err
    bodies = triage_bodies(server, anthropic_api)
    assert len(bodies) == 3
    asked = [triaged_ids(prompt_of(body)) for body in bodies]
    assert sorted(i for ids in asked for i in ids) == [f"2602.3{i:04d}" for i in range(45)]
    assert sorted(len(ids) for ids in asked) == [15, 15, 15]
    assert anthropic_api.peaks["triage"] > 1
    assert len(rows) == 10
    topics = {row["title"].split(" number ")[0].removeprefix("A study of ") for row in rows}
    assert topics <= {"kv cache", "speculative decoding", "quantization"}  # not poetry


def test_openai_compatible_models_triage_too(
    runner: CliRunner, server: FakeServer, openai_api: FakeOpenAI, small_papers: Path
) -> None:
    code, rows, err = listing(runner, small_papers, "--provider", "openai", "--triage")
    assert code == 0, err
    bodies = [r.json() for r in server.hits("/v1/chat/completions")]
    assert len(bodies) == 1 and openai_api.kind(bodies[0]) == "triage"
    assert rows[0]["reasons"][0].startswith("triage: ")


def paper(number: int) -> Paper:
    return Paper(id=f"2602.{number:05d}", title="t", abstract="a", published="2026-02-18")


@pytest.mark.parametrize(("count", "sizes"), [
    (0, []), (1, [1]), (20, [20]), (21, [11, 10]), (45, [15, 15, 15]), (182, [19] * 2 + [18] * 8),
])  # fmt: skip
def test_batches_are_even_and_at_most_20(count: int, sizes: list[int]) -> None:
    made = batches([paper(i) for i in reversed(range(count))])
    assert [len(b) for b in made] == sizes
    assert [p.id for b in made for p in b] == sorted(paper(i).id for i in range(count))


def test_the_model_reads_the_library_and_followed_authors_first_stay_first(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    library = tmp_path / "library.jsonl"
    library.write_text(json.dumps({
        "id": "2306.14048", "title": "H2O: Heavy-Hitter Oracle for Efficient Generative "
        "Inference of Large Language Models", "abstract": "KV cache eviction.",
        "published": "2023-06-24",
    }) + "\n")  # fmt: skip
    code, rows, err = listing(runner, small_papers, "--provider", "anthropic", "--triage",
                              "--library", str(library), "--author", "Hana Berg",
                              "--max-papers", "2")  # fmt: skip
    assert code == 0, err
    prompt = prompt_of(triage_bodies(server, anthropic_api)[0])
    assert "Followed authors: Hana Berg" in prompt
    assert "Library, titles of papers they keep:\n- H2O: Heavy-Hitter Oracle" in prompt
    first = rows[0]  # the followed author's survey: selected first whatever its relevance
    assert first["id"] == "2602.20005v1"
    assert first["reasons"][0] == "author: Hana Berg (followed)"
    assert first["reasons"][1].startswith("triage: ")
    assert rows[1]["id"] == "2602.20001v1"


def test_a_long_library_shows_the_titles_closest_to_the_day() -> None:
    @dataclass(frozen=True)
    class Kept:
        title: str

        @property
        def short_title(self) -> str:
            return self.title

    library = [Kept(f"Library paper {i}") for i in range(40)]
    day = [paper(i) for i in range(5)]
    # every candidate's best match is library paper 39, then 38: they come first
    reader = Reader(library=library, match=lambda papers: [(0.9, 39 - i % 2) for i in
                                                           range(len(papers))])  # fmt: skip
    titles = library_titles(reader, day)
    assert len(titles) == LIBRARY_TITLES == 30
    assert titles[:3] == ["Library paper 39", "Library paper 38", "Library paper 0"]
    assert library_titles(Reader(library=library[:3]), day) == [k.title for k in library[:3]]

"""`briefgen search` as a user drives it: days stored by `briefgen daily`, then found again by
words, phrases and prefixes, narrowed by date, profile and author, as a table or JSON; a query
FTS5 cannot read is a usage error; `--similar` by stored embeddings or TF-IDF; an existing
store is indexed when it migrates."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import split_arxiv_id
from briefgen.infra.store import MIGRATIONS, SearchFilters, Store
from briefgen.select.reader import paper_key

KV_PAPER = "2602.20002v2"  # Paged KV Cache Offload for Long-Context Inference (Chen Li)


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def hits(runner: CliRunner, *args: str | Path) -> list[dict[str, Any]]:
    code, out, err = run(runner, "search", *args, "--format", "json")
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


@pytest.fixture
def days(runner: CliRunner, small_papers: Path, example_papers: Path) -> None:
    """Two stored days: the small file on 2026-02-18, the real example day 2026-06-17."""
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18")
    assert code == 0, err
    code, _, err = run(runner, "daily", "--papers", example_papers)
    assert code == 0, err


def test_words_phrases_and_prefixes_find_papers_analyses_and_briefs(
    runner: CliRunner, days: None
) -> None:
    rows = hits(runner, "kv cache")
    assert rows[0]["id"] == KV_PAPER
    assert rows[0]["title"] == "Paged KV Cache Offload for Long-Context Inference"
    assert rows[0]["date"] == "2026-02-18"
    assert set(rows[0]["matched_in"]) == {"paper", "analysis", "brief 2026-02-18 (default)"}
    assert "«KV" in rows[0]["snippet"] or "«kv" in rows[0]["snippet"].lower()
    assert {r["date"] for r in rows} == {"2026-02-18", "2026-06-17"}  # both days
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(rows))
    # A phrase is words side by side; a prefix finds every word it starts.
    phrase = {r["id"] for r in hits(runner, '"kv cache"')}
    assert KV_PAPER in phrase and phrase <= {r["id"] for r in rows}
    assert len(hits(runner, '"cache kv"')) < len(rows)
    assert KV_PAPER in {r["id"] for r in hits(runner, "offlo*")}
    # Words that punctuation joins are the phrase they spell, not a column name.
    assert hits(runner, "kv-cache")[0]["id"] == KV_PAPER
    # The title counts above the abstract: the paper with 'speculative' in its title first.
    assert hits(runner, "speculative")[0]["id"] == "2602.20001v1"
    # A brief's own text: its next steps, a part about no one paper.
    steps = [r for r in hits(runner, "quotes titles without a model") if r["id"] is None]
    assert steps and steps[0]["brief"] in {"2026-02-18", "2026-06-17"}
    assert steps[0]["best_match"] == "next step"


def test_the_must_show_kv_cache_from_june_as_a_table(runner: CliRunner, days: None) -> None:
    code, out, err = run(runner, "search", "kv cache", "--from", "2026-06-01")
    assert code == 0, err
    assert "matches for kv cache" in out
    assert "2606.18246" in out  # Variable-Width Transformers: "smaller KV cache memory"
    assert "2602.20002" not in out  # February is before --from
    for column in ("paper", "date", "matched in", "title", "snippet"):
        assert column in out


def test_filters_dates_author_profile_and_limit(
    runner: CliRunner, days: None, small_papers: Path, tmp_path: Path
) -> None:
    june = hits(runner, "kv", "--from", "2026-06-01")
    assert june and all(r["date"] >= "2026-06-01" for r in june)
    february = hits(runner, "kv", "--to", "2026-02-28")
    assert february and all(r["date"] <= "2026-02-28" for r in february)
    assert hits(runner, "kv", "--from", "2026-03-01", "--to", "2026-03-31") == []
    # An author: whole words of a name, any case; "li" is Chen Li, not every "li" inside.
    by_li = hits(runner, "cache", "--author", "chen li")
    assert [r["id"] for r in by_li] == [KV_PAPER]
    assert hits(runner, "cache", "--author", "Li")[0]["id"] == KV_PAPER
    assert hits(runner, "cache", "--author", "Nobody Atall") == []
    # A profile: its briefs and the papers they covered.
    config = tmp_path / "config.toml"
    config.write_text('[profiles.serving]\ncategories = ["cs.DC"]\nkeywords = ["KV cache"]\n')
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                       "--config", config, "--profile", "serving")  # fmt: skip
    assert code == 0, err
    serving = hits(runner, "cache", "--profile", "serving")
    assert serving and {r["id"] for r in serving} <= {KV_PAPER, "2602.20009v1", None}
    assert all(r["profile"] in (None, "serving") for r in serving)
    assert all("(default)" not in " ".join(r["matched_in"]) for r in serving)
    assert hits(runner, "cache", "--profile", "nosuchprofile") == []
    assert len(hits(runner, "the", "--limit", "3")) == 3
    assert len(hits(runner, "the")) == 20  # the default limit


@pytest.mark.parametrize(
    ("query", "said"),
    [('"kv cache', "unterminated string"), ("AND", 'syntax error near "AND"'),
     ("kv OR", "syntax error"), ("foo:bar", "names a column"), ("", "give a query")],
)  # fmt: skip
def test_a_query_fts5_cannot_read_is_a_usage_error(
    runner: CliRunner, days: None, query: str, said: str
) -> None:
    code, out, err = run(runner, "search", query)
    assert code == 2, (out, err)
    assert out == ""
    assert said in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_options_are_usage_errors(runner: CliRunner, days: None) -> None:
    code, _, err = run(runner, "search", "kv", "--from", "June")
    assert code == 2 and "expected YYYY-MM-DD" in err
    code, _, err = run(runner, "search", "kv", "--from", "2026-06-02", "--to", "2026-06-01")
    assert code == 2 and "is after" in err
    code, _, err = run(runner, "search", "kv", "--similar", "2602.20002")
    assert code == 2 and "not both" in err
    code, _, err = run(runner, "search", "--similar", "2999.99999")
    assert code == 2 and "not in the store" in err


def test_no_match_says_so_and_json_is_an_empty_list(runner: CliRunner, days: None) -> None:
    code, out, err = run(runner, "search", "xylophone")
    assert code == 0 and out == "" and "no matches for 'xylophone'" in err
    assert hits(runner, "xylophone") == []


def test_user_text_never_reaches_sql(runner: CliRunner, days: None, isolated_home: Path) -> None:
    evil = "x'); DROP TABLE papers; --"
    for args in (["search", evil], ["search", "kv", "--author", evil],
                 ["search", "kv", "--profile", evil]):  # fmt: skip
        code, _, err = run(runner, *args)
        assert code in (0, 2), err
    with Store.open(isolated_home) as store:
        assert store.stats()["papers"] > 0


def test_chinese_text_of_a_translated_brief_is_found(
    runner: CliRunner, days: None, isolated_home: Path
) -> None:
    # The offline engine writes no Chinese: nothing to find, and the note says why.
    code, out, err = run(runner, "search", "缓存")
    assert code == 0 and out == "" and "offline engine writes none" in err
    with Store.open(isolated_home) as store:
        brief = store.get_brief("daily", "2026-02-18", "default")
        assert brief is not None
        zh = {"takeaways.0.headline": "长上下文推理的 KV 缓存卸载",
              "next_steps.0": "在你自己的服务栈上复现分页缓存的吞吐数字"}  # fmt: skip
        store.save_brief("daily", "2026-02-18", "default",
                         brief.model_copy(update={"translations": {"zh": zh}}))  # fmt: skip
    two = hits(runner, "缓存")  # two characters: below a trigram, found by a scan
    assert two and all(r["date"] == "2026-02-18" for r in two)
    assert any("«缓存»" in r["snippet"] for r in two)
    three = hits(runner, "长上下文")  # a trigram's worth
    found = {split_arxiv_id(r["id"])[0] for r in three if r["id"]}
    assert found and found <= set(brief.takeaways[0].paper_ids)
    assert hits(runner, "吞吐 复现")[0]["best_match"] == "next step"
    assert hits(runner, "缓存", "--from", "2026-03-01") == []


def test_similar_by_stored_vectors_else_tfidf(
    runner: CliRunner, days: None, isolated_home: Path
) -> None:
    # No vectors stored: TF-IDF over the stored papers, and the note says so.
    code, out, err = run(runner, "search", "--similar", "2602.20002", "-f", "json")
    assert code == 0, err
    assert "no embedding vector is stored for 2602.20002v2" in err and "TF-IDF" in err
    rows = json.loads(out)
    assert rows and all(r["by"] == "TF-IDF" for r in rows)
    assert KV_PAPER not in {r["id"] for r in rows}
    # Vectors stored under a model (as library ranking stores them): used, most alike first.
    with Store.open(isolated_home) as store:
        papers = store.papers_where(SearchFilters())
        rng = np.random.default_rng(7)
        target = next(p for p in papers if p.versioned_id == KV_PAPER)
        base = rng.normal(size=16).astype("<f4")
        vectors = {}
        for n, paper in enumerate(papers):
            noise = rng.normal(size=16).astype("<f4")
            vector = base if paper is target else base * (1.0 / (n + 1)) + noise * 0.5
            vectors[paper_key(paper)] = np.asarray(vector, dtype="<f4").tobytes()
        near = next(p for p in papers if p.id == "2606.18246")
        vectors[paper_key(near)] = (base + 0.01).astype("<f4").tobytes()
        store.put_vectors("minishlab/potion-base-8M@abc", vectors)
    code, out, err = run(runner, "search", "--similar", "arXiv:2602.20002v2", "-f", "json",
                         "-n", "5")  # fmt: skip
    assert code == 0, err
    assert "TF-IDF" not in err
    rows = json.loads(out)
    assert len(rows) == 5 and rows[0]["id"] == "2606.18246" and rows[0]["similarity"] > 0.99
    assert rows[0]["by"] == "embedding minishlab/potion-base-8M@abc"
    code, out, _ = run(runner, "search", "--similar", "2602.20002", "--from", "2026-06-01")
    assert code == 0 and "2602.2000" not in out.replace("2602.20002v2 (", "")


def test_an_existing_store_is_indexed_when_it_migrates(
    runner: CliRunner, days: None, isolated_home: Path
) -> None:
    path = Store.path_in(isolated_home)
    db = sqlite3.connect(path)
    for table in ("search_text", "search_cjk", "search_docs"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DELETE FROM schema_migrations WHERE name = '0006_search'")
    db.commit()
    db.close()
    assert [name for name, _ in MIGRATIONS][-1] == "0006_search"
    rows = hits(runner, "kv cache")  # opening the store applies 0006 and indexes what it has
    assert rows[0]["id"] == KV_PAPER and len(rows[0]["matched_in"]) == 3


def test_the_index_follows_rewrites_and_clear(
    runner: CliRunner, days: None, small_papers: Path, isolated_home: Path
) -> None:
    before = hits(runner, "kv cache", "--limit", "100")
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18")
    assert code == 0, err
    assert hits(runner, "kv cache", "--limit", "100") == before  # replaced, not doubled
    code, _, err = run(runner, "cache", "clear", "--yes")
    assert code == 0, err
    assert hits(runner, "kv cache") == []
    db = sqlite3.connect(Store.path_in(isolated_home))
    assert db.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0] == 0
    db.close()

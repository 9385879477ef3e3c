from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.core.errors import ConfigError
from briefgen.infra.prompts import bundled_prompts_dir, fill, load_template, template_version

EXAMPLE_DAY = Path(__file__).parent.parent / "examples" / "papers-2026-06-17.jsonl"
PROMPT_FILES = Path(__file__).parent.parent / "prompts"


def test_bundled_prompts_are_found_and_versioned() -> None:
    assert (bundled_prompts_dir() / "analyze_paper.md").is_file()
    template = load_template("analyze_paper")
    assert "<paper>" in template and "{paper_text}" in template
    version = template_version(template)
    assert len(version) == 12 and version == template_version(load_template("analyze_paper"))
    assert template_version(template + " ") != version  # an edit is a new version


def test_fill_refuses_missing_or_unexpected_values(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text("Paper {title} ({paper_id})")
    template = load_template("p", tmp_path)
    assert fill(template, title="T", paper_id="2602.1") == "Paper T (2602.1)"
    with pytest.raises(ConfigError, match="do not match"):
        fill(template, title="T")
    with pytest.raises(ConfigError, match=r"prompt 'nope' not found: .*nope\.md"):
        load_template("nope", tmp_path)


# The analysis contract: one statement, two prompts ---------------------------------------------

# A 5-field per-paper summary's request, as the summarising tools send it (daily-arXiv-ai-
# enhanced's AI step: a short system prompt, the title and abstract, five string fields): the
# yardstick for what one paper may cost on the OpenAI-compatible path.
FIVE_FIELD_SYSTEM = (
    "You are a professional paper analyst. Summarise the paper from its title and abstract. "
    "Reply with one JSON object and nothing else, with exactly these keys: tldr (one "
    "sentence), motivation, method, result and conclusion, each one or two sentences. Write "
    "in English. Escape every backslash in the JSON strings, so that LaTeX such as $\\lambda$ "
    "is written $\\\\lambda$."
)
FIVE_FIELD_SCHEMA = (
    '{"type": "object", "properties": {"tldr": {"type": "string"}, "motivation": {"type": '
    '"string"}, "method": {"type": "string"}, "result": {"type": "string"}, "conclusion": '
    '{"type": "string"}}, "required": ["tldr", "motivation", "method", "result", "conclusion"]}'
)


def five_field_tokens(title: str, abstract: str) -> int:
    from briefgen.read.abstract import estimate_tokens

    user = f"Title: {title}\nAbstract: {abstract}\nSummarise this paper."
    return estimate_tokens(FIVE_FIELD_SYSTEM + user + FIVE_FIELD_SCHEMA)


def dry_run_tokens(output: str) -> dict[str, int]:
    import re

    rows = re.findall(r"^\s*\d+\s+(\S+)\s+\w+\s+([\d,]+)\s+would be analysed$", output, re.M)
    return {pid: int(tokens.replace(",", "")) for pid, tokens in rows}


def test_dry_run_token_counts_per_provider(example_papers: Path) -> None:
    import json

    from typer.testing import CliRunner

    from briefgen.cli import app
    from briefgen.core.models import split_arxiv_id

    runner = CliRunner()
    counted: dict[str, dict[str, int]] = {}
    for provider in ("anthropic", "openai"):
        args = ["daily", "--papers", str(example_papers), "--date", "2026-06-17", "--dry-run"]
        result = runner.invoke(app, [*args, "--provider", provider])
        assert result.exit_code == 0, result.stderr
        counted[provider] = dry_run_tokens(result.stdout)
        assert len(counted[provider]) == 30
    papers = {
        split_arxiv_id(row["id"])[0]: row
        for row in map(json.loads, example_papers.read_text().splitlines())
    }
    ids = counted["openai"]
    summary = sum(five_field_tokens(papers[p]["title"], papers[p]["abstract"]) for p in ids)
    openai = sum(ids.values())
    # The compact prompt: a paper costs at most 3x what a 5-field summary of it costs (the
    # full prompt and its 1k-token schema cost 13.7x).
    assert openai <= 3 * summary, (openai / summary, openai, summary)
    # Anthropic keeps the full prompt with its worked examples: it is cached, read at 0.1x.
    anthropic = sum(counted["anthropic"].values())
    assert anthropic > 4 * openai


def test_the_field_contract_is_stated_once_for_both_prompts(tmp_path: Path) -> None:
    import json

    from briefgen.engines.analysis_prompt import (
        ANALYSIS_SCHEMA,
        AnalysisPrompt,
        read_fields,
        schema_fields,
    )

    fields = read_fields(load_template("analyze_paper.fields"))
    assert sorted(fields) == sorted(schema_fields(ANALYSIS_SCHEMA))
    assert "why_now" not in fields  # the synthesis writes it, for the reader
    full = AnalysisPrompt(compact=False).system
    compact = AnalysisPrompt(compact=True).system
    for name, (contract, guidance) in fields.items():
        assert f"- {name}: {contract}" in full and f"- {name}: {contract}" in compact
        assert guidance in full and (not guidance or guidance not in compact)
    assert "description" not in json.dumps(ANALYSIS_SCHEMA)  # said once: in the prompt
    assert "Read from the abstract only:" not in full  # no boilerplate opener
    # A fields file that leaves a field out is refused, naming what it must describe.
    (tmp_path / "analyze_paper.fields.md").write_text("- domain: the area.\n")
    with pytest.raises(ConfigError, match="must describe exactly the fields domain, "):
        AnalysisPrompt(tmp_path)


def test_a_paper_beyond_the_models_context_is_warned_about_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from datetime import date

    from briefgen.core.models import Paper, PaperText, ScoredPaper, Section
    from briefgen.engines.limits import CallLimits
    from briefgen.engines.providers.openai_provider import OpenAIProvider
    from briefgen.infra.net import RetryPolicy
    from tests.fakes import FakeProvider, analysis_json, model_engine

    paper = ScoredPaper(
        paper=Paper(id="2606.00002", title="Long", abstract="A.", published=date(2026, 6, 17)),
        score=1.0,
    )
    long_text = PaperText(paper_id="2606.00002", read_from="html", sections=[
        Section(heading="Abstract", text="A."), Section(heading="1 Method", text="word " * 8000),
    ])  # fmt: skip
    short_text = PaperText(paper_id="2606.00002", read_from="abstract",
                           sections=[Section(heading="Abstract", text="A.")])  # fmt: skip
    provider = FakeProvider(responder=lambda messages: json_text(analysis_json("Long")))
    engine = model_engine(provider, "llama3:8b")
    assert engine.analysis.context_tokens == 8_192
    assert engine.context_problem(paper, short_text) is None
    engine.analyze(paper, long_text)
    engine.analyze(paper, long_text)
    (message,) = caplog.messages
    assert message.startswith("2606.00002: the prompt and paper are about ")
    assert "more than llama3:8b's context of 8,192 tokens" in message
    # A server on this machine (Ollama) is taken at its default context unless told.
    local = OpenAIProvider(base_url="http://127.0.0.1:11434/v1", api_key=None,
                           policy=RetryPolicy(attempts=1, wait=0))  # fmt: skip
    assert model_engine(local, "qwen3:8b").analysis.context_tokens == 4_096
    wider = model_engine(local, "qwen3:8b", limits=CallLimits(context_tokens=32_768))
    assert wider.analysis.context_tokens == 32_768


def json_text(value: object) -> str:
    import json

    return json.dumps(value)


def test_dry_run_warns_of_a_paper_beyond_a_local_servers_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from briefgen.cli import app

    monkeypatch.setenv("BRIEFGEN_MODEL__OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never called
    long_one = {"id": "2606.00003", "title": "Efficient LLM inference", "published": "2026-06-17",
                "abstract": "We make LLM inference efficient. " * 600}  # fmt: skip
    short_one = {**long_one, "id": "2606.00004", "abstract": "We make LLM inference efficient."}
    papers = tmp_path / "day.jsonl"
    papers.write_text("".join(json.dumps(p) + "\n" for p in (long_one, short_one)))
    result = CliRunner().invoke(
        app, ["daily", "--papers", str(papers), "--provider", "openai", "--dry-run"]
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "warning: 2606.00003: the prompt and paper are about " in out
    assert "context of 4,096 tokens (a local server's default, Ollama's)" in out
    assert "2606.00004: the prompt" not in out


def test_the_worked_examples_are_not_papers_of_the_bundled_day() -> None:
    """A worked example taken from the example day would teach the model that day's answers
    (and make a run on it look better than it is): none of the day's ids or titles appears in
    a prompt."""
    day = [json.loads(line) for line in EXAMPLE_DAY.read_text(encoding="utf-8").splitlines()]
    prompts = "\n".join(p.read_text(encoding="utf-8") for p in PROMPT_FILES.glob("*.md"))
    assert len(day) > 100
    assert not [p["id"] for p in day if p["id"].split("v")[0] in prompts]
    assert not [p["title"] for p in day if p["title"] in prompts]

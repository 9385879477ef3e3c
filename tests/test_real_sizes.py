"""The model path at the sizes a real model writes, against a Messages API as strict as the real
one: replies cut at `max_tokens`, usage counted from the text, a prefix cached only above the
model's minimum."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from briefgen.cli import app
from briefgen.core.models import Brief
from briefgen.infra.store import Store
from briefgen.render.lint import compare_structures, lint_markdown
from briefgen.translate.localize import brief_texts
from briefgen.translate.translator import BriefTranslator, complete_texts
from tests.fakes import FakeAnthropic, FakeProvider, FakeServer, count_tokens

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def real_model(anthropic_api: FakeAnthropic) -> FakeAnthropic:
    anthropic_api.realistic = True
    return anthropic_api


def stored_brief(home: Path, day: str) -> Brief:
    with Store.open(home) as store:
        brief = store.get_brief("daily", day, "default")
    assert brief is not None
    return brief


def ten_papers(runner: CliRunner, papers: Path, command: str, lang: str, *extra: str) -> Result:
    """`briefgen COMMAND` over the 10 best papers of a file, with a model, in `lang`."""
    return runner.invoke(
        app, [command, "--papers", str(papers), "--provider", "anthropic", "--lang", lang,
              "--max-papers", "10", *extra],
    )  # fmt: skip


def chinese_share(brief: Brief) -> float:
    """The share of the brief's texts whose stored Chinese really is Chinese."""
    english = brief_texts(brief)
    chinese = brief.translations.get("zh", {})
    done = [k for k in english if CJK.search(chinese.get(k, ""))]
    return len(done) / len(english)


def test_a_ten_paper_brief_comes_out_in_chinese_at_real_reply_sizes(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, example_papers: Path,
    tmp_path: Path, isolated_home: Path,
) -> None:  # fmt: skip
    out = tmp_path / "out"
    result = ten_papers(runner, example_papers, "daily", "both", "--output-dir", str(out))
    assert result.exit_code == 0, result.stderr
    translations = real_model.billed_for("translation")
    # A real-size translation: thousands of output tokens, far above one 4,096-token reply.
    assert sum(b.output_tokens for b in translations) >= 6000
    assert all(b.stop_reason == "end_turn" for b in translations)  # each chunk fits its budget
    assert len(translations) >= 4
    assert chinese_share(stored_brief(isolated_home, "2026-06-17")) >= 0.95
    assert "kept in English" not in result.stderr
    english = (out / "2026-06-17-brief.en.md").read_text()
    chinese = (out / "2026-06-17-brief.zh.md").read_text()
    assert lint_markdown(english) == [] and lint_markdown(chinese) == []
    assert compare_structures(english, chinese) == []
    checked = runner.invoke(app, ["lint", str(out / "2026-06-17-brief.en.md"),
                                  str(out / "2026-06-17-brief.zh.md")])  # fmt: skip
    assert checked.exit_code == 0, checked.stdout
    # The analyses and the synthesis were real-size too, and none was cut off.
    assert all(b.output_tokens >= 700 for b in real_model.billed_for("analysis"))
    (synthesis,) = real_model.billed_for("synthesis")
    assert synthesis.output_tokens >= 3000 and synthesis.stop_reason == "end_turn"


def test_one_translation_call_for_the_whole_brief_would_be_cut_off(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, example_papers: Path,
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The old design (every text in one call, 4,096 tokens) against the strict server: the
    reply is cut; the complete texts are kept and the rest is split and asked again."""
    monkeypatch.setenv("BRIEFGEN_TRANSLATION__CHUNK_TOKENS", "32000")  # one chunk
    monkeypatch.setenv("BRIEFGEN_TRANSLATION__MAX_TOKENS", "4096")
    result = ten_papers(runner, example_papers, "daily", "zh")
    assert result.exit_code == 0, result.stderr
    translations = real_model.billed_for("translation")
    cut = [b for b in translations if b.stop_reason == "max_tokens"]
    assert cut and all(b.output_tokens == 4096 for b in cut)
    assert chinese_share(stored_brief(isolated_home, "2026-06-17")) >= 0.95
    # Nothing complete was thrown away: every text was translated exactly once in full.
    translated_keys: list[str] = []
    for request in server.hits("/v1/messages"):
        body = request.json()
        if real_model.kind(body) == "translation":
            prompt = body["messages"][0]["content"]
            translated_keys += json.loads(prompt.split("<texts>")[1].split("</texts>")[0])
    keys = brief_texts(stored_brief(isolated_home, "2026-06-17"))
    assert len(translated_keys) < 2 * len(keys)  # each key asked at most twice, most once


def _partial_reply(texts: dict[str, str], keep: int) -> str:
    """A translation reply cut off in the middle of text number `keep`."""
    items = list(texts.items())
    whole = ", ".join(f'"{k}": "中文{v}"' for k, v in items[:keep])
    k, v = items[keep]
    return '{"translations": {' + whole + f', "{k}": "中文{v[:3]}'


def test_a_cut_off_translation_keeps_its_complete_texts_and_splits_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    texts = {f"t{i}": f"Text {i} has 2.{i}x speed." for i in range(8)}
    provider = FakeProvider()
    provider.enqueue(_partial_reply(texts, 3), stop_reason="max_tokens")

    def answer(messages: list[Any]) -> str:
        asked = json.loads(messages[0]["content"].split("<texts>")[1].split("</texts>")[0])
        return json.dumps({"translations": {k: f"中文{v}" for k, v in asked.items()}})

    provider.responder = answer
    from tests.fakes import model_engine

    asker = model_engine(provider).asker("translation")
    translator = BriefTranslator(asker, concurrency=1)
    result = translator.translate(texts)
    assert result == {k: f"中文{v}" for k, v in texts.items()}
    assert caplog.messages == []
    asked = [
        sorted(json.loads(c[0]["content"].split("<texts>")[1].split("</texts>")[0]))
        for c in provider.conversations
    ]
    # First all 8; then only the 5 left (t3 was being written), in two halves.
    assert asked == [sorted(texts), ["t3", "t4"], ["t5", "t6", "t7"]]


def test_complete_texts_reads_a_partial_reply() -> None:
    assert complete_texts('{"translations": {"a": "甲", "b": "乙半') == {"a": "甲"}
    assert complete_texts("not json at all") == {}
    assert complete_texts('{"translations": {"a": "甲"}}') == {"a": "甲"}


def test_translation_chunks_are_sent_at_once(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, example_papers: Path
) -> None:
    real_model.delay = 0.2  # long enough that chunks sent together are in flight together
    result = ten_papers(runner, example_papers, "daily", "zh")
    assert result.exit_code == 0, result.stderr
    assert real_model.peaks["translation"] >= 3


def test_analyze_in_chinese_at_real_sizes(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, example_papers: Path
) -> None:
    result = ten_papers(runner, example_papers, "analyze", "zh")
    assert result.exit_code == 0, result.stderr
    translations = real_model.billed_for("translation")
    assert sum(b.output_tokens for b in translations) >= 6000
    assert all(b.stop_reason == "end_turn" for b in translations)
    assert "kept in English" not in result.stderr
    assert result.stdout.count("## 📄 ") == 10
    assert len(CJK.findall(result.stdout)) >= 5000


def test_a_forty_paper_synthesis_at_real_size(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, tmp_path: Path
) -> None:
    papers = tmp_path / "forty.jsonl"
    papers.write_text("".join(
        json.dumps({"id": f"2602.{40000 + n}v1", "title": f"Efficient LLM inference, variant {n}",
                    "authors": ["A. Author"], "categories": ["cs.LG"], "published": "2026-02-18",
                    "abstract": f"We make LLM inference {n % 5 + 1}.{n % 10}x faster."}) + "\n"
        for n in range(40)
    ))  # fmt: skip
    result = runner.invoke(
        app, ["daily", "--papers", str(papers), "--provider", "anthropic", "--max-papers", "40"]
    )
    assert result.exit_code == 0, result.stderr
    (synthesis,) = real_model.billed_for("synthesis")  # 40 papers: one call, no cluster split
    assert synthesis.output_tokens >= 3000 and synthesis.stop_reason == "end_turn"
    assert synthesis.input_tokens + synthesis.cache_write >= 40 * 700  # the analyses it read
    assert lint_markdown(result.stdout) == []
    assert "synthesis:" not in result.stderr  # nothing dropped, nothing filled


# Caching that really applies --------------------------------------------------------------------


def test_the_fake_caches_only_above_the_models_minimum(
    server: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    import httpx

    def send(system: str, model: str) -> dict[str, int]:
        body = {
            "model": model, "max_tokens": 100,
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "Paper: X"}],
        }  # fmt: skip
        reply = httpx.post(f"{server.url}/v1/messages", json=body).json()
        return dict(reply["usage"])

    short = "You are terse. " * 100  # about 375 tokens: below every minimum
    assert send(short, "claude-haiku-4-5")["cache_creation_input_tokens"] == 0
    assert send(short, "claude-haiku-4-5")["cache_read_input_tokens"] == 0
    mid = "word " * 3000  # 3,750 tokens: enough for Sonnet 4.6 (2,048), not for Haiku (4,096)
    assert send(mid, "claude-haiku-4-5")["cache_creation_input_tokens"] == 0
    written = send(mid, "claude-sonnet-4-6")["cache_creation_input_tokens"]
    assert written >= count_tokens(mid)
    again = send(mid, "claude-sonnet-4-6")
    assert again["cache_read_input_tokens"] == written and again["cache_creation_input_tokens"] == 0


def test_the_synthesis_repair_reads_the_analyses_from_the_cache(
    runner: CliRunner, server: FakeServer, real_model: FakeAnthropic, example_papers: Path
) -> None:
    def invented(body: dict[str, Any]) -> Any:
        reply = json.loads(real_model.default(body).body)
        answer = json.loads(reply["content"][0]["text"])
        answer["top_papers"][0]["paper_id"] = "2699.99999"
        return FakeAnthropic.message(json.dumps(answer), model="claude-sonnet-4-6")

    real_model.enqueue_for("synthesis", invented)
    result = runner.invoke(
        app, ["daily", "--papers", str(example_papers), "--provider", "anthropic",
              "--max-papers", "10"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    first, repair = real_model.billed_for("synthesis")
    assert first.cache_write >= 2048 and first.cache_read == 0
    assert repair.cache_read == first.cache_write  # the analyses, at a tenth of the price
    # Translation's short system prompt is never marked: nothing to cache, nothing claimed.
    assert all(b.cache_write == b.cache_read == 0 for b in real_model.billed_for("translation"))


def test_with_prompt_caching_off_nothing_is_marked(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("BRIEFGEN_MODEL__PROMPT_CACHING", "false")
    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert result.exit_code == 0, result.stderr
    assert "cache_control" not in "".join(r.body.decode() for r in server.hits("/v1/messages"))
    assert "warm-up" not in {b.kind for b in anthropic_api.billed}


# Prompts and schemas as a model reads them ------------------------------------------------------


def _descriptions(schema: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(property path, its description or that of the definition it refers to)."""
    defs = schema.get("$defs", {})
    found: list[tuple[str, str | None]] = []

    def walk(node: dict[str, Any], path: str) -> None:
        for name, prop in node.get("properties", {}).items():
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            target = defs[ref.split("/")[-1]] if ref else {}
            found.append((f"{path}{name}", prop.get("description") or target.get("description")))
            if target:
                walk(target, f"{path}{name}.")

    walk(schema, "")
    return found


def test_every_field_a_model_fills_is_described_for_the_model() -> None:
    """Each field is described once, in the prompt the model reads (the schemas go bare): the
    analysis's in its field contract, the synthesis's in its prompt."""
    from briefgen.core.models import Synthesis
    from briefgen.engines.analysis_prompt import ANALYSIS_SCHEMA, AnalysisPrompt
    from briefgen.engines.synthesis_prompt import SynthesisPrompt, synthesis_schema

    for compact in (True, False):
        system = AnalysisPrompt(compact=compact).system
        fields = _descriptions(ANALYSIS_SCHEMA)
        assert len(fields) >= 10
        missing = [p for p, _ in fields if f"- {p}: " not in system]
        assert [p for p in missing if f"- {p}." not in system] == []  # (or its parts)
    synthesis = synthesis_schema(["2602.00001"])
    prompt = SynthesisPrompt().system + SynthesisPrompt().template
    assert [p for p, _ in _descriptions(synthesis) if p.rsplit(".", 1)[-1] not in prompt] == []
    for schema in (ANALYSIS_SCHEMA, synthesis):
        text = json.dumps(schema)
        for note in ("SPEC", "§", "briefgen", "a model cannot", "description"):
            assert note not in text
    assert Synthesis.__doc__ and "SPEC" not in Synthesis.__doc__


def test_prompts_hold_no_developer_notes_and_name_papers_by_method() -> None:
    from briefgen.infra.prompts import load_template

    for name in ("analyze_paper", "analyze_paper.system", "synthesize_brief",
                 "synthesize_brief.system", "translate_zh", "translate_zh.system"):  # fmt: skip
        text = load_template(name)
        assert "SPEC" not in text and "briefgen" not in text.lower()
    system = load_template("synthesize_brief.system")
    assert "only by the `id` values" not in system
    assert "by its method" in system


def test_the_synthesis_reads_usage_guides_and_the_readers_interests(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    result = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic",
              "--keyword", "speculative decoding"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (body,) = [r.json() for r in server.hits("/v1/messages")
               if anthropic_api.kind(r.json()) == "synthesis"]  # fmt: skip
    content = body["messages"][0]["content"]
    prompt = content if isinstance(content, str) else content[0]["text"]
    assert "The reader's interests: profile 'default'" in prompt
    assert "keywords: speculative decoding" in prompt
    assert '"hardware": "one GPU"' in prompt  # the usage guide of each analysis
    assert "Choose them for this reader" in prompt


def test_dry_run_needs_no_api_key(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--dry-run",
              "--lang", "both"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert server.requests == []
    out = result.stdout
    assert out.startswith("Dry run for 2026-02-18: nothing was sent to a model.")
    assert "analysis    claude-haiku-4-5        7 calls" in out  # with the cache warm-up
    assert re.search(r"translation +claude-haiku-4-5 +\d+ calls", out)
    assert re.search(r"estimated \$\d+\.\d{4}", out)
    # The run itself still needs the key, and says so before sending anything.
    real = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert real.exit_code == 5 and "set ANTHROPIC_API_KEY" in real.stderr


"""The Anthropic path end to end: the real `anthropic` SDK against a local server that speaks
the Messages API wire format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import AnalysisError, ConfigError, UpstreamError
from briefgen.engines.providers.anthropic_provider import AnthropicProvider
from briefgen.infra.net import RetryPolicy
from briefgen.infra.store import Store
from tests.conftest import SECRET_KEY
from tests.fakes import FakeAnthropic, FakeServer, analysis_json

SCHEMA = {"type": "object", "properties": {"domain": {"type": "string"}}, "required": ["domain"]}


def analyze(runner: CliRunner, papers: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["analyze", "--papers", str(papers), "--provider", "anthropic", *args]
    )
    return result.exit_code, result.stdout, result.stderr


def message_requests(server: FakeServer) -> list[dict[str, object]]:
    """The Messages requests that asked a question (a cache warm-up asks none)."""
    return [r.json() for r in server.hits("/v1/messages") if r.json()["max_tokens"] > 16]


def test_every_paper_is_analysed_with_structured_output_and_prompt_caching(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    anthropic_api.delay = 0.05  # long enough that calls overlap
    code, out, err = analyze(runner, small_papers, "--concurrency", "4")
    assert code == 0, err
    bodies = message_requests(server)
    assert len(bodies) == 6  # the six selected papers of 2026-02-18
    for body in bodies:
        assert body["model"] == "claude-haiku-4-5"
        assert body["output_config"]["format"]["type"] == "json_schema"  # type: ignore[index]
        assert body["system"][0]["cache_control"] == {"type": "ephemeral"}  # type: ignore[index]
        assert not {"temperature", "top_p", "top_k"} & set(body)
    assert 1 < anthropic_api.peak <= 4
    assert out.count("## 📄 ") == 6
    assert "The model's reading of SpecServe" in out
    assert "2.1x faster decoding" in out
    # 6 analyses and one warm-up call that writes the shared prompt into the cache first:
    assert "anthropic claude-haiku-4-5: 7 calls" in err and "cost $" in err
    warm_up, *analyses = anthropic_api.billed
    assert warm_up.kind == "warm-up" and warm_up.output_tokens == 1
    assert warm_up.cache_write >= 4096  # the prompt is long enough for Haiku to cache it
    assert [b.cache_read for b in analyses] == [warm_up.cache_write] * 6
    assert all(b.cache_write == 0 for b in analyses)
    headers = server.hits("/v1/messages")[0].headers
    # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    assert headers.get("x-api-key") == SECRET_KEY or (
        headers.get("authorization") == f"Bearer {SECRET_KEY}"
    )


def test_a_second_run_makes_no_model_calls(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    first = analyze(runner, small_papers)
    second = analyze(runner, small_papers)
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    assert len(message_requests(server)) == 6
    assert "6 analyses reused from the store" in second[2]
    analyze(runner, small_papers, "--no-cache")
    assert len(message_requests(server)) == 12


def test_without_a_key_exit_5_names_the_variable(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    code, out, err = analyze(runner, small_papers)
    assert code == 5
    assert "set ANTHROPIC_API_KEY" in err and out == ""
    assert server.hits("/v1/messages") == []


def test_a_rejected_key_stops_at_once_with_exit_5(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    anthropic_api.enqueue(
        *[FakeAnthropic.error(401, "authentication_error", "invalid x-api-key")] * 6
    )
    code, _, err = analyze(runner, small_papers, "--concurrency", "1")
    assert code == 5
    assert "refused the API key (HTTP 401: invalid x-api-key); set ANTHROPIC_API_KEY" in err
    assert len(message_requests(server)) == 1  # no retries, no further papers


def test_the_key_never_leaks(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    isolated_home: Path, tmp_path: Path,
) -> None:  # fmt: skip
    anthropic_api.enqueue(FakeAnthropic.error(500, "api_error", "boom"))
    report = tmp_path / "report.md"
    result = runner.invoke(
        app,
        ["analyze", "--papers", str(small_papers), "--provider", "anthropic", "--verbose",
         "-o", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    daily = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--verbose"]
    )
    assert daily.exit_code == 0, daily.stderr
    stored = b"".join(p.read_bytes() for p in isolated_home.glob("briefgen.sqlite3*"))
    for where in (result.stdout, result.stderr, daily.stdout, daily.stderr, report.read_text(),
                  stored.decode("utf-8", "replace")):  # fmt: skip
        assert SECRET_KEY not in where
        assert "NEVER-PRINT" not in where


def provider(server: FakeServer, waits: list[float], **kwargs: object) -> AnthropicProvider:
    return AnthropicProvider(
        api_key=SECRET_KEY,
        base_url=server.url,
        policy=RetryPolicy(attempts=4, wait=0.5, sleep=waits.append),
        **kwargs,  # type: ignore[arg-type]
    )


def complete(p: AnthropicProvider) -> str:
    return p.complete(
        model="claude-haiku-4-5", system="s", messages=[{"role": "user", "content": "Paper: X"}],
        schema=SCHEMA, max_tokens=1000,
    ).text  # fmt: skip


def test_429_honours_retry_after_and_529_500_back_off(
    server: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    anthropic_api.enqueue(
        FakeAnthropic.error(429, "rate_limit_error", "slow down", retry_after="7"),
        FakeAnthropic.error(529, "overloaded_error", "Overloaded"),
        FakeAnthropic.error(500, "api_error", "Internal error"),
    )
    waits: list[float] = []
    text = complete(provider(server, waits))
    assert json.loads(text)["domain"] == "LLM systems"
    assert len(server.hits("/v1/messages")) == 4  # the SDK's own retries are off
    assert waits[0] == 7.0  # the server's retry-after, not our backoff
    assert waits[1:] == [1.0, 2.0]  # then exponential backoff from 0.5 s


def test_a_server_that_stays_overloaded_is_an_upstream_error(
    server: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    anthropic_api.enqueue(*[FakeAnthropic.error(529, "overloaded_error", "Overloaded")] * 4)
    with pytest.raises(UpstreamError, match=r"answered HTTP 529 \(overloaded\) on all 4 attempts"):
        complete(provider(server, []))


def test_a_spend_limit_stops_the_run(server: FakeServer, anthropic_api: FakeAnthropic) -> None:
    anthropic_api.enqueue(
        FakeAnthropic.error(429, "rate_limit_error", "You have reached your spend limit")
    )
    with pytest.raises(ConfigError, match="stopped the run: You have reached your spend limit"):
        complete(provider(server, []))
    assert len(server.hits("/v1/messages")) == 1


def test_a_bad_request_fails_only_that_paper(
    server: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    anthropic_api.enqueue(FakeAnthropic.error(400, "invalid_request_error", "prompt too long"))
    with pytest.raises(AnalysisError, match="HTTP 400: prompt too long"):
        complete(provider(server, []))


def test_forced_tool_use_when_structured_outputs_are_off(
    server: FakeServer, anthropic_api: FakeAnthropic
) -> None:
    text = complete(provider(server, [], structured="tool"))
    body = message_requests(server)[0]
    assert body["tool_choice"] == {"type": "tool", "name": "record_analysis"}
    assert "output_config" not in body
    assert json.loads(text) == analysis_json("X")


def test_truncated_json_is_repaired_and_max_tokens_twice_fails_the_paper(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    anthropic_api.enqueue(
        FakeAnthropic.message('{"domain": "LLM sys'),  # truncated JSON: the first paper…
        anthropic_api.default,  # …is repaired on its second call
        FakeAnthropic.message("", stop_reason="max_tokens"),  # the second paper is cut off…
        FakeAnthropic.message("", stop_reason="max_tokens"),  # …even with twice the budget
    )
    code, out, err = analyze(runner, small_papers, "--concurrency", "1")
    assert code == 4
    bodies = message_requests(server)
    assert len(bodies) == 8  # 6 papers + 1 repair + 1 retry with a larger budget
    repair = bodies[1]["messages"]
    assert "does not match the required JSON schema" in repair[-1]["content"]  # type: ignore[index]
    assert [b["max_tokens"] for b in bodies[2:4]] == [4096, 8192]
    assert out.count("## 📄 ") == 5
    assert "Not analysed (failed)" in out and "cut off at the 8192-token limit" in out
    assert "1 paper failed and is missing from the report" in err


def test_usage_and_cost_are_recorded_per_call_and_per_run(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    isolated_home: Path,
) -> None:  # fmt: skip
    code, _, err = analyze(runner, small_papers)
    assert code == 0, err
    with Store.open(isolated_home) as store:
        (run,) = store.runs()
        calls = store.calls(run["id"])
    assert len(calls) == 7 and all(c["model"] == "claude-haiku-4-5" for c in calls)
    assert sorted(c["purpose"] for c in calls) == ["analysis"] * 6 + ["cache warm-up"]
    # What the run recorded is what the server billed, token for token.
    billed = anthropic_api.billed
    assert run["input_tokens"] == sum(b.input_tokens for b in billed)
    assert run["output_tokens"] == sum(b.output_tokens for b in billed)
    assert run["cache_read_tokens"] == sum(b.cache_read for b in billed) > 0
    assert run["cache_write_tokens"] == sum(b.cache_write for b in billed) > 0
    # Haiku at $1/$5 per million, cache writes at $1.25 and reads at $0.10.
    expected = (run["input_tokens"] * 1.0 + run["output_tokens"] * 5.0
                + run["cache_write_tokens"] * 1.25 + run["cache_read_tokens"] * 0.10) / 1e6
    assert run["cost_usd"] == pytest.approx(expected)
    assert f"cost ${expected:.4f}" in err


def test_daily_with_anthropic_names_the_model_and_passes_lint(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    from briefgen.render.lint import lint_markdown

    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--provider", "anthropic"])
    assert result.exit_code == 0, result.stderr
    assert lint_markdown(result.stdout) == []
    assert "engine: anthropic; models: claude-haiku-4-5" in result.stdout
    assert "The model's reading of SpecServe" in result.stdout


def test_your_own_prompts_are_sent_and_a_missing_one_is_exit_5(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    from briefgen.infra.prompts import bundled_prompts_dir

    mine = tmp_path / "prompts"
    mine.mkdir()  # only the prompt you change: the others come from the bundle
    (mine / "analyze_paper.system.md").write_text("You are a terse reviewer. Reply in JSON.")
    assert (bundled_prompts_dir() / "analyze_paper.md").exists()
    code, _, err = analyze(runner, small_papers, "--prompts", str(mine), "--max-papers", "1")
    assert code == 0, err
    system = message_requests(server)[0]["system"][0]["text"]  # type: ignore[index]
    # Your words, then the field contract (prompts/analyze_paper.fields.md), which every
    # analysis prompt carries: a prompt without the [[FIELDS]] marker gets it at its end.
    assert system.startswith("You are a terse reviewer. Reply in JSON.\n\nFields:\n- domain:")
    code, _, err = analyze(runner, small_papers, "--prompts", str(tmp_path / "nowhere"))
    assert code == 5 and "prompts folder not found" in err


def test_analyze_in_chinese_translates_the_analyses(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    code, out, err = analyze(runner, small_papers, "--lang", "zh")
    assert code == 0, err
    assert out.startswith("# 每日论文报告\n**日期**：2026-02-18")
    assert "2. **一句话核心贡献**：中文：The model's reading of SpecServe" in out
    assert "*   中文：2.1x faster decoding" in out  # numbers untouched
    kinds = [anthropic_api.kind(r.json()) for r in server.hits("/v1/messages")]
    assert kinds.count("translation") == 1 and kinds.count("analysis") == 6
    assert "8 calls" in err  # the translation (and the cache warm-up) counted with the run


def test_dry_run_estimates_tokens_and_cost_and_calls_nothing(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    analyze(runner, small_papers, "--max-papers", "2")  # two analyses already bought
    before = len(server.requests)
    result = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--dry-run",
              "--lang", "both"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(server.requests) == before  # nothing sent to the model
    out = result.stdout
    assert out.startswith("Dry run for 2026-02-18: nothing was sent to a model.")
    assert out.count("cached: no call") == 2 and out.count("would be analysed") == 4
    # 4 analyses and the warm-up call that writes their shared prompt to the cache
    assert "analysis    claude-haiku-4-5        5 calls" in out
    cached = re.search(r"~([\d,]+) written to the prompt cache \(1.25x\) and ~([\d,]+) read", out)
    assert cached is not None
    written, read = (int(n.replace(",", "")) for n in cached.groups())
    assert written >= 4096 and read == 4 * written  # written once, read by each analysis
    assert "synthesis   claude-sonnet-4-6" in out and "translation" in out
    total = next(line for line in out.splitlines() if line.startswith("total"))
    match = re.search(r"estimated \$([\d.]+); with --batch \$([\d.]+)", total)
    assert match is not None
    full, batch = float(match.group(1)), float(match.group(2))
    analysis = re.search(r"^analysis .* \$([\d.]+) \(with --batch \$([\d.]+)\)$", out, re.M)
    assert analysis is not None and full > 0
    # only the analyses go in the batch, at half price; synthesis and translation at full
    saved = float(analysis.group(1)) - float(analysis.group(2))
    assert batch == pytest.approx(full - saved, abs=0.0002)


def test_max_cost_stops_before_spending(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    code, out, err = analyze(runner, small_papers, "--max-cost", "0.0001")
    assert code == 5 and out == ""
    assert "above --max-cost $0.0001" in err and "nothing was spent" in err
    assert server.hits("/v1/messages") == []
    code, _, err = analyze(runner, small_papers, "--max-cost", "5")
    assert code == 0 and "within --max-cost $5.0000" in err


def test_a_service_that_fails_every_paper_is_one_line_and_exit_6(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    anthropic_api.enqueue(*[FakeAnthropic.error(529, "overloaded_error", "Overloaded")] * 24)
    code, out, err = analyze(runner, small_papers, "--concurrency", "1")
    assert code == 6 and out == ""
    assert (
        "every selected paper failed: 6 papers (2602.20001, …): the Anthropic API answered "
        "HTTP 529 (overloaded) on all 4 attempts; try again later" in err
    )
    assert err.count("on all 4 attempts") == 1  # said once, not once per paper

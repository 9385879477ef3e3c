"""`--batch`: the analyses as one Anthropic Message Batch, through the real SDK against a local
server; resumable; failed requests retried directly; same brief."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefgen.analyze.batch import BatchAnalyzer, custom_id
from briefgen.cli import app, options
from briefgen.core.settings import load_settings
from briefgen.engines.factory import make_engine
from briefgen.engines.providers.anthropic_provider import AnthropicProvider
from briefgen.infra.store import Store
from briefgen.pipeline.estimate import Estimate, render_estimate
from briefgen.read.abstract import abstract_text
from briefgen.render.lint import compare_structures, lint_markdown
from briefgen.select import select_papers
from briefgen.sources.local import load_papers_file
from tests.fakes import FakeAnthropic, FakeBatches, FakeServer


@pytest.fixture
def batches(
    server: FakeServer, anthropic_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> FakeBatches:
    fake = FakeBatches(anthropic_api, server.url)
    server.route("/v1/messages/batches", fake)
    monkeypatch.setenv("BRIEFGEN_MODEL__BATCH_POLL_SECONDS", "0")
    return fake


def kinds(server: FakeServer, anthropic_api: FakeAnthropic) -> list[str]:
    return [anthropic_api.kind(r.json()) for r in server.hits("/v1/messages")
            if not r.path.startswith("/v1/messages/batches")
            and anthropic_api.kind(r.json()) != "warm-up"]  # fmt: skip


def test_daily_with_batch_sends_one_batch_and_makes_the_same_brief(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, batches: FakeBatches,
    small_papers: Path, isolated_home: Path,
) -> None:  # fmt: skip
    result = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--batch"]
    )
    assert result.exit_code == 0, result.stderr
    created = [r for r in server.hits("/v1/messages/batches") if r.method == "POST"]
    assert len(created) == 1
    requests = created[0].json()["requests"]
    assert sorted(r["custom_id"] for r in requests) == sorted(
        custom_id(f"2602.2000{n}") for n in (1, 2, 3, 4, 5, 8)
    )
    params = requests[0]["params"]
    assert params["output_config"]["format"]["type"] == "json_schema"
    assert params["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert kinds(server, anthropic_api) == ["synthesis"]  # no direct analysis call
    assert "submitted Message Batch msgbatch_01 with 6 analyses" in result.stderr
    assert "Message Batch msgbatch_01: ended, 6 of 6 requests done" in result.stderr
    assert lint_markdown(result.stdout) == []
    with Store.open(isolated_home) as store:
        calls = [c for c in store.calls() if c["purpose"] == "analysis (batch)"]
    # Half price: Haiku's $1 in, $5 out, $1.25 cache writes and $0.10 reads, halved.
    assert len(calls) == 6
    for call in calls:
        full = (call["input_tokens"] * 1.0 + call["output_tokens"] * 5.0
                + call["cache_write_tokens"] * 1.25 + call["cache_read_tokens"] * 0.10) / 1e6
        assert call["cost_usd"] == pytest.approx(full / 2)
    direct = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--no-cache"]
    )
    assert compare_structures(direct.stdout, result.stdout) == []


def test_an_interrupted_batch_is_resumed_not_resubmitted(
    server: FakeServer, anthropic_api: FakeAnthropic, batches: FakeBatches, small_papers: Path,
    isolated_home: Path,
) -> None:  # fmt: skip
    settings = load_settings(overrides={"provider": "anthropic"})
    route = make_engine(settings).batches()
    assert route is not None and isinstance(route.provider, AnthropicProvider)
    papers = [p for p in load_papers_file(small_papers) if p.published.isoformat() == "2026-02-18"]
    selected = select_papers(papers, settings.active_profile).selected
    texts = {s.paper.id: abstract_text(s.paper) for s in selected}

    def ctrl_c(_: float) -> None:
        raise KeyboardInterrupt

    batches.polls = 3
    with Store.open(isolated_home) as store:
        with pytest.raises(KeyboardInterrupt):
            BatchAnalyzer(route, store, poll_seconds=5, sleep=ctrl_c)(selected, texts)
        results = BatchAnalyzer(route, store, poll_seconds=0)(selected, texts)
    assert batches.created == 1  # the second run polled the stored batch
    assert sorted(results) == sorted(s.paper.id for s in selected)
    assert all(not isinstance(r, Exception) for r in results.values())


def test_errored_and_expired_requests_are_retried_directly(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, batches: FakeBatches,
    small_papers: Path,
) -> None:  # fmt: skip
    batches.outcomes = {custom_id("2602.20001"): "errored", custom_id("2602.20002"): "expired"}
    result = runner.invoke(
        app, ["analyze", "--papers", str(small_papers), "--provider", "anthropic", "--batch"]
    )
    assert result.exit_code == 0, result.stderr
    assert kinds(server, anthropic_api) == ["analysis", "analysis"]
    assert "2602.20001: batch request errored: Internal server error; retrying it directly" in (
        result.stderr
    )
    assert result.stdout.count("## 📄 ") == 6


def test_batch_needs_anthropic(runner: CliRunner, small_papers: Path) -> None:
    result = runner.invoke(
        app, ["analyze", "--papers", str(small_papers), "--provider", "openai", "--batch"]
    )
    assert result.exit_code == 2 and "--batch needs --provider anthropic" in result.stderr


def test_dry_run_prices_the_batch(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, small_papers: Path
) -> None:
    result = runner.invoke(
        app, ["daily", "--papers", str(small_papers), "--provider", "anthropic", "--dry-run"]
    )
    assert "with --batch $" in result.stdout and server.requests == []


def dollars(text: str, pattern: str) -> float:
    found = re.search(pattern, text, re.M)
    assert found is not None, (pattern, text)
    return float(found.group(1))


def test_dry_run_prices_only_the_analyses_at_the_batch_price(
    runner: CliRunner, server: FakeServer, anthropic_api: FakeAnthropic, example_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Message Batch holds the per-paper analyses only (half price); synthesis and
    translation are direct calls at full price. The bundled example day, with and without
    --batch: the batch total is analyses/2 + synthesis + translation, exactly."""
    seen: list[Estimate] = []

    def spy(estimate: Estimate, *args: Any, **kwargs: Any) -> str:
        seen.append(estimate)
        return render_estimate(estimate, *args, **kwargs)

    monkeypatch.setattr(options, "render_estimate", spy)
    outs = []
    for extra in ([], ["--batch"]):
        args = ["daily", "--papers", str(example_papers), "--provider", "anthropic",
                "--lang", "both", "--dry-run", *extra]  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        outs.append(result.stdout)
    assert server.requests == []
    plain, batched = seen
    for estimate in seen:
        lines = {line.purpose: line for line in estimate.lines}
        assert list(lines) == ["analysis", "synthesis", "translation"]
        analysis, synthesis, translation = (
            lines[k].cost() for k in ("analysis", "synthesis", "translation"))  # fmt: skip
        assert analysis and synthesis and translation
        assert estimate.total() == analysis + synthesis + translation
        assert estimate.total(batch=True) == analysis / 2 + synthesis + translation
    assert batched.total(batch=True) == plain.total(batch=True)
    # what the two dry runs print, to the cent and a hundredth
    full, batch = plain.total(), plain.total(batch=True)
    assert dollars(outs[0], r"^total .*estimated \$([\d.]+);") == round(full, 4)
    assert dollars(outs[0], r"^total .*; with --batch \$([\d.]+)$") == round(batch, 4)
    assert dollars(outs[1], r"^total .*estimated \$([\d.]+) with --batch") == round(batch, 4)
    assert dollars(outs[1], r"^total .*without it \$([\d.]+)$") == round(full, 4)
    assert "synthesis and translation are direct calls at full price" in outs[1]
    for out in outs:
        assert re.search(r"^synthesis .* \(not batched\)$", out, re.M)
        assert re.search(r"^translation .* \(not batched\)$", out, re.M)
        assert re.search(r"^analysis .* \(with --batch \$[\d.]+\)$", out, re.M)
    assert batch > full / 2 + 0.05  # the old price (all of it halved) was a third too low

"""The OpenAI-compatible path against a local /v1/chat/completions server."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from tests.fakes import FakeOpenAI, FakeServer


def analyze(runner: CliRunner, papers: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["analyze", "--papers", str(papers), "--provider", "openai", *args])
    return result.exit_code, result.stdout, result.stderr


def test_qwen_long_through_an_openai_compatible_server(
    runner: CliRunner, server: FakeServer, openai_api: FakeOpenAI, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-test-secret")
    code, out, err = analyze(runner, small_papers, "--model", "qwen-long")
    assert code == 0, err
    requests = server.hits("/v1/chat/completions")
    assert len(requests) == 6
    body = requests[0].json()
    assert body["model"] == "qwen-long"
    assert body["response_format"]["type"] == "json_schema"
    assert body["messages"][0]["role"] == "system" and "<paper>" in body["messages"][1]["content"]
    assert requests[0].headers["authorization"] == "Bearer sk-openai-test-secret"
    assert out.count("## 📄 ") == 6 and "(qwen-long)" in out
    assert "openai qwen-long: 6 calls" in err
    assert "no price known for qwen-long" in err  # an unknown model's cost is not made up
    assert "sk-openai-test-secret" not in out + err


def test_a_server_without_json_schema_gets_json_mode(
    runner: CliRunner, server: FakeServer, openai_api: FakeOpenAI, small_papers: Path
) -> None:
    openai_api.enqueue(FakeOpenAI.error(400, "response_format json_schema is not supported"))
    code, out, err = analyze(runner, small_papers, "--model", "llama3", "--concurrency", "1")
    assert code == 0, err
    bodies = [r.json() for r in server.hits("/v1/chat/completions")]
    assert bodies[0]["response_format"]["type"] == "json_schema"
    assert all(b["response_format"] == {"type": "json_object"} for b in bodies[1:])
    assert "matching this JSON schema" in bodies[1]["messages"][0]["content"]
    assert len(bodies) == 7 and out.count("## 📄 ") == 6


def test_local_servers_need_no_key_but_a_401_names_it(
    runner: CliRunner, server: FakeServer, openai_api: FakeOpenAI, small_papers: Path
) -> None:
    openai_api.enqueue(FakeOpenAI.error(401, "Incorrect API key provided"))
    code, out, err = analyze(runner, small_papers, "--model", "gpt-4o-mini")
    assert code == 5
    assert "set OPENAI_API_KEY" in err and out == ""
    assert "authorization" not in server.hits("/v1/chat/completions")[0].headers


def test_invalid_json_is_repaired_and_5xx_retried(
    runner: CliRunner, server: FakeServer, openai_api: FakeOpenAI, small_papers: Path
) -> None:
    openai_api.enqueue(
        FakeOpenAI.error(503, "busy"),
        FakeOpenAI.completion("not json at all"),
    )
    code, out, err = analyze(runner, small_papers, "--model", "m", "--concurrency", "1")
    assert code == 0, err
    bodies = [r.json() for r in server.hits("/v1/chat/completions")]
    assert len(bodies) == 8  # 6 papers + one 503 retry + one repair
    repair = bodies[2]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "not json at all"}
    assert "does not match the required JSON schema" in repair[-1]["content"]
    assert out.count("## 📄 ") == 6

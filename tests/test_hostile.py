"""Issue 29: nothing in a paper, a planted file or a service's reply turns briefgen against its
user. Each hostile case of the issue, through the real CLI, real files and a real local server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Paper
from briefgen.infra.store import Store
from tests.conftest import REPO, SMALL
from tests.fakes import FakeServer, Reply, Request

EXAMPLE_EN = REPO / "examples" / "2026-06-17-brief.en.md"

HOSTILE_TITLE = (
    "Evil [/bold] [link=http://evil.example]click[/link] [red on red]hidden[/] :smile: a:b:c"
)


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    # A terminal wide enough that a table keeps each title on one line.
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.stderr


def hostile_papers(tmp_path: Path) -> Path:
    lines = SMALL.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first["title"] = HOSTILE_TITLE
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", "utf-8")
    return path


# 2. A paper title is text, not Rich markup ---------------------------------------------------


def test_papers_shows_a_markup_title_as_written(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, "papers", "--papers", hostile_papers(tmp_path))
    assert code == 0, err
    assert "internal error" not in err
    assert HOSTILE_TITLE in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


def test_star_list_shows_a_markup_title_as_written(runner: CliRunner, isolated_home: Path) -> None:
    paper = Paper(id="2602.20001", version="v1", title=HOSTILE_TITLE, authors=["A [b]B[/b]"],
                  abstract="x", categories=["cs.LG"], published=date(2026, 2, 18))  # fmt: skip
    with Store.open(isolated_home) as store:
        store.star([paper])
    code, out, err = run(runner, "star", "--list")
    assert code == 0, err
    assert HOSTILE_TITLE in out


def test_an_error_keeps_emoji_codes_as_written(runner: CliRunner) -> None:
    code, _, err = run(runner, "search", "a:b:c")
    assert code == 2
    assert "'a:b:c'" in err
    assert "🅱" not in err


# 3. Secrets redacted by value and by part ---------------------------------------------------

SECRET_SEGMENT = "5f3e9a71-secret-id"
SECRET_QUERY = "sig0123456789"


@pytest.mark.parametrize("kind", ["slack", "discord", "feishu", "webhook"])
def test_a_webhook_quoting_its_path_back_never_prints_the_secret(
    kind: str, runner: CliRunner, isolated_home: Path, server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def refuse(request: Request) -> Reply:
        # The path as the service saw it, and its last segment alone.
        said = f"no such hook {request.path} (id {request.path.rsplit('/', 1)[-1]})"
        if kind == "webhook":
            return Reply(400, said, "text/plain")
        key = {"slack": "error", "discord": "message", "feishu": "msg"}[kind]
        return Reply(400, json.dumps({key: said, "code": 19001}), "application/json")

    server.route("/", refuse)
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(f'[notify.hook]\nkind = "{kind}"\n', "utf-8")
    monkeypatch.setenv("BRIEFGEN_NOTIFY_HOOK_URL",
                       f"{server.url}/webhook/{SECRET_SEGMENT}?token={SECRET_QUERY}")
    code, out, err = run(runner, "send", EXAMPLE_EN, "--notify", "hook")
    assert code == 4, err  # the brief exists; its delivery failed
    assert "HTTP 400" in err and "no such hook" in err
    assert SECRET_SEGMENT not in out + err and SECRET_QUERY not in out + err


def test_a_password_in_an_endpoint_url_is_never_printed(
    runner: CliRunner, server: FakeServer, small_papers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/", lambda request: Reply(404, f"no such thing {request.path}", "text/plain"))
    endpoint = server.url.replace("http://", "http://reader:hunter2-password@") + "/v1"
    monkeypatch.setenv("BRIEFGEN_OPENAI_BASE_URL", endpoint)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-0123456789")
    code, out, err = run(runner, "daily", "--papers", small_papers, "--provider", "openai")
    assert code in (4, 5, 6), err
    assert "127.0.0.1" in err  # the endpoint is named ...
    assert "hunter2" not in out + err and "reader:" not in out + err  # ... its password not
    code, out, err = run(runner, "config", "show")
    assert code == 0, err
    assert 'openai_base_url = "http://[redacted]@127.0.0.1' in out
    assert "hunter2" not in out + err

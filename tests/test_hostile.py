"""Issue 29: nothing in a paper, a planted file or a service's reply turns briefgen against its
user. Each hostile case of the issue, through the real CLI, real files and a real local server."""

from __future__ import annotations

import json
import os
import pwd
import re
import sqlite3
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.models import Paper
from briefgen.infra.store import Store
from briefgen.outlets.notify.common import unlinked
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
    monkeypatch.setenv("BRIEFGEN_MODEL__OPENAI_BASE_URL", endpoint)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-0123456789")
    code, out, err = run(runner, "daily", "--papers", small_papers, "--provider", "openai")
    assert code in (4, 5, 6), err
    assert "127.0.0.1" in err  # the endpoint is named ...
    assert "hunter2" not in out + err and "reader:" not in out + err  # ... its password not
    code, out, err = run(runner, "config", "show")
    assert code == 0, err
    assert 'openai_base_url = "http://[redacted]@127.0.0.1' in out
    assert "hunter2" not in out + err


# 1. Files briefgen trusts are the user's -----------------------------------------------------

STRANGER = 54321  # a uid that is not the user's (the tests may run as root: chown works)


def plant_config(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(text, "utf-8")
    return path


def can_chown() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(not can_chown(), reason="planting another user's file needs root")
def test_a_config_planted_by_another_user_is_refused_and_no_key_leaves(
    runner: CliRunner, isolated_home: Path, server: FakeServer, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    config = plant_config(
        isolated_home, f'provider = "openai"\n[model]\nopenai_base_url = "{server.url}/v1"\n'
    )
    os.chown(config, STRANGER, STRANGER)
    monkeypatch.delenv("BRIEFGEN_MODEL__OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-victim-key-0123456789")
    code, _, err = run(runner, "daily", "--papers", small_papers)
    assert code == 5, err
    assert err.startswith(
        f"error: the config file {config} belongs to another user (uid {STRANGER})"
    )
    assert f"chown {pwd.getpwuid(os.getuid()).pw_name} {config}" in err
    assert err.count("\n") == 1
    assert server.requests == []  # the key went nowhere
    assert run(runner, "config", "show")[0] == 5


@pytest.mark.parametrize("mode", [0o664, 0o646])
def test_a_config_others_can_write_is_refused(
    mode: int, runner: CliRunner, isolated_home: Path
) -> None:
    config = plant_config(isolated_home, 'lang = "en"\n')
    config.chmod(mode)
    code, _, err = run(runner, "config", "show")
    assert code == 5
    assert f"the config file {config} is writable by" in err
    assert f"chmod go-w {config}" in err
    config.chmod(0o644)
    assert run(runner, "config", "show")[0] == 0


def test_a_world_writable_home_is_refused_unless_opted_in(
    runner: CliRunner, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_home.mkdir(parents=True)
    isolated_home.chmod(0o777)
    code, _, err = run(runner, "cache", "stats")
    assert code == 5
    assert f"the briefgen home {isolated_home} is writable by every user (mode 0777)" in err
    assert "BRIEFGEN_ALLOW_SHARED_HOME=1" in err
    assert not (isolated_home / "briefgen.sqlite3").exists()
    monkeypatch.setenv("BRIEFGEN_ALLOW_SHARED_HOME", "1")
    code, _, err = run(runner, "cache", "stats")
    assert code == 0, err


def test_a_planted_store_symlink_is_refused_and_its_target_untouched(
    runner: CliRunner, isolated_home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "my-other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE mine (x)")
    before = other.read_bytes()
    isolated_home.mkdir(parents=True)
    (isolated_home / "briefgen.sqlite3").symlink_to(other)
    code, _, err = run(runner, "cache", "stats")
    assert code == 5
    assert err == (f"error: the store {isolated_home / 'briefgen.sqlite3'} is a symbolic link "
                   f"(to {other}): briefgen writes only a file of its own there, never through "
                   f"a link; remove the link (`rm {isolated_home / 'briefgen.sqlite3'}`) or set "
                   "BRIEFGEN_HOME to a folder of your own\n")  # fmt: skip
    assert other.read_bytes() == before


def test_a_planted_journal_symlink_is_refused(
    runner: CliRunner, isolated_home: Path, tmp_path: Path
) -> None:
    assert run(runner, "cache", "stats")[0] == 0  # a store of the user's
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (isolated_home / "briefgen.sqlite3-wal").unlink(missing_ok=True)
    (isolated_home / "briefgen.sqlite3-wal").symlink_to(victim)
    code, _, err = run(runner, "cache", "stats")
    assert code == 5 and "briefgen.sqlite3-wal is a symbolic link" in err
    assert victim.read_text() == "keep me"


@pytest.mark.skipif(not can_chown(), reason="planting another user's file needs root")
def test_a_store_of_another_user_is_refused(runner: CliRunner, isolated_home: Path) -> None:
    assert run(runner, "cache", "stats")[0] == 0
    store = isolated_home / "briefgen.sqlite3"
    os.chown(store, STRANGER, STRANGER)
    code, _, err = run(runner, "cache", "stats")
    assert code == 5 and f"the store {store} belongs to another user (uid {STRANGER})" in err


def test_a_new_store_is_private(runner: CliRunner, isolated_home: Path) -> None:
    previous = os.umask(0o002)  # a umask that would make it group-writable
    try:
        assert run(runner, "cache", "stats")[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((isolated_home / "briefgen.sqlite3").stat().st_mode) == 0o600
    assert run(runner, "cache", "stats")[0] == 0  # and used again


def test_config_init_writes_a_config_briefgen_will_read(
    runner: CliRunner, isolated_home: Path
) -> None:
    previous = os.umask(0o002)
    try:
        assert run(runner, "config", "init")[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((isolated_home / "config.toml").stat().st_mode) == 0o644
    assert run(runner, "config", "show")[0] == 0


# 4. Output paths stay inside the output folder ----------------------------------------------


@pytest.mark.parametrize("pattern", ["../../x-{date}.{lang}.{ext}", "/tmp/x-{date}.{ext}",
                                     "{date", "{date.__class__}", "{date:>999999999}", "{0}"])
def test_a_file_name_pattern_that_leaves_the_folder_or_is_broken_is_a_config_error(
    pattern: str, runner: CliRunner, isolated_home: Path, tmp_path: Path, small_papers: Path
) -> None:
    plant_config(isolated_home, f"[output]\ndaily_filename = {json.dumps(pattern)}\n")
    out_dir = tmp_path / "site" / "out"
    code, _, err = run(runner, "daily", "--papers", small_papers, "--output-dir", out_dir)
    assert code == 5, err
    assert err.startswith("error: invalid settings") and "daily_filename: " in err
    assert err.count("\n") == 1 and "internal error" not in err
    assert not list(tmp_path.rglob("x-*")) and not out_dir.exists()


def test_a_sub_folder_in_the_pattern_is_fine(
    runner: CliRunner, isolated_home: Path, tmp_path: Path, small_papers: Path
) -> None:
    plant_config(isolated_home, '[output]\ndaily_filename = "posts/{date}.{lang}.{ext}"\n')
    code, _, err = run(runner, "daily", "--papers", small_papers, "--output-dir", tmp_path)
    assert code == 0, err
    assert (tmp_path / "posts" / "2026-02-18.en.md").is_file()


@pytest.mark.skipif(not can_chown(), reason="planting another user's link needs root")
def test_a_symlink_planted_in_a_shared_output_folder_is_not_written_through(
    runner: CliRunner, tmp_path: Path, small_papers: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("mine\n")
    link = shared / "2026-02-18-brief.en.md"
    link.symlink_to(victim)
    os.lchown(link, STRANGER, STRANGER)
    code, _, err = run(runner, "daily", "--papers", small_papers, "--output-dir", shared)
    assert code == 2, err
    assert f"{link} is a symbolic link another user (uid {STRANGER}) made" in err
    assert victim.read_text() == "mine\n"
    code, _, err = run(runner, "daily", "--papers", small_papers, "-o", link)  # by name too
    assert code == 2 and victim.read_text() == "mine\n"


def test_a_link_out_of_the_output_folder_is_not_followed_for_a_name_briefgen_made(
    runner: CliRunner, tmp_path: Path, small_papers: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    elsewhere = tmp_path / "notes.md"
    elsewhere.write_text("mine\n")
    (out_dir / "2026-02-18-brief.en.md").symlink_to(elsewhere)
    code, _, err = run(runner, "daily", "--papers", small_papers, "--output-dir", out_dir)
    assert code == 2, err
    assert f"outside the output folder {out_dir}" in err
    assert elsewhere.read_text() == "mine\n"


# 4. Bare URLs from paper or model text are not links in chat ----------------------------------

# What Slack, Telegram and Feishu turn into a link on their own: a URL, www.…, a bare domain.
CLICKABLE = re.compile(r"(?i)https?://|www\.[a-z0-9]|\b[a-z0-9-]+\.(?:com|example|org|io)\b")
BAIT = "Code at https://evil.example/x, mirror www.evil.com, docs evil.com."


def hostile_brief(tmp_path: Path) -> Path:
    text = EXAMPLE_EN.read_text("utf-8").replace(
        "(read this first)\n", f"(read this first)\n- **Tools**: {BAIT}\n", 1)
    assert BAIT in text
    path = tmp_path / "2026-06-17-brief.en.md"
    path.write_text(text, "utf-8")
    return path


def texts_of(payload: object) -> list[str]:
    """Every text a chat message shows (its links' targets are not text)."""
    if isinstance(payload, dict):
        if payload.get("tag") == "a":
            return []
        return [t for key, value in payload.items() if key not in ("href", "url")
                for t in texts_of(value)]  # fmt: skip
    if isinstance(payload, list):
        return [t for item in payload for t in texts_of(item)]
    return [payload] if isinstance(payload, str) else []


@pytest.mark.parametrize("kind", ["slack", "telegram", "feishu"])
def test_bare_urls_from_paper_text_are_not_links_in_chat(
    kind: str, runner: CliRunner, isolated_home: Path, server: FakeServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ok = {"slack": Reply(200, "ok", "text/plain"),
          "telegram": Reply(200, '{"ok": true}', "application/json"),
          "feishu": Reply(200, '{"code": 0}', "application/json")}[kind]  # fmt: skip
    server.route("/", lambda request: ok)
    extra = f'chat_id = "42"\napi_url = "{server.url}"\n' if kind == "telegram" else ""
    plant_config(isolated_home, f'[notify.team]\nkind = "{kind}"\n{extra}')
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TEAM_URL", f"{server.url}/hook/team-0123456789")
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TEAM_TOKEN", "123456:telegram-token-abcdef")
    code, _, err = run(runner, "send", hostile_brief(tmp_path), "--notify", "team")
    assert code == 0, err
    bodies = [request.json() for request in server.requests]
    shown = "\n".join(t for body in bodies for t in texts_of(body))
    if kind == "slack":  # mrkdwn: <url|label> is a link the brief made; text outside is text
        shown = re.sub(r"<https://arxiv\.org/abs/[^|>]+\|", "<", shown)
    elif kind == "telegram":  # HTML: <a href="…"> is a link the brief made
        shown = re.sub(r'<a href="https://arxiv\.org/abs/[^"]+">', "<a>", shown)
    assert "evil" in shown  # the text is there ...
    assert CLICKABLE.findall(shown) == []  # ... and nothing in it is a link
    # The papers' own links are still links.
    assert "https://arxiv.org/abs/2606.17682" in json.dumps(bodies)


def test_unlinking_a_long_hostile_word_takes_linear_time() -> None:
    for word in ("a-" * 100_000, "a." * 100_000, "ab1." * 50_000 + "!"):
        started = time.monotonic()
        unlinked(word)
        assert time.monotonic() - started < 0.5


# 5. Odd input is a one-line error; 6. bounded work ------------------------------------------


@pytest.mark.parametrize("args", [["kv\udcff cache"], ["--author", "\udcfe", "kv"],
                                  ["--similar", "2602.\udcff"]])
def test_a_search_with_invalid_utf8_is_a_usage_error(args: list[str], runner: CliRunner) -> None:
    code, _, err = run(runner, "search", *args)
    assert code == 2, err
    assert "is not valid UTF-8 text" in err and err.count("\n") == 1
    assert "internal error" not in err


def test_a_search_is_bounded_in_terms_and_length(runner: CliRunner) -> None:
    started = time.monotonic()
    code, _, err = run(runner, "search", " OR ".join(f"w{i}" for i in range(5000)))
    assert code == 2 and "a search takes at most 1,000" in err
    code, _, err = run(runner, "search", " ".join(f"w{i}" for i in range(65)))
    assert code == 2 and "the query has 65 terms; a search takes at most 64" in err
    code, _, err = run(runner, "search", " OR ".join(f"w{i}" for i in range(32)))
    assert code == 0, err  # 63 terms: answered
    assert time.monotonic() - started < 10


def test_a_newline_in_a_front_matter_title_is_a_space_not_an_internal_error(
    runner: CliRunner, isolated_home: Path, server: FakeServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    server.route("/", lambda request: Reply(200, "ok", "text/plain"))
    brief = tmp_path / "brief.md"
    brief.write_text('---\ntitle: "Brief\\nBcc: someone@example.com"\ndate: 2026-06-17\n---\n'
                     + EXAMPLE_EN.read_text("utf-8"), "utf-8")  # fmt: skip
    plant_config(isolated_home, '[notify.team]\nkind = "slack"\n[notify.me]\nkind = "email"\n'
                 'to = ["me@example.com"]\nfrom = "b@example.com"\nsmtp_host = "127.0.0.1"\n'
                 'smtp_port = 9\nsecurity = "none"\n')  # fmt: skip
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TEAM_URL", f"{server.url}/hook/team-0123456789")
    code, _, err = run(runner, "send", brief, "--notify", "team", "--notify", "me")
    assert code == 4, err  # the mail server is not there; nothing is an internal error
    assert "internal error" not in err and "'me' (email)" in err and err.count("error:") == 1
    header = server.requests[0].json()["blocks"][0]["text"]["text"]
    assert header.startswith("Brief Bcc: someone@example.com") and "\n" not in header


NOT_A_MESSAGE = {
    "an empty object": "{}", "a list": "[]", "a string": '"hi"', "a web page": "<html>hi</html>",
    "a message without content":
        '{"type": "message", "id": "m", "role": "assistant", "model": "m"}',
    "content as a string": '{"type": "message", "id": "m", "role": "assistant", "model": "m", '
        '"content": "hi", "stop_reason": "end_turn", '
        '"usage": {"input_tokens": 1, "output_tokens": 1}}',
}  # fmt: skip


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
@pytest.mark.parametrize("body", list(NOT_A_MESSAGE.values()), ids=list(NOT_A_MESSAGE))
def test_a_reply_that_is_not_a_message_is_an_upstream_error(
    provider: str, body: str, runner: CliRunner, server: FakeServer, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    server.route("/", lambda request: Reply(200, body, "application/json"))
    if provider == "anthropic":
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    else:
        monkeypatch.setenv("BRIEFGEN_MODEL__OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    code, _, err = run(runner, "daily", "--papers", small_papers, "--provider", provider)
    assert code == 6, err
    assert "internal error" not in err and err.count("error:") == 1


def test_a_library_entry_with_a_5_mb_latex_title_is_cut_with_a_warning(
    runner: CliRunner, isolated_home: Path, tmp_path: Path, small_papers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    title = " ".join([r"\alpha \textbf{x} \frac{a}{b}"] * 200_000)[:5_000_000]
    library = tmp_path / "lib.bib"
    evil = "@article{evil,\n  title = {" + title + "},\n  author = {A. Person}\n}\n"
    library.write_text(evil + "@article{ok, title = {Speculative decoding for LLM serving}}\n")
    plant_config(isolated_home, f'[profiles.default]\nlibrary = ["{library}"]\n')
    monkeypatch.setenv("BRIEFGEN_SELECTION__EMBEDDING_MODEL", "tfidf")
    started = time.monotonic()
    code, _, err = run(runner, "papers", "--papers", small_papers)
    assert code == 0, err
    assert time.monotonic() - started < 15  # it took 31-69 s (and 800-890 MB) uncut
    assert (f"warning: library {library}: entry bib:evil: title cut from 5,000,000 to 1,000 "
            "characters") in err  # fmt: skip


def test_no_escape_sequence_reaches_the_terminal_and_unstar_names_a_bad_id(
    runner: CliRunner,
) -> None:
    code, _, err = run(runner, "export", "\x1b]8;;http://evil.example\x1b\\x\x1b[31m")
    assert code == 2 and "\x1b" not in err and "\\x1b" in err
    code, _, err = run(runner, "unstar", "not-an-id")
    assert code == 2, err
    assert err == ("error: 'not-an-id' is not an arXiv id (2404.14469, arXiv:2404.14469v2, an "
                   "abs or pdf URL)\n")  # fmt: skip


def test_a_telegram_reply_quoting_the_token_prints_none_of_it(
    runner: CliRunner, isolated_home: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "123456789:AAH-secret-part-of-the-token"

    def refuse(request: Request) -> Reply:
        said = {"ok": False, "error_code": 400,
                "description": f"Bad Request: token {token.partition(':')[2]} ({request.path})"}
        return Reply(400, json.dumps(said), "application/json")

    server.route("/", refuse)
    plant_config(isolated_home, f'[notify.tg]\nkind = "telegram"\nchat_id = "42"\n'
                 f'api_url = "{server.url}"\n')  # fmt: skip
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TG_TOKEN", token)
    code, out, err = run(runner, "send", EXAMPLE_EN, "--notify", "tg")
    assert code == 4, err
    assert "Bad Request" in err
    assert "AAH-secret" not in out + err and "123456789:" not in out + err

"""Notifications against real local servers: an SMTP server (aiosmtpd, with STARTTLS and SSL
on a certificate the test makes) that receives and parses the message, and an HTTP server that
receives each chat service's format and checks it against that service's limits."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import re
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import ConfigError
from briefgen.core.notify_targets import EmailTarget, TelegramTarget
from briefgen.core.settings import Settings, load_settings
from briefgen.core.settings_toml import settings_to_toml
from briefgen.outlets.notify import discord, feishu, resolve_targets, slack, telegram
from briefgen.outlets.notify.common import (
    Block,
    Document,
    Span,
    parse_blocks,
    split_block,
    utf16_len,
)
from tests.conftest import EXAMPLE, REPO
from tests.fakes import FakeServer, Reply, Request

EXAMPLE_EN = REPO / "examples" / "2026-06-17-brief.en.md"
EXAMPLE_ZH = REPO / "examples" / "2026-06-17-brief.zh.md"
LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
SECRET_PATH = "T0SECRET/B0SECRET/never-print-this-webhook-path-42"
TOKEN = "123456:NEVER-PRINT-THIS-BOT-TOKEN-abcdef"
FEISHU_SECRET = "feishu-signing-secret-NEVER-PRINT"
SMTP_PASSWORD = "smtp-password-NEVER-PRINT-9"


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


# An SMTP server with a certificate of its own ----------------------------------------------


@dataclass
class Certificates:
    ca: Path
    cert: Path
    key: Path


# A test CA and the certificate it signed for 127.0.0.1 and localhost (ECDSA P-256, valid
# 2026-2126), made once with the `cryptography` package so that the tests need nothing but
# the standard library to serve TLS. Test material only: it protects nothing.
TEST_CA = """\
-----BEGIN CERTIFICATE-----
MIIBfDCCASKgAwIBAgIUHltGodcSSWviBvk/TfWskYMuJLEwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQYnJpZWZnZW4gdGVzdCBDQTAgFw0yNjAxMDEwMDAwMDBaGA8y
MTI2MDEwMTAwMDAwMFowGzEZMBcGA1UEAwwQYnJpZWZnZW4gdGVzdCBDQTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABJQVOfvPyiFzvV1paoFaDdcFz/u1zWzTWd4a
L9ooYA0l8KMeWCAvMytNF8EEP+z3DlSvPtL/kiqNSKrp5bBNC62jQjBAMA8GA1Ud
EwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgGGMB0GA1UdDgQWBBSowmmlju7WDlbw
2jfZZFoSJBS6nzAKBggqhkjOPQQDAgNIADBFAiEAi3G9Fupya0OF5a8pvBFEBi6F
Qz3/CI/5xzjf7JAkDvUCIEFP/XkkFmgIVHXf4bQG1Mr/NPudHVQh6ed/eGIly9Li
-----END CERTIFICATE-----
"""
TEST_CERT = """\
-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUWzskb3iBOtenn1bGpqEvvX84uAQwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQYnJpZWZnZW4gdGVzdCBDQTAgFw0yNjAxMDEwMDAwMDBaGA8y
MTI2MDEwMTAwMDAwMFowFDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0C
AQYIKoZIzj0DAQcDQgAEvHfNStScMWn+5mTWRDlOeV1SS7lwN+rni2JOTY4lPspw
5iBOqMafeNmQ3wbOMIGrzk0GiWWkxyGj84Er8Vq1WKNiMGAwGgYDVR0RBBMwEYIJ
bG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwEwYDVR0lBAwwCgYIKwYBBQUH
AwEwHwYDVR0jBBgwFoAUqMJppY7u1g5W8No32WRaEiQUup8wCgYIKoZIzj0EAwID
SAAwRQIhALPU8hKBXaM8OaameLSdx6brYCk+p0oHbjSnEIg9I1gSAiBhcoR64wV2
JILnPnrOIkIy1sDVY1KJPpBpVdcNafio/g==
-----END CERTIFICATE-----
"""
TEST_KEY = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCCyQaDfB9l/1Y2I5
hZyBT9vQds3ESyfKhlLoROhRK2ihRANCAAS8d81K1Jwxaf7mZNZEOU55XVJLuXA3
6ueLYk5NjiU+ynDmIE6oxp942ZDfBs4wgavOTQaJZaTHIaPzgSvxWrVY
-----END PRIVATE KEY-----
"""


def make_certificates(folder: Path) -> Certificates:
    paths = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths.ca.write_text(TEST_CA)
    paths.cert.write_text(TEST_CERT)
    paths.key.write_text(TEST_KEY)
    return paths


@dataclass
class Mailbox:
    """What the SMTP server received: each message's envelope and bytes, and the logins."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        self.tls.append(tls)
        return "250 OK"

    def authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str,
        auth_data: Any,
    ) -> AuthResult:  # fmt: skip
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("briefgen", SMTP_PASSWORD))

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for _, _, content in self.received:
            message = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return make_certificates(tmp_path)


def _server_context(certificates: Certificates) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert, certificates.key)
    return context


@pytest.fixture
def smtp_starttls(certificates: Certificates) -> Iterator[tuple[Mailbox, int]]:
    """STARTTLS required before anything else, and a login only over TLS."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, tls_context=_server_context(certificates),
        require_starttls=True, authenticator=mailbox.authenticate, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def smtp_ssl(certificates: Certificates) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port,
                            ssl_context=_server_context(certificates))  # fmt: skip
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def smtp_plain() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def email_target(
    name: str, port: int, security: str, ca: Path | None,
    to: str = '["reader@example.org", "读者@example.org"]', **more: str,
) -> str:  # fmt: skip
    lines = [
        f"[notify.{name}]", 'kind = "email"', f"to = {to}",
        'from = "briefgen@example.org"', 'smtp_host = "127.0.0.1"', f"smtp_port = {port}",
        f'security = "{security}"',
    ]  # fmt: skip
    if ca is not None:
        lines.append(f'ca_file = "{ca}"')
    lines += [f'{key} = "{value}"' for key, value in more.items()]
    return "\n".join(lines) + "\n"


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_daily_emails_the_brief_in_english_and_chinese_over_starttls(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    smtp_starttls: tuple[Mailbox, int], certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    mailbox, port = smtp_starttls
    login = {"username_env": "BRIEFGEN_SMTP_USER", "password_env": "BRIEFGEN_SMTP_PASSWORD"}
    write_config(isolated_home, email_target("me", port, "starttls", certificates.ca, **login)
                 + email_target("me-zh", port, "starttls", certificates.ca, lang="zh",
                                to='["reader@example.org"]', **login))
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "briefgen")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", SMTP_PASSWORD)
    out_dir = tmp_path / "out"
    code, out, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                         "--lang", "both", "--output-dir", out_dir,
                         "--notify", "me", "--notify", "me-zh")  # fmt: skip
    assert code == 0, err
    assert out == ""
    assert "sent the en brief to 'me' (email, 1 message)" in err
    assert "sent the zh brief to 'me-zh' (email, 1 message)" in err
    assert mailbox.tls == [True, True] and mailbox.logins == [("briefgen", SMTP_PASSWORD)] * 2
    english, chinese = mailbox.messages()
    for message, lang in ((english, "en"), (chinese, "zh")):
        written = (out_dir / f"2026-02-18-brief.{lang}.md").read_text(encoding="utf-8")
        assert message["From"] == "briefgen@example.org"
        assert message["To"] == ("reader@example.org" if lang == "zh"
                                 else "reader@example.org, 读者@example.org")  # fmt: skip
        assert message["Message-ID"] and message["Date"]
        assert message.get_content_type() == "multipart/alternative"
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
        assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
        assert plain.get_content().replace("\r\n", "\n") == written  # the brief, as written
        page = html.get_content()
        assert page.startswith("<!DOCTYPE html>")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
        for url in set(LINK.findall(written)):
            assert f'href="{url}"' in page  # the same brief's links
    assert english["Subject"] == "AI Paper Insight Brief — 2026-02-18"
    assert chinese["Subject"] == "AI 论文洞察简报 — 2026-02-18"
    # ASCII recipients: the Chinese subject travels RFC 2047-encoded; a recipient with a
    # Chinese address makes it an SMTPUTF8 message (the server offers it), UTF-8 as is.
    raw_zh = re.search(rb"^Subject: (.*(?:\r\n[ \t].*)*)", mailbox.received[1][2], re.M)
    assert raw_zh is not None and b"=?utf-8?b?" in raw_zh.group(1).lower()
    assert b"Subject: AI Paper Insight Brief \xe2\x80\x94 2026-02-18" in mailbox.received[0][2]
    zh_html = chinese.get_body(("html",))
    assert zh_html is not None and "执行要点" in zh_html.get_content()
    assert mailbox.received[0][1] == ["reader@example.org", "读者@example.org"]


def test_email_over_ssl_and_the_tls_failures_are_named(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    smtp_ssl: tuple[Mailbox, int], smtp_plain: tuple[Mailbox, int],
    certificates: Certificates,
) -> None:  # fmt: skip
    mailbox, port = smtp_ssl
    plain_box, plain_port = smtp_plain
    write_config(isolated_home,
                 email_target("tls", port, "ssl", certificates.ca)
                 + email_target("untrusted", port, "ssl", None)
                 + email_target("nostarttls", plain_port, "starttls", None)
                 + email_target("local", plain_port, "none", None))  # fmt: skip
    out_dir = tmp_path / "out"
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                       "--output-dir", out_dir, "--notify", "tls", "--notify", "untrusted",
                       "--notify", "nostarttls", "--notify", "local")  # fmt: skip
    assert code == 4, err
    assert (out_dir / "2026-02-18-brief.en.md").exists()  # the brief is written
    assert len(mailbox.received) == 1 and mailbox.tls == [True]
    assert len(plain_box.received) == 1  # security = "none": a local relay
    message = mailbox.messages()[0]
    assert message["Subject"] == "AI Paper Insight Brief — 2026-02-18"
    assert "delivery failed for 2 of 4 targets" in err
    assert "'untrusted' (email)" in err and "is not trusted" in err and "ca_file" in err
    assert "'nostarttls' (email)" in err and "does not offer STARTTLS" in err
    assert "--notify untrusted --notify nostarttls" in err


# Chat services on a local HTTP server ------------------------------------------------------


@dataclass
class Chat:
    server: FakeServer
    feishu_ok: bool = True

    def received(self, prefix: str) -> list[Request]:
        return [r for r in self.server.hits(prefix) if r.method == "POST"]


@pytest.fixture
def chat(server: FakeServer) -> Chat:
    fake = Chat(server)
    server.route("/slack/", lambda r: Reply(200, "ok", "text/plain"))
    server.route("/discord/", lambda r: Reply(204, b"", "application/json"))
    server.route("/feishu/", lambda r: Reply(200, json.dumps(
        {"code": 0, "msg": "success"} if _feishu_signed(r) else
        {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}),
        "application/json"))  # fmt: skip
    server.route(f"/bot{TOKEN}/sendMessage", lambda r: Reply(
        200, json.dumps({"ok": True, "result": {"message_id": 1}}), "application/json"))
    server.route("/hook/", lambda r: Reply(200, "{}", "application/json"))
    return fake


def _feishu_signed(request: Request) -> bool:
    body = request.json()
    key = f"{body.get('timestamp')}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return bool(body.get("sign")) and hmac.compare_digest(body["sign"], expected)


def chat_config(url: str, *, fmt: str = "full", lang: str | None = None) -> str:
    extra = f'format = "{fmt}"\n' + (f'lang = "{lang}"\n' if lang else "")
    return (
        f'[output]\nfeed_base_url = "https://blog.example/briefs/"\n'
        f'[notify.team]\nkind = "slack"\nurl_env = "BRIEFGEN_SLACK_URL"\n{extra}'
        f'[notify.discord]\nkind = "discord"\n{extra}'
        f'[notify.lark]\nkind = "feishu"\nurl_env = "BRIEFGEN_FEISHU_URL"\n'
        f'secret_env = "BRIEFGEN_FEISHU_SECRET"\n{extra}'
        f'[notify.tg]\nkind = "telegram"\nchat_id = -1001234\napi_url = "{url}"\n{extra}'
        f'[notify.hook]\nkind = "webhook"\n{extra}'
    )


@pytest.fixture
def chat_env(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> Chat:
    url = chat.server.url
    monkeypatch.setenv("BRIEFGEN_SLACK_URL", f"{url}/slack/{SECRET_PATH}")
    monkeypatch.setenv("BRIEFGEN_NOTIFY_DISCORD_URL", f"{url}/discord/{SECRET_PATH}")
    monkeypatch.setenv("BRIEFGEN_FEISHU_URL", f"{url}/feishu/{SECRET_PATH}")
    monkeypatch.setenv("BRIEFGEN_FEISHU_SECRET", FEISHU_SECRET)
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TG_TOKEN", TOKEN)
    monkeypatch.setenv("BRIEFGEN_NOTIFY_HOOK_URL", f"{url}/hook/{SECRET_PATH}")
    return chat


ALL = ("--notify", "team", "--notify", "discord", "--notify", "lark", "--notify", "tg",
       "--notify", "hook")  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.open.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def links_in_order(texts: list[str], pattern: str) -> list[str]:
    return [url for text in texts for url in re.findall(pattern, text)]


def check_slack(requests: list[Request]) -> list[str]:
    texts = []
    for request in requests:
        body = request.json()
        assert len(body["blocks"]) <= slack.MAX_BLOCKS == 50
        assert utf16_len(body["text"]) <= 40_000
        header, *sections = body["blocks"]
        assert header["type"] == "header" and len(header["text"]["text"]) <= 150
        for block in sections:
            assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
            assert utf16_len(block["text"]["text"]) <= 3000
        assert sum(utf16_len(b["text"]["text"]) for b in sections) <= slack.MESSAGE_TEXT
        texts += [b["text"]["text"] for b in sections]
    return links_in_order(texts, r"<(https?://[^|>]+)\|")


def check_discord(requests: list[Request]) -> list[str]:
    texts = []
    for request in requests:
        body = request.json()
        assert body["allowed_mentions"] == {"parse": []}
        assert 1 <= len(body["embeds"]) <= 10 and len(body.get("content", "")) <= 2000
        total = 0
        for embed in body["embeds"]:
            assert utf16_len(embed["description"]) <= 4096
            assert utf16_len(embed.get("title", "")) <= 256
            total += utf16_len(embed["description"]) + utf16_len(embed.get("title", ""))
        assert total <= 6000
        texts += [e["description"] for e in body["embeds"]]
    return links_in_order(texts, r"\]\((https?://[^)\s]+)\)")


def check_feishu(requests: list[Request], lang: str) -> list[str]:
    urls = []
    for request in requests:
        assert len(request.body) <= feishu.BODY_BYTES <= 20 * 1024
        assert _feishu_signed(request)
        body = request.json()
        assert body["msg_type"] == "post"
        post = body["content"]["post"]
        assert list(post) == ["zh_cn" if lang == "zh" else "en_us"]
        for paragraph in post[next(iter(post))]["content"]:
            for element in paragraph:
                assert element["tag"] in ("text", "a")
                if element["tag"] == "a":
                    urls.append(element["href"])
    return urls


def check_telegram(requests: list[Request]) -> list[str]:
    urls = []
    for request in requests:
        body = request.json()
        assert body["parse_mode"] == "HTML" and body["chat_id"] == "-1001234"
        assert 1 <= utf16_len(body["text"]) <= 4096
        tags = _Tags()
        tags.feed(body["text"])
        tags.close()
        assert tags.tags <= {"b", "a"} and tags.open == []
        urls += tags.hrefs
    return urls


def test_a_long_brief_is_split_within_each_services_limits_in_order(
    runner: CliRunner, isolated_home: Path, chat_env: Chat, tmp_path: Path
) -> None:
    write_config(isolated_home, chat_config(chat_env.server.url))
    brief = EXAMPLE_EN.read_text(encoding="utf-8")  # 30 papers, about 29,000 characters
    links = LINK.findall(brief)
    code, out, err = run(runner, "send", EXAMPLE_EN, *ALL)
    assert code == 0, err
    assert out == ""
    slack_posts = chat_env.received("/slack/")
    discord_posts = chat_env.received("/discord/")
    feishu_posts = chat_env.received("/feishu/")
    telegram_posts = chat_env.received(f"/bot{TOKEN}/")
    assert len(slack_posts) >= 3 and len(discord_posts) >= 5 and len(telegram_posts) >= 7
    assert len(feishu_posts) >= 2
    # Every link of the brief arrives, whole, in the brief's order.
    assert check_slack(slack_posts) == links
    assert check_discord(discord_posts) == links
    assert check_feishu(feishu_posts, "en") == links
    assert check_telegram(telegram_posts) == links
    hook = chat_env.received("/hook/")
    assert len(hook) == 1 and hook[0].json()["markdown"] == brief
    titles = [r.json()["text"] for r in slack_posts]
    assert titles[0] == f"AI Paper Insight Brief — 2026-06-17 (1/{len(titles)})"
    assert f"team' (slack, {len(slack_posts)} messages)" in err


def test_chinese_brief_and_summary_with_a_link(
    runner: CliRunner, isolated_home: Path, chat_env: Chat
) -> None:
    write_config(isolated_home, chat_config(chat_env.server.url, fmt="summary"))
    brief = EXAMPLE_ZH.read_text(encoding="utf-8")
    code, _, err = run(runner, "send", EXAMPLE_ZH, *ALL)
    assert code == 0, err
    link = "https://blog.example/briefs/2026-06-17-brief.zh.html"
    top = LINK.findall(brief.split("### 4)")[1].split("### 5)")[0])
    top5 = list(dict.fromkeys(top))[:5]
    for prefix in ("/slack/", "/discord/", "/feishu/", f"/bot{TOKEN}/"):
        assert len(chat_env.received(prefix)) == 1, prefix  # a summary fits one message
    assert check_slack(chat_env.received("/slack/")) == [*top5, link]
    assert check_discord(chat_env.received("/discord/")) == [*top5, link]
    assert check_feishu(chat_env.received("/feishu/"), "zh") == [*top5, link]
    assert check_telegram(chat_env.received(f"/bot{TOKEN}/")) == [*top5, link]
    lark = chat_env.received("/feishu/")[0].json()["content"]["post"]["zh_cn"]
    assert lark["title"] == "AI 论文洞察简报 — 2026-06-17"
    text = json.dumps(lark, ensure_ascii=False)
    assert "执行要点" in text and "阅读完整简报" in text and "论文速览" not in text
    hook = chat_env.received("/hook/")[0].json()
    assert hook["format"] == "summary" and hook["link"] == link


def test_cjk_text_without_spaces_is_cut_between_characters_never_inside_a_link() -> None:
    long = "长" * 5000 + "🙂" * 300
    block = Block("item", (Span("前言：", bold=True), Span(long),
                           Span("链接标题", href="https://arxiv.org/abs/2606.17682"),
                           Span("结尾" * 100)))  # fmt: skip
    doc = Document("daily", "2026-06-17", "zh", "AI 论文洞察简报 — 2026-06-17",
                   "## x\n\n- **前言：**" + long + "[链接标题](https://arxiv.org/abs/2606.17682)"
                   + "结尾" * 100 + "\n", "<p></p>")  # fmt: skip
    parts = split_block(block, lambda b: utf16_len(telegram.render(b)) <= 1000)
    assert "".join(b.plain for b in parts) == block.plain  # nothing lost, nothing cut
    assert sum(1 for b in parts for s in b.spans if s.href) == 1
    for sender in (slack.messages(doc), discord.messages(doc), telegram.messages(doc, "1"),
                   feishu.messages(doc)):  # fmt: skip
        text = json.dumps(sender, ensure_ascii=False)
        assert text.count("https://arxiv.org/abs/2606.17682") == 1
        assert "\ufffd" not in text
    for message in telegram.messages(doc, "1"):
        assert utf16_len(message["text"]) <= 4096
    assert parse_blocks("- a [t](https://x.org) b\n")[0].spans[1].href == "https://x.org"


def test_blocks_keep_list_numbers_nesting_empty_items_and_table_rows_but_not_the_header() -> None:
    markdown = (
        "3. a\n4.\n5. b\n\n   more\n\n   - x\n\n     y\n---\n"
        "| # | Title | Link |\n|---|---|---|\n| 1 | **x** | [l](https://a.b) |\n| | c | |\n"
    )
    shown = [(b.kind, b.plain, b.depth, b.number) for b in parse_blocks(markdown)]
    assert shown == [
        ("item", "a", 0, 3),
        ("item", "", 0, 4),  # an empty item keeps its number
        ("item", "b", 0, 5),
        ("text", "more", 1, None),  # a loose item's second paragraph is text under it
        ("item", "x", 1, None),
        ("text", "y", 2, None),
        ("rule", "", 0, None),
        ("item", "x — l", 0, 1),  # the header row is not an item; the number cell is its number
        ("item", "c", 0, None),
    ]


# Failures, resending, secrets --------------------------------------------------------------


def test_a_failed_target_is_named_the_brief_written_and_a_resend_reaches_only_it(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    chat_env: Chat, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    server = chat_env.server
    broken = {"on": True}

    def flaky(request: Request) -> Reply:
        if broken["on"]:
            return Reply(500, "oops", "text/plain")
        return Reply(200, "ok", "text/plain")

    server.route("/broken/", flaky)
    write_config(isolated_home, chat_config(server.url)
                 + '[notify.down]\nkind = "slack"\n'
                 + '[notify.refused]\nkind = "discord"\n')  # fmt: skip
    monkeypatch.setenv("BRIEFGEN_NOTIFY_DOWN_URL", f"{server.url}/broken/{SECRET_PATH}")
    monkeypatch.setenv("BRIEFGEN_NOTIFY_REFUSED_URL", f"http://127.0.0.1:9/{SECRET_PATH}")
    out_dir = tmp_path / "out"
    code, out, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                         "--output-dir", out_dir, "--notify", "team", "--notify", "down",
                         "--notify", "refused")  # fmt: skip
    assert code == 4, err
    assert (out_dir / "2026-02-18-brief.en.md").exists()
    assert "delivery failed for 2 of 3 targets" in err
    assert "'down' (slack): Slack target 'down' answered HTTP 500" in err
    assert "'refused' (discord): Discord target 'refused' refused the connection" in err
    assert "briefgen send 2026-02-18 --notify down --notify refused" in err
    assert len(server.hits("/broken/")) == 4  # http_retries attempts
    assert len(chat_env.received("/slack/")) == 1

    # The service is back; a second send reaches only what failed (team already has it).
    broken["on"] = False
    monkeypatch.setenv("BRIEFGEN_NOTIFY_REFUSED_URL", f"{server.url}/discord/{SECRET_PATH}")
    code, _, err = run(runner, "send", "2026-02-18", "--notify", "team", "--notify", "down",
                       "--notify", "refused")  # fmt: skip
    assert code == 0, err
    assert "'team' (slack) already has this brief" in err
    assert len(chat_env.received("/slack/")) == 1  # not sent again
    assert len(server.hits("/broken/")) == 5 and len(chat_env.received("/discord/")) >= 1
    code, _, err = run(runner, "send", "2026-02-18", "--notify", "team", "--force")
    assert code == 0 and len(chat_env.received("/slack/")) == 2

    # Nothing of any secret anywhere: output, errors, the store, the files.
    secrets = [SECRET_PATH, TOKEN, FEISHU_SECRET, "/broken/", "/discord/T0"]
    everything = out + err + "".join(p.read_text() for p in out_dir.iterdir())
    stored = b"".join(p.read_bytes() for p in isolated_home.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret not in everything and secret.encode() not in stored
    assert b"delivery" in stored  # the deliveries are recorded there


def test_retry_after_is_honoured(
    runner: CliRunner, isolated_home: Path, chat_env: Chat
) -> None:
    chat_env.server.fail_next("/slack/", 429)
    original = chat_env.server.handle

    def with_retry_after(request: Request) -> Reply:
        reply = original(request)
        if reply.status == 429:
            reply.headers["Retry-After"] = "1"
        return reply

    chat_env.server.handle = with_retry_after  # type: ignore[method-assign]
    write_config(isolated_home, chat_config(chat_env.server.url, fmt="summary"))
    code, _, err = run(runner, "send", EXAMPLE_EN, "--notify", "team")
    assert code == 0, err
    first, second = chat_env.server.hits("/slack/")
    assert second.at - first.at >= 0.95  # waited as asked, not the test's 0 s backoff
    assert "answered HTTP 429" in err and "retrying in 1 s" in err


def test_webhook_url_never_leaks_through_the_whole_flow(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    chat_env: Chat,
) -> None:  # fmt: skip
    write_config(isolated_home, chat_config(chat_env.server.url))
    out_dir = tmp_path / "out"
    code, out, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                         "--lang", "both", "--output-dir", out_dir, "-v", *ALL)  # fmt: skip
    assert code == 0, err
    code2, shown, err2 = run(runner, "config", "show")
    assert code2 == 0, err2
    assert 'url_env = "BRIEFGEN_SLACK_URL"' in shown
    files = "".join(p.read_text(encoding="utf-8") for p in out_dir.iterdir())
    stored = b"".join(p.read_bytes() for p in isolated_home.rglob("*") if p.is_file())
    for secret in (SECRET_PATH, TOKEN, FEISHU_SECRET, chat_env.server.url + "/slack"):
        assert secret not in out + err + shown + err2 + files
        assert secret.encode() not in stored


# Configuration ------------------------------------------------------------------------------


def test_notify_targets_round_trip_through_the_config(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(chat_config("http://127.0.0.1:1") + email_target("me", 587, "starttls",
                      tmp_path / "ca.pem", username_env="U_VAR", password_env="P_VAR"))  # fmt: skip
    settings = load_settings(config, env={})
    telegram, mail = settings.notify["tg"], settings.notify["me"]
    assert isinstance(telegram, TelegramTarget) and telegram.chat_id == "-1001234"
    assert isinstance(mail, EmailTarget) and mail.sender == "briefgen@example.org"
    again = tmp_path / "again.toml"
    again.write_text(settings_to_toml(settings))
    assert load_settings(again, env={}).notify == settings.notify
    assert Settings().notify == {}  # the default config has none


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[notify.x]\nkind = "slack"\nto = ["a@b"]', "to is not a setting of a slack target"),
        ('[notify.x]\nkind = "email"\nto = ["a@b"]', "an email target needs from, smtp_host"),
        ('[notify.x]\nkind = "telegram"', "a telegram target needs chat_id"),
        ('[notify.x]\nkind = "sms"', "notify.x.kind: Input should be 'email'"),
        ('[notify.x]\nkind = "slack"\nurl = "https://hooks.slack.com/x"',
         "notify.x.url: unknown notify target setting"),
    ],
)  # fmt: skip
def test_bad_targets_are_named(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(config, env={})


def test_a_missing_secret_or_target_fails_before_any_work(
    runner: CliRunner, small_papers: Path, isolated_home: Path
) -> None:
    write_config(isolated_home, '[notify.team]\nkind = "slack"\n')
    code, out, err = run(runner, "daily", "--papers", small_papers, "--notify", "team")
    assert code == 5 and out == ""
    assert "BRIEFGEN_NOTIFY_TEAM_URL" in err and "not set" in err
    code, _, err = run(runner, "daily", "--papers", small_papers, "--notify", "taem")
    assert code == 2 and "did you mean 'team'" in err
    code, _, err = run(runner, "send", "2026-02-18", "--notify", "team")
    assert code == 5
    assert not (isolated_home / "briefgen.sqlite3").exists() or "analys" not in err


def test_send_needs_a_stored_brief_or_a_file(runner: CliRunner, isolated_home: Path,
                                             chat_env: Chat) -> None:  # fmt: skip
    write_config(isolated_home, chat_config(chat_env.server.url))
    code, _, err = run(runner, "send", "2026-02-19", "--notify", "team")
    assert code == 2 and "no stored daily brief for 2026-02-19" in err
    code, _, err = run(runner, "send", "yesterday", "--notify", "team")
    assert code == 2 and "neither a brief file" in err
    assert EXAMPLE.exists()


def test_sending_the_written_file_is_sending_the_stored_brief(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path, chat_env: Chat
) -> None:
    write_config(isolated_home, chat_config(chat_env.server.url))
    out_dir = tmp_path / "posts"
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                       "--front-matter", "--output-dir", out_dir, "--notify", "team")  # fmt: skip
    assert code == 0, err
    sent = len(chat_env.received("/slack/"))
    code, _, err = run(runner, "send", out_dir / "2026-02-18-brief.en.md", "--notify", "team")
    assert code == 0, err
    assert "'team' (slack) already has this brief" in err  # the same content: not sent twice
    assert len(chat_env.received("/slack/")) == sent


def test_the_automation_examples_send_by_email_and_chat_holding_no_secret() -> None:
    workflow = (REPO / "examples" / "github-actions-briefgen.yml").read_text()
    cron = (REPO / "examples" / "crontab.txt").read_text()
    for name in ("BRIEFGEN_SMTP_USER", "BRIEFGEN_SMTP_PASSWORD", "BRIEFGEN_NOTIFY_TEAM_URL"):
        assert f"{name}: ${{{{ secrets.{name} }}}}" in workflow
        assert f"export {name}=" in cron
    for text in (workflow, cron):
        assert "--notify me --notify team" in text and "briefgen send" in text
        assert 'kind = "email"' in text and 'kind = "slack"' in text
        assert not re.search(r"hooks\.slack\.com/services/[A-Z0-9]", text)  # no real URL


# What a target's settings can tell before any work, and SMTP failures by their cause --------


@pytest.mark.parametrize(
    ("url", "said"),
    [("http://[::1:bad/T0SECRET", "is not a valid URL"),
     ("hooks.slack.example/services/T0SECRET", "needs https:// and a host")],
)  # fmt: skip
def test_a_malformed_target_url_is_a_config_error_before_any_work(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch, url: str, said: str,
) -> None:  # fmt: skip
    write_config(isolated_home, '[notify.team]\nkind = "slack"\nurl_env = "BRIEFGEN_SLACK_URL"\n')
    monkeypatch.setenv("BRIEFGEN_SLACK_URL", url)
    out_dir = tmp_path / "out"
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                       "--output-dir", out_dir, "--notify", "team")  # fmt: skip
    assert code == 5, err
    assert not out_dir.exists()  # nothing was worked on, nothing retried
    assert err.splitlines() == [line for line in err.splitlines() if line.startswith("error:")]
    assert "notify target 'team' (slack): the URL in BRIEFGEN_SLACK_URL" in err and said in err
    assert "T0SECRET" not in err


def test_a_password_is_not_sent_in_clear_to_another_host_unless_allowed(
    tmp_path: Path,
) -> None:
    login = {"username_env": "BRIEFGEN_SMTP_USER", "password_env": "BRIEFGEN_SMTP_PASSWORD"}
    env = {"BRIEFGEN_SMTP_USER": "me", "BRIEFGEN_SMTP_PASSWORD": SMTP_PASSWORD}
    remote = email_target("mail", 25, "none", None, **login).replace(
        'smtp_host = "127.0.0.1"', 'smtp_host = "mail.example.org"')
    for text, allowed in ((remote, False), (remote + "allow_plaintext_auth = true\n", True)):
        path = tmp_path / f"{allowed}.toml"
        path.write_text(text, encoding="utf-8")
        settings = load_settings(path)
        if allowed:
            assert [t.name for t in resolve_targets(settings, ["mail"], env)] == ["mail"]
        else:
            with pytest.raises(ConfigError, match=r"unencrypted to mail\.example\.org") as caught:
                resolve_targets(settings, ["mail"], env)
            assert SMTP_PASSWORD not in str(caught.value)


def test_smtp_failures_name_their_cause_within_seconds(
    runner: CliRunner, small_papers: Path, tmp_path: Path, isolated_home: Path,
    smtp_ssl: tuple[Mailbox, int], smtp_plain: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """STARTTLS against a port that speaks TLS from the start, and a login to a server that
    offers none, each end at once with what to change; the message keeps its language."""
    _, ssl_port = smtp_ssl
    plain_box, plain_port = smtp_plain
    login = {"username_env": "BRIEFGEN_SMTP_USER", "password_env": "BRIEFGEN_SMTP_PASSWORD"}
    write_config(isolated_home, email_target("implicit", ssl_port, "starttls", None)
                 + email_target("noauth", plain_port, "none", None, **login)
                 + email_target("relay", plain_port, "none", None, lang="zh"))  # fmt: skip
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", "me")  # a user name is no secret: not redacted
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("BRIEFGEN_NETWORK__HTTP_TIMEOUT_SECONDS", "1")
    started = time.monotonic()
    code, _, err = run(runner, "daily", "--papers", small_papers, "--date", "2026-02-18",
                       "--lang", "both", "--output-dir", tmp_path / "out", "--notify", "implicit",
                       "--notify", "noauth", "--notify", "relay")  # fmt: skip
    assert code == 4, err
    assert time.monotonic() - started < 10  # one greeting wait, no retries
    assert f"127.0.0.1:{ssl_port} accepted the connection but sent no SMTP greeting within " \
        '1 s; if this port takes TLS from the start (usually 465), set security = "ssl"' in err
    assert "offers no login (SMTP AUTH) on this connection; remove username_env" in err
    assert "does not offer STARTTLS" not in err and SMTP_PASSWORD not in err
    (message,) = plain_box.messages()
    assert message["Content-Language"] == "zh-CN"


def test_a_resend_sends_only_the_parts_a_target_did_not_get(
    runner: CliRunner, isolated_home: Path, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = chat.server
    bodies: list[bytes] = []

    def second_fails_once(request: Request) -> Reply:
        bodies.append(request.body)
        if len(bodies) == 2:
            return Reply(400, "invalid_blocks", "text/plain")
        return Reply(200, "ok", "text/plain")

    server.route("/parts/", second_fails_once)
    write_config(isolated_home, '[notify.team]\nkind = "slack"\n')
    monkeypatch.setenv("BRIEFGEN_NOTIFY_TEAM_URL", f"{server.url}/parts/{SECRET_PATH}")
    code, _, err = run(runner, "send", EXAMPLE_EN, "--notify", "team")
    assert code == 4, err
    assert len(bodies) == 2
    code, _, err = run(runner, "send", EXAMPLE_EN, "--notify", "team")
    assert code == 0, err
    again = bodies[2:]
    assert again[0] == bodies[1]  # part 2, the one that failed, is sent again first
    assert bodies[0] not in again  # part 1 arrived the first time and is not posted twice
    titles = [json.loads(body)["text"] for body in [bodies[0], *again]]
    assert titles[0].endswith(f"(1/{len(titles)})") and titles[-1].endswith(
        f"({len(titles)}/{len(titles)})")

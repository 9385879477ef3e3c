"""Sending a brief to the targets named on the command line, and remembering what went.

A target is checked before any work (it exists; the variables holding its secrets are set),
so a typo fails in a second, not after a run. Each target is then tried on its own: one that
fails does not stop the others, and its failure is named (target, kind, reason — never a URL
or a token). What was delivered is recorded in the store (kind "delivery", keyed by target,
brief, language and a hash of exactly what was sent), so sending again skips a target that
already has that very content: a retry resends only what failed.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

import briefgen.outlets.notify.discord as discord
import briefgen.outlets.notify.email as email
import briefgen.outlets.notify.feishu as feishu
import briefgen.outlets.notify.slack as slack
import briefgen.outlets.notify.telegram as telegram
import briefgen.outlets.notify.webhook as webhook
from briefgen.core.errors import BriefgenError, ConfigError, UsageError
from briefgen.core.notify_targets import ChatTarget, EmailTarget, NotifyTarget
from briefgen.core.settings import Settings
from briefgen.infra.net import RetryPolicy, http_client
from briefgen.infra.secrets import redact_known, register_secret, register_secret_url
from briefgen.infra.store import Store
from briefgen.outlets.notify.common import Document, Poster

DELIVERY = "delivery"  # the store's cache kind
logger = logging.getLogger(__name__)
KIND_NAMES = {"email": "email", "slack": "Slack", "discord": "Discord", "feishu": "Feishu",
              "telegram": "Telegram", "webhook": "webhook"}  # fmt: skip
ROLES = {"url": "the webhook URL", "token": "the bot token", "secret": "the signing secret",
         "username": "the SMTP user name", "password": "the SMTP password"}  # fmt: skip


@dataclass(frozen=True)
class Target:
    name: str
    config: NotifyTarget
    secrets: dict[str, str]  # role -> value, read from the environment

    @property
    def service(self) -> str:
        return f"{KIND_NAMES[self.config.kind]} target '{self.name}'"


@dataclass(frozen=True)
class Outcome:
    target: str
    kind: str
    status: Literal["sent", "skipped", "failed"]
    lang: str
    messages: int = 0
    reason: str = ""

    def describe(self) -> str:
        return f"'{self.target}' ({self.kind}): {self.reason}"


def resolve_targets(
    settings: Settings, names: list[str], env: Mapping[str, str] | None = None
) -> list[Target]:
    """The targets `names` call for, with their secrets: a usage error for a name the config
    does not define, a configuration error for a variable that is not set (named, never its
    value)."""
    env = os.environ if env is None else env
    targets = []
    for name in dict.fromkeys(names):
        config = settings.notify.get(name)
        if config is None:
            defined = sorted(settings.notify)
            close = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
            guess = f"; did you mean {close[0]!r}?" if close else ""
            where = (f"defined: {', '.join(defined)}" if defined
                     else "none is defined")  # fmt: skip
            raise UsageError(
                f"--notify {name}: no [notify.{name}] target in {settings.store.config_path} "
                f"({where}){guess}"
            )
        secrets = {}
        for role, variable in config.variables(name).items():
            value = env.get(variable, "").strip()
            if not value:
                raise ConfigError(
                    f"notify target '{name}' ({config.kind}) reads {ROLES[role]} from the "
                    f"environment variable {variable}, which is not set (secrets are never "
                    "read from the config file)"
                )
            secrets[role] = value
            if role != "username":  # a user name is no secret, and may be a common word
                register_secret(value)
            if role == "url":  # its path, segments and query too: a service may quote them
                register_secret_url(value)
        if isinstance(config, ChatTarget):
            _check_url(name, config.kind, config.url_env or "the URL variable", secrets["url"])
        if config.kind == "telegram":
            _check_url(name, config.kind, "api_url", config.api_url)
        if config.kind == "email":
            _check_plaintext_login(name, config, "password" in secrets)
        if config.kind == "telegram":
            register_secret(f"bot{secrets['token']}")
            # 123456:ABC…: the part after the bot's id is the secret a reply may quote alone.
            register_secret(secrets["token"].partition(":")[2])
        targets.append(Target(name, config, secrets))
    return targets


def _check_url(name: str, kind: str, where: str, url: str) -> None:
    """A target's URL, checked before any work: a malformed one is a configuration error
    (exit 5), never a delivery to retry. Its text is never shown (it may hold the secret)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ConfigError(
            f"notify target '{name}' ({kind}): the URL in {where} is not a valid URL "
            f"({str(exc).split(':')[0].lower()}); copy it again from the service"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"notify target '{name}' ({kind}): the URL in {where} needs https:// and a host "
            f"(it starts with {parts.scheme + '://' if parts.scheme else 'no scheme'}); copy "
            "the whole URL from the service"
        )


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _check_plaintext_login(name: str, config: EmailTarget, logs_in: bool) -> None:
    """A password is never sent in clear to another machine unless the config says so."""
    if (logs_in and config.security == "none" and config.smtp_host not in _LOCAL_HOSTS
            and not config.allow_plaintext_auth):  # fmt: skip
        raise ConfigError(
            f"notify target '{name}' (email): security = \"none\" would send the SMTP password "
            f"unencrypted to {config.smtp_host}; use security = \"starttls\" or \"ssl\", or set "
            "allow_plaintext_auth = true if the network between you is trusted"
        )


DELIVERED_PARTS = "delivery-parts"  # the store's cache kind: parts of a document sent so far


class Parts:
    """The parts of one document a target has received, kept in the store as each arrives,
    so that a resend after a failure midway sends only the rest."""

    def __init__(self, store: Store, key: str, sent: set[str] | None = None) -> None:
        self.store, self.key = store, key
        if sent is None:
            earlier = store.get_cached(DELIVERED_PARTS, key)
            sent = set(json.loads(earlier)) if earlier else set()
        self.sent = sent

    def add(self, part: str) -> None:
        self.sent.add(part)
        self.store.put_cached(DELIVERED_PARTS, self.key, json.dumps(sorted(self.sent)))


def delivery_key(target: Target, doc: Document) -> str:
    fmt = "summary" if doc.summary else "full"
    return f"{target.name}|{doc.kind}:{doc.label}|{doc.lang}|{fmt}|{doc.content_hash[:20]}"


def _send(
    target: Target, doc: Document, settings: Settings, policy: RetryPolicy, parts: Parts
) -> int:
    config, secrets = target.config, target.secrets
    if config.kind == "email":
        login = (secrets["username"], secrets["password"]) if "username" in secrets else None
        return email.send(doc, config, policy, target.service, login,
                          settings.network.http_timeout_seconds)  # fmt: skip
    with http_client(settings.network.http_timeout_seconds, settings.sources.contact) as client:
        poster = Poster(client, policy, target.service, list(secrets.values()),
                        sent=parts.sent, on_sent=parts.add)  # fmt: skip
        if config.kind == "slack":
            return slack.send(doc, poster, secrets["url"])
        if config.kind == "discord":
            return discord.send(doc, poster, secrets["url"])
        if config.kind == "feishu":
            return feishu.send(doc, poster, secrets["url"], secrets.get("secret"))
        if config.kind == "telegram":
            return telegram.send(doc, poster, config.api_url, secrets["token"], config.chat_id)
        return webhook.send(doc, poster, secrets["url"])


def deliver(
    targets: list[Target],
    document: Callable[[NotifyTarget], Document],
    settings: Settings,
    store: Store,
    *,
    force: bool = False,
) -> list[Outcome]:
    """Send to each target the document it asks for (`document(target)`: its language, and
    the summary when its format says so); skip one that already has exactly that content
    unless `force`."""
    outcomes = []
    for target in targets:
        kind = target.config.kind
        try:
            doc = document(target.config)
            if target.config.format == "summary":
                doc = doc.summarised()
        except BriefgenError as exc:
            outcomes.append(Outcome(target.name, kind, "failed", "", reason=str(exc)))
            continue
        key = delivery_key(target, doc)
        earlier = store.get_cached(DELIVERY, key)
        if earlier is not None and not force:
            when = json.loads(earlier).get("sent_at", "")
            outcomes.append(Outcome(target.name, kind, "skipped", doc.lang,
                                    reason=f"already sent this brief ({when})"))  # fmt: skip
            logger.info(f"notify: '{target.name}' ({kind}) already has this brief "
                        f"({doc.lang}, sent {when}); --force sends it again")  # fmt: skip
            continue
        policy = RetryPolicy.for_web_service(settings.network)
        parts = Parts(store, key, set() if force else None)
        try:
            count = _send(target, doc, settings, policy, parts)
        except (BriefgenError, OSError) as exc:
            said = str(exc) if isinstance(exc, BriefgenError) else f"{type(exc).__name__}: {exc}"
            # A user name is no secret and may be a common word ('me' is in 'username').
            hidden = [v for role, v in target.secrets.items() if role != "username"]
            reason = redact_known(said, hidden)
            outcomes.append(Outcome(target.name, kind, "failed", doc.lang, reason=reason))
            continue
        record = {"target": target.name, "kind": kind, "brief": doc.label, "lang": doc.lang,
                  "format": "summary" if doc.summary else "full", "messages": count,
                  "sent_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
        store.put_cached(DELIVERY, key, json.dumps(record))
        outcomes.append(Outcome(target.name, kind, "sent", doc.lang, messages=count))
        logger.info(f"notify: sent the {doc.lang} brief to '{target.name}' ({kind}, "
                    f"{count} message{'s' if count != 1 else ''})")  # fmt: skip
    return outcomes


def failure_message(outcomes: list[Outcome], resend: str) -> str | None:
    """One line naming every failed delivery and how to send again; None if none failed."""
    failed = [o for o in outcomes if o.status == "failed"]
    if not failed:
        return None
    names = " ".join(f"--notify {o.target}" for o in failed)
    return (
        f"delivery failed for {len(failed)} of {len(outcomes)} target"
        f"{'s' if len(outcomes) != 1 else ''}: " + "; ".join(o.describe() for o in failed)
        + f" — the brief is written; send it again with `briefgen send {resend} {names}`"
    )

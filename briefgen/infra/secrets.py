"""Keeping API keys out of everything briefgen and its libraries print.

Keys are read from the environment only and handed to the SDK; briefgen never logs or stores
them. As a second line of defence, every log record (briefgen's, the Anthropic SDK's with
ANTHROPIC_LOG=debug, httpx's) has any key value replaced before it is formatted.

A secret URL (a webhook) is a secret by its parts too: a service that refuses a message may
quote its own path back ("no such hook /webhook/5f3e…"), so each path segment that is not a
plain word, the query and its values, and a user name and password are registered with it.
A user name and password written into any URL ("https://me:pw@proxy/v1") are taken out of
every text briefgen prints, whoever's URL it is.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

SECRET_SUFFIXES = ("_API_KEY", "_AUTH_TOKEN", "_TOKEN", "_SECRET")
REDACTED = "[redacted]"
_installed = False
# Secrets read from variables whose names say nothing (a webhook URL in BRIEFGEN_SLACK_URL, a
# password in whatever variable the config names): registered when they are read.
_registered: set[str] = set()


# "scheme://user:password@": the user information of a URL in any text.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s\"'<>]+@")
# A path segment that is a plain word ("services", "webhooks", "open-apis", "v2") names the
# service, not the secret: it stays. A segment with a digit, or a long one, is the secret.
_PLAIN_SEGMENT = re.compile(r"^[A-Za-z._~-]{1,12}$")
_MIN_PART = 6


def register_secret(value: str) -> None:
    """Treat `value` as a secret from now on: every log record made afterwards has it
    replaced, like the values of *_API_KEY variables (a value under 8 characters is no key
    and is left alone, or it would blank ordinary words)."""
    if len(value) >= 8:
        _registered.add(value)


def url_secret_parts(url: str) -> list[str]:
    """What of a secret URL must never be printed: the URL, its path and query, each path
    segment that is not a plain word, each query value, the user name and password; each as
    written and percent-decoded, JSON-escaped slashes too ("\\/webhook\\/…")."""
    try:
        parts = urlsplit(url.strip())
        username, password = parts.username, parts.password
    except ValueError:
        return [url]
    found = {url.strip()}
    if parts.path.strip("/"):
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
        found.add(parts.path)
    found |= {
        segment for segment in parts.path.split("/")
        if len(segment) >= _MIN_PART and not _PLAIN_SEGMENT.match(segment)
    }  # fmt: skip
    if parts.query:
        found.add(parts.query)
        found |= {value for _, value in parse_qsl(parts.query) if len(value) >= _MIN_PART}
    if password:
        found |= {f"{username}:{password}", password}
    if username and password is None and len(username) >= _MIN_PART:
        found.add(username)  # a token written as the user name (https://TOKEN@host)
    found |= {unquote(part) for part in found} | {part.replace("/", "\\/") for part in found}
    return sorted((part for part in found if len(part) >= _MIN_PART), key=len, reverse=True)


def register_secret_url(url: str) -> list[str]:
    """Register a secret URL and its parts (see url_secret_parts); returns them."""
    parts = url_secret_parts(url)
    _registered.update(parts)
    return parts


def without_userinfo(text: str) -> str:
    """Any URL's "user:password@" in `text` replaced ("https://[redacted]@host/…")."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if k.upper().endswith(SECRET_SUFFIXES) and len(v) >= 8}
    return sorted(values | _registered, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` (longest first) and any URL's user information replaced."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return without_userinfo(text)


def redact_known(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every secret briefgen knows of (keys in the environment, registered
    secrets and their parts) and `extra` replaced: the last step before anything is printed."""
    return redact(text, [*secret_values(), *extra])


def install_log_redaction() -> None:
    """Redact key values from every log record made from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad log call: left for the handler to report (handleError)
            return record
        cleaned = redact(message, secret_values())
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)

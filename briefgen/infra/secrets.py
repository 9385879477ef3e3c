"""Keeping API keys out of everything briefgen and its libraries print.

Keys are read from the environment only and handed to the SDK; briefgen never logs or stores
them. As a second line of defence, every log record (briefgen's, the Anthropic SDK's with
ANTHROPIC_LOG=debug, httpx's) has any key value replaced before it is formatted.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

SECRET_SUFFIXES = ("_API_KEY", "_AUTH_TOKEN", "_TOKEN", "_SECRET")
REDACTED = "[redacted]"
_installed = False
# Secrets read from variables whose names say nothing (a webhook URL in BRIEFGEN_SLACK_URL, a
# password in whatever variable the config names): registered when they are read.
_registered: set[str] = set()


def register_secret(value: str) -> None:
    """Treat `value` as a secret from now on: every log record made afterwards has it
    replaced, like the values of *_API_KEY variables (a value under 8 characters is no key
    and is left alone, or it would blank ordinary words)."""
    if len(value) >= 8:
        _registered.add(value)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if k.upper().endswith(SECRET_SUFFIXES) and len(v) >= 8}
    return sorted(values | _registered, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def install_log_redaction() -> None:
    """Redact key values from every log record made from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        secrets = secret_values()
        if secrets:
            message = record.getMessage()
            cleaned = redact(message, secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)

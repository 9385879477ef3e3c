"""Typed errors. The CLI turns each into one clear line on stderr and its exit code
(docs/reference/exit-codes.md)."""

from __future__ import annotations

import re

from pydantic import ValidationError

# What pydantic puts around a validator's own message: "Value error, " before it, and in
# str(ValidationError) a "[type=…, input_value=…]" tail and a line sending you to its website.
_PYDANTIC_PREFIX = re.compile(r"\b(?:Value error|Assertion failed), ")
_PYDANTIC_TAIL = re.compile(r" \[type=[^\]]*\]")
_PYDANTIC_URL = re.compile(r"\s*For further information visit https://errors\.pydantic\.dev/\S*")


def without_pydantic_noise(message: str) -> str:
    """A message with pydantic's wrapping taken out ('Value error, ', '[type=…]', its URL)."""
    message = _PYDANTIC_URL.sub("", message)
    message = _PYDANTIC_TAIL.sub("", message)
    return _PYDANTIC_PREFIX.sub("", message)


def describe_validation(exc: ValidationError) -> list[str]:
    """pydantic's errors as 'field.path: message' lines, without its 'Value error, ' noise."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = without_pydantic_noise(error["msg"])
        lines.append(f"{where}: {message}" if where else message)
    return lines


class BriefgenError(Exception):
    """An expected failure with a message meant for the user."""

    exit_code = 1


class UsageError(BriefgenError):
    """The command line asked for something impossible (a bad date, a bad option value)."""

    exit_code = 2


class InputError(UsageError):
    """An input file is missing or malformed; the message names the file (and line)."""


class OutputError(UsageError):
    """The output cannot be written where the command line says (a folder, a read-only place,
    a full disk); the message names the path. Exit 2 like any usage error: the fix is another
    path (or free space), not a bug report (1), the config (5) or a remote service (6)."""


class NoPapersError(BriefgenError):
    """Nothing to brief for that date; the message says why (weekend, holiday, filters)."""

    exit_code = 3


class PartialError(BriefgenError):
    """Some papers failed; the brief was written and names them."""

    exit_code = 4


class ConfigError(BriefgenError):
    """The configuration or credentials are wrong; the message names the file or variable."""

    exit_code = 5


class UpstreamError(BriefgenError):
    """A remote service stayed unreachable after retries; the message names the service."""

    exit_code = 6


class AnalysisError(BriefgenError):
    """One paper could not be analysed (a refused request, a reply that failed validation
    twice). The run goes on without it and ends partial (exit 4)."""

    exit_code = 4


class ParseError(UpstreamError, ValueError):
    """A service's answer (a feed, a page, a JSON list) that cannot be read. Exit 6, like any
    upstream fault; a ValueError too, for callers that treat it as bad data."""

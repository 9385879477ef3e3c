"""Writing documents: atomically, so a reader (a blog build, a cron job) never sees half a file
and an interrupted run leaves the previous file intact."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from briefgen.core.errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}; choose a writable path") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

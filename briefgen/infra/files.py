"""Writing documents: atomically, so a reader (a blog build, a cron job) never sees half a file
and an interrupted run leaves the previous file intact.

The file a reader sees has the mode a web server expects: a new file gets what the umask gives
any newly created file (0644 under the usual 022), a file that exists keeps the mode it has (a
`chmod 664` survives a rerun), and a symlink stays a link: the file it points to is replaced.

A link is written through only when it is the user's own (a link another user planted in a
shared folder would turn the write onto a file of the user's they never named), and, for the
files briefgen names itself in an output folder, only when it points inside that folder.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from pathlib import Path

from briefgen.core.errors import OutputError

_UMASK_LOCK = threading.Lock()


def _proc_umask() -> int | None:
    """The umask as Linux (4.7+) reports it in /proc/self/status, without changing it."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        return None
    return None


def current_umask() -> int:
    """The process's umask, read at each write: a caller (a test, a wrapper script) may set
    it after import, so it is not read once at import time.

    POSIX has no call that only reads the umask: os.umask sets it and returns the old value,
    and the umask is shared by every thread of the process. So /proc is asked first, which
    changes nothing; elsewhere the set-and-restore is done under a lock (two writers here never
    restore each other's temporary value), and the temporary value is the strict 0o077, so a
    file another thread creates in that instant is at worst private, never too open."""
    mask = _proc_umask()
    if mask is not None:
        return mask
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else None


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _target(path: Path, within: Path | None = None) -> Path:
    """Where the bytes go: the file a symlink points to (through any chain of links), so that
    the link stays a link; the path itself otherwise. A link of another user's, or one leading
    out of `within`, is refused."""
    if not path.is_symlink():
        if within is not None and not _inside(path, within):
            raise OutputError(f"cannot write {path}: it is outside the output folder {within}")
        return path
    uid = _uid()
    link = path
    for _ in range(40):  # the kernel's own limit on a chain of links
        if not link.is_symlink():
            break
        owner = os.lstat(link).st_uid
        if uid is not None and owner not in (uid, 0):
            raise OutputError(
                f"cannot write {path}: {link} is a symbolic link another user (uid {owner}) "
                f"made, to {os.readlink(link)}; briefgen does not write through it: remove it, "
                "or write somewhere only you can"
            )
        link = link.parent / os.readlink(link)
    real = Path(os.path.realpath(path))
    if within is not None and not _inside(real, within):
        raise OutputError(
            f"cannot write {path}: it is a symbolic link to {real}, outside the output folder "
            f"{within}; briefgen writes only inside it: remove the link, or choose another folder"
        )
    return real


def _mode_for(target: Path) -> int:
    """The mode the written file gets: the one it has, or the one a new file gets."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def cannot_write(path: Path, exc: OSError) -> OutputError:
    """One line for a file that cannot be written: what the system said, and what to do."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.EISDIR:
        return OutputError(f"cannot write {path}: it is a directory, not a file")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return OutputError(f"cannot write {path}: {reason}; free some space or choose another path")
    return OutputError(f"cannot write {path}: {reason}; choose a writable path")


def write_atomic(path: Path, text: str, *, within: Path | None = None) -> None:
    """Write `text` to `path` atomically; `within`: the output folder a name briefgen made
    must stay in (a link leading out of it is refused)."""
    path = _target(path.expanduser(), within)
    if path.is_dir():
        raise cannot_write(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        # In the same folder as the file, so that os.replace is a rename within one file system.
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            # mkstemp makes the file 0600; it gets its final mode before it becomes visible.
            os.fchmod(out.fileno(), mode)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

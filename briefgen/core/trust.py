"""Files briefgen trusts are the user's, as ssh treats its own.

The config file decides where keys are sent (openai_base_url) and the store is written on
every run, so another user who can plant or edit either can turn briefgen against its user.
The config and the store are used only when owned by the user (or root) and not writable by
group or others; the store is never a symbolic link (SQLite would write into whatever file it
points to); and a BRIEFGEN_HOME that everyone can write to, or that another user owns, is
refused unless the user says they trust everyone on the machine (BRIEFGEN_ALLOW_SHARED_HOME=1).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from briefgen.core.errors import ConfigError

SHARED_HOME_OPT_IN = "BRIEFGEN_ALLOW_SHARED_HOME"


def _uid() -> int | None:
    """The user's id; None where there are no Unix owners (Windows)."""
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else None


def _user_name(uid: int) -> str:
    """The user's login name, for a `chown` to copy; the number where it has none."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _trusted_owner(owner: int, uid: int) -> bool:
    return owner in (uid, 0)


def shared_home_allowed(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get(SHARED_HOME_OPT_IN, "").strip().lower() in ("1", "true", "yes")


def check_home(home: Path, env: Mapping[str, str] | None = None) -> None:
    """Refuse a briefgen home another user can plant files in (unless opted in)."""
    uid = _uid()
    if uid is None or shared_home_allowed(env):
        return
    try:
        info = os.stat(home)
    except OSError:
        return  # not made yet: briefgen makes it, the user's
    opt_in = (f"or, if you trust every user of this machine, set {SHARED_HOME_OPT_IN}=1 "
              "(the config and the store in it must still be yours)")  # fmt: skip
    if info.st_mode & stat.S_IWOTH:
        raise ConfigError(
            f"the briefgen home {home} is writable by every user (mode "
            f"{stat.S_IMODE(info.st_mode):04o}): another user could plant a config or a store "
            f"there; set BRIEFGEN_HOME to a folder of your own, run `chmod o-w {home}`, {opt_in}"
        )
    if not _trusted_owner(info.st_uid, uid):
        raise ConfigError(
            f"the briefgen home {home} belongs to another user (uid {info.st_uid}): they could "
            f"plant a config or a store there; set BRIEFGEN_HOME to a folder of your own, "
            f"{opt_in}"
        )


def check_config_file(path: Path) -> None:
    """Refuse a config file another user owns or can write to (it is read through a link:
    the file it points to is checked)."""
    uid = _uid()
    if uid is None:
        return
    try:
        info = os.stat(path)
    except OSError:
        return  # missing or unreadable: reading it says so
    if not stat.S_ISREG(info.st_mode):
        return  # /dev/stdin, a pipe: what the user passed on purpose
    _check_owned(path, info, uid, "config file",
                 "anyone who can write it can send your API keys to their server")  # fmt: skip


def check_store_file(path: Path) -> None:
    """Refuse a store (or its journal) that is a symbolic link, not a file, or another user's
    or writable by group or others."""
    uid = _uid()
    if uid is None:
        return
    try:
        info = os.lstat(path)
    except OSError:
        return  # none yet: briefgen makes it, private
    if stat.S_ISLNK(info.st_mode):
        raise ConfigError(
            f"the store {path} is a symbolic link (to {os.readlink(path)}): briefgen writes "
            f"only a file of its own there, never through a link; remove the link (`rm {path}`) "
            "or set BRIEFGEN_HOME to a folder of your own"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(
            f"the store {path} is not a file; remove it or set BRIEFGEN_HOME to a folder of "
            "your own"
        )
    _check_owned(path, info, uid, "store",
                 "anyone who can write it can change what briefgen reads and sends")  # fmt: skip


def _check_owned(path: Path, info: os.stat_result, uid: int, what: str, why: str) -> None:
    if not _trusted_owner(info.st_uid, uid):
        raise ConfigError(
            f"the {what} {path} belongs to another user (uid {info.st_uid}) and is not used: "
            f"{why}; check who put it there, then remove it, or take it over "
            f"(`chown {_user_name(uid)} {path}`)"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(
            f"the {what} {path} is writable by "
            f"{'others' if info.st_mode & stat.S_IWOTH else 'its group'} (mode "
            f"{stat.S_IMODE(info.st_mode):04o}) and is not used: {why}; run "
            f"`chmod go-w {path}`"
        )

"""Prompts are data: markdown templates with {named} placeholders, loaded and filled here only.

A template's version is a hash of its text, so editing a prompt invalidates exactly the cached
results that depended on it.
"""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

from briefgen.core.errors import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the briefgen package


def bundled_prompts_dir() -> Path:
    """Installed wheels carry the prompts inside the package; a source checkout (or an
    editable install) has them at the repository root."""
    for candidate in (_PACKAGE_DIR / "prompts", _PACKAGE_DIR.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise ConfigError(
        f"the bundled prompts are missing (looked in {_PACKAGE_DIR / 'prompts'} and "
        f"{_PACKAGE_DIR.parent / 'prompts'}); reinstall briefgen or pass --prompts DIR"
    )


def load_template(name: str, prompts_dir: Path | None = None) -> str:
    """`NAME.md` from the user's prompts folder when it has one, else the bundled one; so a
    folder with only the prompts you changed is enough."""
    if prompts_dir is not None and not prompts_dir.is_dir():
        raise ConfigError(
            f"prompts folder not found: {prompts_dir} (copy {bundled_prompts_dir()} and edit it)"
        )
    candidates = [prompts_dir / f"{name}.md"] if prompts_dir is not None else []
    candidates.append(bundled_prompts_dir() / f"{name}.md")
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise ConfigError(f"prompt {name!r} not found: {candidates[-1]} does not exist")


def template_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def fill(text: str, **values: str) -> str:
    """Fill {name} placeholders; a missing or unexpected value is an error, not a blank."""
    wanted = placeholders(text)
    if wanted != set(values):
        raise ConfigError(
            f"prompt placeholders {sorted(wanted)} do not match the values {sorted(values)}"
        )
    return text.format(**values)

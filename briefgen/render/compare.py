"""An English and a Chinese brief of the same date must have the same structure: compared as
files, the way `briefgen lint en.md zh.md` checks them."""

from __future__ import annotations

from pathlib import Path

from briefgen.render.lint import brief_language, compare_structures, front_matter_fields


def compare_files(files: list[Path]) -> list[str]:
    """'EN vs ZH: difference' for each difference between the English and the Chinese brief
    of one date among `files` (JSON briefs carry both languages and are not compared)."""
    by_key: dict[tuple[str, str], Path] = {}
    for path in files:
        if path.suffix.lower() != ".json":
            text = path.read_text(encoding="utf-8")
            lang = brief_language(text)
            # what the brief covers: its date heading, or (a blog page) its translation key
            day = front_matter_fields(text).get("translationKey", "")
            if not day and "\n## " in text:
                day = text.split("\n## ", 1)[1].split("\n", 1)[0]
            if lang:
                by_key[(day, lang)] = path
    differences: list[str] = []
    for (day, lang), english in sorted(by_key.items()):
        chinese = by_key.get((day, "zh"))
        if lang != "en" or chinese is None:
            continue
        problems = compare_structures(
            english.read_text(encoding="utf-8"), chinese.read_text(encoding="utf-8")
        )
        differences += [f"{english} vs {chinese}: {problem}" for problem in problems]
    return differences

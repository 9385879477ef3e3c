"""What a brief is called: its kind (a day or a roundup), its title in each language, and the
key that ties its English and Chinese pages together."""

from __future__ import annotations

from briefgen.core.models import Brief
from briefgen.render.markdown import LABELS, RenderLang


def is_daily(brief: Brief) -> bool:
    return brief.kind == "daily"


def period_text(brief: Brief, lang: RenderLang) -> str:
    """'2026-02-17', 'Week 2026-W08', '2026-02-17 to 2026-02-18', 'Roundup 2026-02-17' (a
    one-day range is a roundup, and says so, so it never reads as that day's brief)."""
    label = brief.date
    if brief.kind == "weekly":
        return f"第 {label} 周" if lang == "zh" else f"Week {label}"
    if brief.kind == "range" and " to " not in label:
        return f"{label} 综述" if lang == "zh" else f"Roundup {label}"
    return label.replace(" to ", " 至 ") if lang == "zh" else label


def title_of(brief: Brief, lang: RenderLang) -> str:
    """'AI Paper Insight Brief — 2026-02-17', '… — Week 2026-W08', '… — 2026-02-17 to …'."""
    return f"{LABELS[lang].title} — {period_text(brief, lang)}"


def translation_key(brief: Brief) -> str:
    """The same for a brief's English and Chinese pages (Hugo's `translationKey`)."""
    slug = brief.date.replace(" to ", "_to_").replace(" ", "_").lower()
    return f"briefgen-{brief.kind}-{slug}-{brief.provenance.profile}"

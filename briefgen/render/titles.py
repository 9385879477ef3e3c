"""What a brief is called: its kind (a day or a roundup) and its title in each language."""

from __future__ import annotations

import re

from briefgen.core.models import Brief
from briefgen.render.markdown import LABELS, RenderLang

WEEK_LABEL = re.compile(r"^\d{4}-W\d{2}$")


def is_daily(brief: Brief) -> bool:
    return len(brief.date) == 10 and brief.date[4] == "-" and brief.date[7] == "-"


def title_of(brief: Brief, lang: RenderLang) -> str:
    """'AI Paper Insight Brief — 2026-02-17', '… — Week 2026-W08', '… — 2026-02-17 to …'."""
    period = brief.date
    if WEEK_LABEL.match(period):
        period = f"第 {period} 周" if lang == "zh" else f"Week {period}"
    elif lang == "zh":
        period = period.replace(" to ", " 至 ")
    return f"{LABELS[lang].title} — {period}"

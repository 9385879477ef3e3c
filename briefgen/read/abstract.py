"""The abstract as the text a paper is read from (when there is no HTML full text, or
--abstract-only), and the token estimate every budget and cost estimate uses."""

from __future__ import annotations

from briefgen.core.models import Paper, PaperText, Section


def estimate_tokens(text: str) -> int:
    """A model-independent estimate (~4 characters a token for English prose)."""
    return max(1, (len(text) + 3) // 4) if text else 0


def abstract_text(paper: Paper) -> PaperText:
    return PaperText(
        paper_id=paper.id,
        read_from="abstract",
        sections=[
            Section(heading="Title", text=paper.title, tokens=estimate_tokens(paper.title)),
            Section(
                heading="Abstract", text=paper.abstract, tokens=estimate_tokens(paper.abstract)
            ),
        ],
    )

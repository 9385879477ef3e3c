"""Choosing a day's papers for a reader: keywords weighed by rarity, similarity to the reader's
own library, followed authors, upvotes; papers already briefed are left out."""

from briefgen.select.rank import Selection, select_papers

__all__ = ["Selection", "select_papers"]

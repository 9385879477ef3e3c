"""Build the background document-frequency table keyword rarity is weighed by.

    python3 scripts/build_df_table.py [LISTING ...] [-o briefgen/data/arxiv-df.tsv]

Each LISTING is a real arXiv listing: a papers file briefgen reads (JSONL or JSON, any of the
formats `--papers` takes) or an arXiv API Atom response (.xml). Without arguments: the bundled
example day (examples/papers-2026-06-17.jsonl) and, when present, the recorded listings in
../shared/fixtures/real/ (the 2026-06-17 day in another project's format and the arXiv API
feed of 100 papers). Each paper counts once (by arXiv id), by its title and abstract.

The table holds, for every word and every phrase of two or three words that at least
MIN_DF papers use, how many papers use it, counted the way keywords match (select/keywords.py:
`df_terms`): case, hyphens and a plural ignored. Only counts are shipped, never the text.
The ranking weighs a keyword by this table, never by the file being ranked: a feed of papers
that all mention "KV cache" still finds "KV cache" rare, as arXiv does.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "fixtures" / "real"
DEFAULT_LISTINGS = [
    REPO / "examples" / "papers-2026-06-17.jsonl",
    SHARED / "daily-arxiv-ai-enhanced-2026-06-17.jsonl",
    SHARED / "arxiv-api-q_testing_s0_m100_cfe7536492ca.xml",
]
TARGET = REPO / "briefgen" / "data" / "arxiv-df.tsv"
MIN_DF = 2
ATOM = "{http://www.w3.org/2005/Atom}"


def _atom_papers(path: Path) -> Iterator[tuple[str, str]]:
    """(id, title + abstract) of an arXiv API response's entries."""
    for entry in ET.parse(path).getroot().iter(f"{ATOM}entry"):
        link = entry.findtext(f"{ATOM}id") or ""
        title = entry.findtext(f"{ATOM}title") or ""
        summary = entry.findtext(f"{ATOM}summary") or ""
        if title.strip() and title.strip() != "Error":
            paper_id = link.rsplit("/", 1)[-1].split("v")[0]
            yield paper_id, f"{title}\n{summary}"


def _file_papers(path: Path) -> Iterator[tuple[str, str]]:
    from briefgen.sources.local import load_papers_file

    for paper in load_papers_file(path, listing_date=date(2026, 1, 1)):
        yield paper.id, f"{paper.title}\n{paper.abstract}"


def papers(listings: list[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in listings:
        read = _atom_papers if path.suffix.lower() == ".xml" else _file_papers
        for paper_id, text in read(path):
            found.setdefault(paper_id, text)
    return found


def _shown(path: Path) -> str:
    """A listing's path as the table names it: from the repository (or its parent folder)."""
    if path.is_relative_to(REPO):
        return str(path.relative_to(REPO))
    if path.is_relative_to(REPO.parent):
        return str(Path("..") / path.relative_to(REPO.parent))
    return path.name


def build(listings: list[Path]) -> tuple[int, Counter[str], list[str]]:
    sys.path.insert(0, str(REPO))
    from briefgen.select.keywords import df_terms

    texts = papers(listings)
    counts: Counter[str] = Counter()
    for text in texts.values():
        counts.update(df_terms(text))
    used = [_shown(p.resolve()) for p in listings]
    return len(texts), counts, used


def write(target: Path, documents: int, counts: Counter[str], sources: list[str]) -> int:
    kept = sorted(((n, t) for t, n in counts.items() if n >= MIN_DF), key=lambda x: (-x[0], x[1]))
    lines = [
        "# Background document frequencies for keyword rarity (briefgen/select/keywords.py).",
        "# Built by scripts/build_df_table.py from real arXiv listings (titles and abstracts):",
        *[f"#   {source}" for source in sources],
        f"# Words and 2-3 word phrases used by at least {MIN_DF} papers; lower case, plural "
        "dropped.",
        f"documents\t{documents}",
        *[f"{n}\t{term}" for n, term in kept],
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("listings", nargs="*", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    listings = args.listings or [p for p in DEFAULT_LISTINGS if p.is_file()]
    documents, counts, used = build(listings)
    terms = write(args.output, documents, counts, used)
    print(f"{args.output}: {documents} papers, {terms} terms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

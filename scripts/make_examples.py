"""Regenerate the bundled example: a real arXiv day and its offline briefs, in one command.

    python3 scripts/make_examples.py [DAY.jsonl]

DAY.jsonl is a real day's listing in any format briefgen reads (by default the recorded
2026-06-17 listing in ../shared/fixtures/real/, when it is there). Its arXiv metadata (ids,
titles, authors, categories, full abstracts: CC0) is written to examples/papers-DATE.jsonl in
briefgen's own format, each paper once; without DAY.jsonl the bundled file is kept. Then the
English and Chinese briefs are written next to it exactly as the quickstart prints them: the
offline engine, a fresh store, no config, no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DAY = "2026-06-17"
RECORDED = REPO.parent / "shared" / "fixtures" / "real" / f"daily-arxiv-ai-enhanced-{DAY}.jsonl"
BUNDLED = EXAMPLES / f"papers-{DAY}.jsonl"


def convert(source: Path, target: Path) -> int:
    """The day's papers as briefgen's JSONL: arXiv's metadata only, each paper once."""
    sys.path.insert(0, str(REPO))
    from datetime import date

    from briefgen.sources.local import load_papers_file

    papers = load_papers_file(source, listing_date=date.fromisoformat(DAY))
    seen: set[str] = set()
    lines = []
    for paper in papers:
        if paper.id in seen:
            continue
        seen.add(paper.id)
        record = {
            "id": paper.versioned_id,
            "title": paper.title,
            "authors": paper.authors,
            "categories": paper.categories,
            "published": paper.published.isoformat(),
            "abstract": paper.abstract,
        }
        if paper.comment:  # the authors' comment: pages, venue, often the code link
            record["comment"] = paper.comment
        lines.append(json.dumps(record, ensure_ascii=False))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def regenerate(papers: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFGEN_")}
    with tempfile.TemporaryDirectory() as home:
        env["BRIEFGEN_HOME"] = home
        subprocess.run(
            [sys.executable, "-m", "briefgen", "daily", "--papers", str(papers),
             "--lang", "both", "--output-dir", str(EXAMPLES)],
            check=True, env=env, cwd=REPO,
        )  # fmt: skip


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RECORDED
    if source.exists():
        count = convert(source, BUNDLED)
        print(f"{BUNDLED.relative_to(REPO)}: {count} papers from {source}", file=sys.stderr)
    elif not BUNDLED.exists():
        sys.exit(f"no day to bundle: {source} is missing; pass a day's JSONL")
    regenerate(BUNDLED)


if __name__ == "__main__":
    main()

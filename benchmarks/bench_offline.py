"""Time and memory of the offline pipeline (analyse + synthesise + render + lint), run by hand:

    python -m benchmarks.bench_offline [--repeat 7]

Measures the bundled 30-paper day and a synthetic 600-paper day (the example abstracts with
their sentences recombined under new ids), side by side in one run; prints medians.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

from benchmarks.timing import measure
from briefgen.core.models import AnalysedPaper, Paper, Provenance
from briefgen.core.settings import Profile
from briefgen.engines.offline.engine import OfflineEngine
from briefgen.read.abstract import abstract_text
from briefgen.render.lint import lint_markdown
from briefgen.render.markdown import render_brief_markdown
from briefgen.select import select_papers
from briefgen.sources.local import load_papers_file
from briefgen.synthesize.brief import build_brief

EXAMPLE = Path(__file__).parent.parent / "examples" / "papers-2026-02-17.jsonl"


def synthetic_day(base: list[Paper], count: int) -> list[Paper]:
    papers = []
    for n in range(count):
        a, b = base[n % len(base)], base[(n * 7 + 3) % len(base)]
        papers.append(
            a.model_copy(
                update={
                    "id": f"2602.{30000 + n}",
                    "title": f"{a.title.split(':')[0]} meets {b.title.split(':')[-1].strip()}",
                    "abstract": f"{a.abstract} {b.abstract}",
                    "published": date(2026, 2, 17),
                }
            )
        )
    return papers


def pipeline(papers: list[Paper], profile: Profile) -> str:
    engine = OfflineEngine()
    selected = select_papers(papers, profile).selected
    analysed = [
        AnalysedPaper(scored=s, analysis=engine.analyze(s, abstract_text(s.paper)))
        for s in selected
    ]
    provenance = Provenance(sources=["bench"], paper_count=len(analysed), engine="offline")
    text = render_brief_markdown(build_brief("2026-02-17", analysed, engine, provenance))
    assert lint_markdown(text) == []
    return text


def cli_run(papers: list[Paper], max_papers: int) -> tuple[float, float]:
    """A whole `briefgen daily` process over `papers`: (seconds, peak resident MiB)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "papers.jsonl"
        path.write_text("\n".join(p.model_dump_json() for p in papers) + "\n")
        env = {**os.environ, "BRIEFGEN_HOME": folder, "BRIEFGEN_MAX_PAPERS": str(max_papers)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "briefgen", "daily", "--papers", str(path), "-q",
             "-o", str(Path(folder) / "brief.md")],
            env=env, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far (KiB on Linux): run the biggest case last.
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="also 200 and 2,000-paper days")
    args = parser.parse_args()
    base = load_papers_file(EXAMPLE)
    big = synthetic_day(base, 600)
    cases = [
        ("30 papers (examples), default profile", base, Profile()),
        ("600 papers, all analysed", big, Profile(max_papers=600, min_score=0)),
        ("600 papers, top 30 analysed", big, Profile()),
    ]
    if args.big:
        for count in (200, 2000):
            day = synthetic_day(base, count)
            cases.append(
                (f"{count} papers, all analysed", day, Profile(max_papers=count, min_score=0))
            )
    print(f"{'case':<40} {'median s':>9} {'peak MiB':>9}")
    for name, papers, profile in cases:
        seconds, peak = measure(partial(pipeline, papers, profile), args.repeat)
        print(f"{name:<40} {seconds:>9.3f} {peak:>9.1f}")
    if args.big:
        print(f"\n{'whole CLI process (daily, all analysed)':<40} {'seconds':>9} {'RSS MiB':>9}")
        for count in (200, 2000):
            runs = [cli_run(synthetic_day(base, count), count) for _ in range(3)]
            seconds = statistics.median(r[0] for r in runs)
            print(f"{count:>5} papers{'':<29} {seconds:>9.2f} {max(r[1] for r in runs):>9.1f}")


if __name__ == "__main__":
    main()

"""Time and memory of the offline pipeline (rank + analyse + synthesise + render + lint), run by
hand:

    python -m benchmarks.bench_offline [--repeat 7] [--big] [--base FILE]

Measures the bundled 30-paper day and synthetic days made from real abstracts: each synthetic
paper takes sentences from three different abstracts of the base (the bundled example, plus
FILE when given, e.g. a real day of 220 papers) under a new id and a recombined title, so a
large day has a real day's spread of vocabulary rather than 30 abstracts repeated. Prints
medians. `--big` adds 200- and 2,000-paper days side by side: in process, stage by stage, and
as whole `briefgen daily` processes (wall seconds, median of 3, and peak resident memory).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from benchmarks.timing import measure
from briefgen.core.models import AnalysedPaper, Paper, Provenance, ScoredPaper
from briefgen.core.settings import Profile
from briefgen.engines.offline.engine import OfflineEngine
from briefgen.engines.offline.extract import split_sentences
from briefgen.read.abstract import abstract_text
from briefgen.render.lint import lint_markdown
from briefgen.render.markdown import render_brief_markdown
from briefgen.select import select_papers
from briefgen.sources.local import load_papers_file
from briefgen.synthesize.brief import build_brief

EXAMPLE = Path(__file__).parent.parent / "examples" / "papers-2026-06-17.jsonl"
DAY = date(2026, 2, 17)
T = TypeVar("T")


def synthetic_day(base: list[Paper], count: int, seed: int = 7) -> list[Paper]:
    """`count` papers, each made of sentences from three different base abstracts."""
    rng = random.Random(seed)
    pieces = [split_sentences(p.abstract) for p in base]
    papers = []
    for n in range(count):
        a, b, c = rng.sample(range(len(base)), 3)
        sentences = pieces[a][:2] + pieces[b][1:4] + pieces[c][-2:]
        first, second = base[a], base[b]
        papers.append(
            first.model_copy(
                update={
                    "id": f"2602.{30000 + n}",
                    "version": "v1",
                    "title": f"{first.title.split(':')[0]} meets "
                    f"{second.title.split(':')[-1].strip()}",
                    "abstract": " ".join(sentences),
                    "categories": first.categories or second.categories,
                    "published": DAY,
                }
            )
        )
    return papers


def load_base(extra: Path | None) -> list[Paper]:
    base = load_papers_file(EXAMPLE)
    if extra is not None:
        unique = {p.id: p for p in load_papers_file(extra, listing_date=DAY)}
        base += [p for p in unique.values() if len(split_sentences(p.abstract)) >= 4]
    return base


def everything(count: int) -> Profile:
    return Profile(max_papers=count, min_score=0, categories=[])


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


def _timed(stage: str, times: dict[str, float], action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    times[stage] = times.get(stage, 0.0) + time.perf_counter() - start
    return result


def stages(papers: list[Paper], profile: Profile) -> dict[str, float]:
    """Seconds per stage of one in-process run."""
    times: dict[str, float] = {}
    engine = OfflineEngine()
    selected: list[ScoredPaper] = _timed(
        "rank", times, lambda: select_papers(papers, profile).selected
    )
    analysed = _timed(
        "analyse",
        times,
        lambda: [
            AnalysedPaper(scored=s, analysis=engine.analyze(s, abstract_text(s.paper)))
            for s in selected
        ],
    )
    provenance = Provenance(sources=["bench"], paper_count=len(analysed), engine="offline")
    brief = _timed(
        "synthesise", times, lambda: build_brief("2026-02-17", analysed, engine, provenance)
    )
    _timed("render+lint", times, lambda: lint_markdown(render_brief_markdown(brief)))
    return times


def cli_run(papers: list[Paper], max_papers: int) -> tuple[float, float]:
    """A whole `briefgen daily` process over `papers`, every paper analysed: (seconds, peak
    resident MiB of that process)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "papers.jsonl"
        path.write_text("\n".join(p.model_dump_json() for p in papers) + "\n")
        config = Path(folder) / "config.toml"
        config.write_text(
            'profile = "bench"\n[profiles.bench]\ncategories = []\nmin_score = 0\n'
            f"max_papers = {max_papers}\n"
        )
        env = {**os.environ, "BRIEFGEN_HOME": folder, "BRIEFGEN_CONFIG": str(config)}
        # The child reports its own peak (VmHWM: ru_maxrss would carry this process's peak
        # across the fork and exec, and RUSAGE_CHILDREN keeps the largest child so far).
        code = (
            "import runpy, sys; sys.argv = ['briefgen'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('briefgen', run_name='__main__')\n"
            "finally:\n    peak = [l.split()[1] for l in open('/proc/self/status') "
            "if l.startswith('VmHWM')]\n"
            "    open(sys.argv[-1] + '.rss', 'w').write(peak[0] if peak else '0')"
        )
        out = Path(folder) / "brief.md"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, "daily", "--papers", str(path), "--date",
             DAY.isoformat(), "-q", "-o", str(out)],
            env=env, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        peak = int(Path(str(out) + ".rss").read_text().split()[0])
    return seconds, peak / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="also 200 and 2,000-paper days")
    parser.add_argument("--base", type=Path, help="more real abstracts to build days from")
    args = parser.parse_args()
    base = load_base(args.base)
    example = load_papers_file(EXAMPLE)
    big = synthetic_day(base, 600)
    cases = [
        ("30 papers (examples), default profile", example, Profile()),
        ("600 papers, all analysed", big, everything(600)),
        ("600 papers, top 30 analysed", big, Profile(min_score=0, categories=[])),
    ]
    if args.big:
        for count in (200, 2000):
            cases.append((f"{count} papers, all analysed", synthetic_day(base, count),
                          everything(count)))  # fmt: skip
    print(f"{'in process (' + str(len(base)) + ' base abstracts)':<40} {'median s':>9} "
          f"{'peak MiB':>9}")  # fmt: skip
    for name, papers, profile in cases:
        seconds, peak = measure(partial(pipeline, papers, profile), args.repeat)
        print(f"{name:<40} {seconds:>9.3f} {peak:>9.1f}")
    if not args.big:
        return
    print(f"\n{'stages (median of 3)':<16}" + "".join(f"{s:>12}" for s in
          ("rank", "analyse", "synthesise", "render+lint")))  # fmt: skip
    for count in (200, 2000):
        day = synthetic_day(base, count)
        runs = [stages(day, everything(count)) for _ in range(3)]
        print(f"{count:>5} papers{'':<5}" + "".join(
            f"{statistics.median(r[s] for r in runs):>12.3f}"
            for s in ("rank", "analyse", "synthesise", "render+lint")
        ))  # fmt: skip
    print(f"\n{'whole CLI process (daily, all analysed)':<40} {'wall s':>9} {'peak MiB':>9}")
    for count in (200, 2000):
        day = synthetic_day(base, count)
        processes = [cli_run(day, count) for _ in range(3)]
        seconds = statistics.median(r[0] for r in processes)
        print(f"{count:>5} papers, median of 3{'':<17} {seconds:>9.2f} "
              f"{max(r[1] for r in processes):>9.1f}")  # fmt: skip


if __name__ == "__main__":
    main()

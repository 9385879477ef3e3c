"""How well the ranking puts first what a reader wants, against paper-by-paper judgements:

    python -m benchmarks.bench_relevance [REAL_FIXTURES_DIR] [--show N] [--timing]

For each judged day and reader it ranks the day as `briefgen papers --library LIB` does (the
default profile: its categories, keywords, min_score and max_papers; the library compared by
TF-IDF, no model, no network) and once with the profile's keywords off (library only), and
prints P@5, P@10 (grade 2 only), nDCG@10 (gain 2^grade - 1, the ideal from every judged paper of
the day, so a wanted paper outside the profile's categories still counts against it) and
recall@30 (the share of the papers graded 1 or 2 among the 30 that would be analysed).
The default profile's own keywords, with no library, are measured for the reader they are
written for (systems: LLM efficiency). `ceiling` is the best nDCG@10 any order of the papers
the categories let through could reach.

Judged days:

- the real fixture day (`../shared/fixtures/real/`, or the folder given): its
  `judgments-2026-06-17.json` and `libraries/lib-READER.bib`, when present;
- the project's own judged example day, always: `examples/papers-2026-06-17.jsonl` graded in
  `tests/data/relevance/judgments-example-2026-06-17.json` for the same four readers, with a
  small BibTeX library per reader of our own (`tests/data/relevance/lib-READER.bib`).
  `tests/test_relevance_bench.py` keeps a floor on it.

`--timing` times ranking a 500-paper day (the real day recombined) against a library, each
case in fresh processes: TF-IDF; TF-IDF with an embedding model the size of potion-base-8M
(built by tests/embedding_model.py: this machine cannot download a real one), nothing cached;
and again with every vector in the store (the model is then not loaded).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefgen.core.models import Paper
from briefgen.core.settings import Profile
from briefgen.select.library import LibraryPaper, dedupe, read_bib
from briefgen.select.rank import Reader, in_categories, select_papers
from briefgen.select.reader import LibraryMatcher
from briefgen.sources.local import load_papers_file, primary_listing

ROOT = Path(__file__).resolve().parent.parent
REAL_DEFAULT = ROOT.parent / "shared" / "fixtures" / "real"
OWN = ROOT / "tests" / "data" / "relevance"
EXAMPLE_DAY = ROOT / "examples" / "papers-2026-06-17.jsonl"
READERS = ("longcontext", "clinical", "systems", "agents")
ANALYSED = 30


@dataclass
class JudgedDay:
    name: str
    papers: list[Paper]
    grades: dict[str, dict[str, int]]  # reader -> paper id -> 1 or 2 (absent: 0)
    libraries: dict[str, Path]  # reader -> BibTeX file


@dataclass
class Scores:
    p5: float
    p10: float
    ndcg10: float
    recall30: float
    ceiling: float
    ranked: list[str]


def _plain_id(paper_id: str) -> str:
    return re.sub(r"v\d+$", "", paper_id.split("/")[-1])


def load_day(
    name: str, papers_file: Path, judgments: Path, libraries: dict[str, Path]
) -> JudgedDay:
    data = json.loads(judgments.read_text(encoding="utf-8"))
    day = date.fromisoformat(str(data["day"]))
    papers = load_papers_file(papers_file, listing_date=day)
    grades = {
        reader: {_plain_id(k): int(v) for k, v in graded.items() if int(v) > 0}
        for reader, graded in data["grades"].items()
    }
    return JudgedDay(name=name, papers=papers, grades=grades, libraries=libraries)


def real_day(folder: Path) -> JudgedDay | None:
    """The shared real fixture day, when its files are there."""
    papers = folder / "daily-arxiv-ai-enhanced-2026-06-17.jsonl"
    judged = folder / "judgments-2026-06-17.json"
    if not (papers.is_file() and judged.is_file()):
        return None
    libraries = {r: folder / "libraries" / f"lib-{r}.bib" for r in READERS}
    return load_day("real day 2026-06-17 (shared fixtures)", papers, judged, libraries)


def own_day() -> JudgedDay | None:
    """The project's own judgements of the bundled example day."""
    if not (OWN / "judgments-example-2026-06-17.json").is_file():
        return None
    libraries = {r: OWN / f"lib-{r}.bib" for r in READERS}
    return load_day(
        "example day 2026-06-17 (own judgements)",
        EXAMPLE_DAY,
        OWN / "judgments-example-2026-06-17.json",
        libraries,
    )


def read_library(path: Path) -> list[LibraryPaper]:
    text = path.read_text(encoding="utf-8")
    return dedupe(read_bib(text, spec=str(path), origin=path.name))


def rank(papers: list[Paper], profile: Profile, library: list[LibraryPaper]) -> list[str]:
    """The ids `briefgen papers` would list, in order (TF-IDF similarity, no store)."""
    listed, _ = primary_listing(papers, profile.categories, cross_lists=False)
    reader = Reader(library=library, match=LibraryMatcher(library, None, None) if library else None)
    selection = select_papers(listed, profile, reader)
    return [_plain_id(s.paper.id) for s in selection.selected]


def _dcg(gains: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(k + 2) for k, g in enumerate(gains)))


def measure(ranked: list[str], grades: dict[str, int], reachable: set[str]) -> Scores:
    top = [grades.get(i, 0) for i in ranked]
    ideal = _dcg(sorted(grades.values(), reverse=True)[:10]) or 1.0
    best = _dcg(sorted((g for i, g in grades.items() if i in reachable), reverse=True)[:10])
    wanted = {i for i, g in grades.items() if g > 0}
    return Scores(
        p5=sum(g == 2 for g in top[:5]) / 5,
        p10=sum(g == 2 for g in top[:10]) / 10,
        ndcg10=_dcg(top[:10]) / ideal,
        recall30=len(wanted & set(ranked[:ANALYSED])) / max(1, len(wanted)),
        ceiling=best / ideal,
        ranked=ranked,
    )


def evaluate(
    day: JudgedDay, *, keywords: bool, library: bool = True, readers: Sequence[str] = READERS
) -> dict[str, Scores]:
    """Per reader: the default profile with the reader's library, keywords on or off (or the
    default keywords alone, no library)."""
    base = Profile()
    profile = base if keywords else base.model_copy(update={"keywords": []})
    listed, _ = primary_listing(day.papers, base.categories, cross_lists=False)
    wanted = {c.lower() for c in base.categories}
    reachable = {_plain_id(p.id) for p in listed if in_categories(p, wanted)}
    results = {}
    for reader in readers:
        papers = read_library(day.libraries[reader]) if library else []
        ranked = rank(day.papers, profile, papers)
        results[reader] = measure(ranked, day.grades.get(reader, {}), reachable)
    return results


# The reader the default profile's keywords are written for (LLM systems and efficiency).
DEFAULT_PROFILE_READER = "systems"


def table(day: JudgedDay) -> list[str]:
    lines = [
        f"{day.name}: {len({p.id for p in day.papers})} papers",
        f"{'reader':<12} {'setting':<20} {'P@5':>5} {'P@10':>5} {'nDCG@10':>8} "
        f"{'recall@30':>9} {'ceiling':>8}",
    ]
    means: dict[str, list[float]] = {}
    for keywords, label in ((True, "library + keywords"), (False, "library only")):
        for reader, s in evaluate(day, keywords=keywords).items():
            means.setdefault(label, []).append(s.ndcg10)
            lines.append(
                f"{reader:<12} {label:<20} {s.p5:>5.2f} {s.p10:>5.2f} {s.ndcg10:>8.2f} "
                f"{s.recall30:>9.2f} {s.ceiling:>8.2f}"
            )
    alone = evaluate(day, keywords=True, library=False, readers=[DEFAULT_PROFILE_READER])
    for reader, s in alone.items():
        label = "keywords, no library"
        lines.append(
            f"{reader:<12} {label:<20} {s.p5:>5.2f} {s.p10:>5.2f} {s.ndcg10:>8.2f} "
            f"{s.recall30:>9.2f} {s.ceiling:>8.2f}"
        )
    for label, values in means.items():
        lines.append(f"{'mean':<12} {label:<20} {'':>5} {'':>5} {sum(values) / len(values):>8.2f}")
    return lines


# timing ---------------------------------------------------------------------------------------

TIMED_DAY = 500


def _timed_day(real: Path) -> list[Paper]:
    """TIMED_DAY papers: the real day's (else the example day's), then recombinations (one
    paper's title with another's abstract) under new ids, all in the default categories."""
    from benchmarks.bench_embedding import grown

    day = real_day(real) or own_day()
    assert day is not None
    base = [(p.id, p.title, p.abstract) for p in day.papers]
    when = day.papers[0].published
    return [
        Paper(id=f"2606.{n:05d}", version="v1", title=text.split("\n\n")[0],
              abstract=text.split("\n\n", 1)[-1], categories=["cs.CL"], published=when)
        for n, (_, text) in enumerate(grown(base, TIMED_DAY, "t"))
    ]  # fmt: skip


def time_case(case: str, work: Path, real: Path) -> dict[str, float]:
    """One process: the first ranking of the 500-paper day (imports, the background table, the
    library, the model when there is one) and a second one in the same process."""
    import time

    started = time.perf_counter()
    from briefgen.core.settings import SelectionSettings, Settings, StoreSettings
    from briefgen.infra.store import Store
    from briefgen.select.embedding import StaticEmbedder, load_embedder

    papers = _timed_day(real)
    library = read_library(OWN / "lib-systems.bib")
    prepared = time.perf_counter()
    embedder: StaticEmbedder | None = None
    if case != "tfidf":
        settings = Settings(store=StoreSettings(home=work / "home"),
                            selection=SelectionSettings(embedding_model=str(work / "model")))
        found = load_embedder(settings)
        assert isinstance(found, StaticEmbedder)
        embedder = found
    with Store.open(work / "store") as store:
        reader = Reader(library=library, match=LibraryMatcher(library, embedder, store))
        select_papers(papers, Profile(), reader)
        first = time.perf_counter()
        select_papers(papers, Profile(), reader)
        second = time.perf_counter()
    return {
        "first": first - prepared,
        "process": first - started,
        "again": second - first,
        "model_loaded": float(bool(embedder and embedder.loaded)),
    }


def timing(real: Path, repeat: int = 3) -> list[str]:
    """Medians of `repeat` fresh processes per case: TF-IDF; with an embedding model the size
    of potion-base-8M (built by tests/embedding_model.py), nothing cached, then everything."""
    import shutil
    import statistics
    import subprocess
    import tempfile

    from tests.embedding_model import build_model

    lines = [f"ranking a {TIMED_DAY}-paper day against an 8-paper library "
             f"(medians of {repeat} processes):"]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        words = sorted({w for p in _timed_day(real) for w in re.findall(r"[a-z][a-z0-9]+",
                        f"{p.title} {p.abstract}".lower())})  # fmt: skip
        build_model(work / "model", dim=256, words=words, size=30_000)

        def run(case: str, fresh_store: bool) -> dict[str, float]:
            if fresh_store:
                shutil.rmtree(work / "store", ignore_errors=True)
            code = ("import json, sys; from pathlib import Path; "
                    "from benchmarks.bench_relevance import time_case; "
                    f"print(json.dumps(time_case({case!r}, Path({str(work)!r}), "
                    f"Path({str(real)!r}))))")  # fmt: skip
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, cwd=ROOT)  # fmt: skip
            result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
            return result

        cases = [
            ("TF-IDF (default)", "tfidf", True),
            ("TF-IDF + model, nothing cached", "model", True),
        ]
        for label, case, fresh in cases:
            runs = [run(case, fresh) for _ in range(repeat)]
            first = statistics.median(r["first"] for r in runs)
            again = statistics.median(r["again"] for r in runs)
            lines.append(f"  {label:<36} cold {first:6.3f} s   warm (same process) {again:6.3f} s")
        run("model", True)
        runs = [run("model", False) for _ in range(repeat)]
        first = statistics.median(r["first"] for r in runs)
        loaded = any(r["model_loaded"] for r in runs)
        lines.append(f"  {'TF-IDF + model, every vector cached':<36} cold {first:6.3f} s   "
                     f"(model loaded: {'yes' if loaded else 'no'})")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("real", nargs="?", type=Path, default=REAL_DEFAULT,
                        help="the shared real fixtures folder (skipped when absent)")  # fmt: skip
    parser.add_argument("--show", type=int, default=0, help="also print each reader's top N")
    parser.add_argument("--timing", action="store_true", help="time ranking a 500-paper day")
    args = parser.parse_args(argv)
    if args.timing:
        for line in timing(args.real):
            print(line)
        return 0
    days = [d for d in (real_day(args.real), own_day()) if d is not None]
    if real_day(args.real) is None:
        print(f"(no real fixture day in {args.real}: the project's own judged day only)")
    for day in days:
        for line in table(day):
            print(line)
        if args.show:
            titles = {_plain_id(p.id): p.title for p in day.papers}
            for reader in READERS:
                library = read_library(day.libraries[reader])
                ranked = rank(day.papers, Profile(), library)[: args.show]
                print(f"-- {reader}")
                for pid in ranked:
                    grade = day.grades.get(reader, {}).get(pid, 0)
                    print(f"   [{grade}] {pid} {titles[pid][:80]}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

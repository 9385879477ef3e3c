"""Time and memory of library similarity on a 500-paper day, run by hand:

    python -m benchmarks.bench_embedding [--repeat 3] [--library 200]

Builds a model2vec model the size of minishlab/potion-base-8M (about 30,000 tokens x 256
dimensions, about 30 MB) with tests/embedding_model.py, then compares side by side, each case
in its own process so that its peak RSS is its own:

- model2vec, cold: nothing cached, every paper of the day and the library embedded and stored;
- model2vec, cached: every vector read back from the store;
- TF-IDF: the fallback, fitted on the day and the library together.

The day is the titles and abstracts of /work/shared/fixtures/real/daily-arxiv-ai-enhanced-
2026-06-17.jsonl, recombined into new papers up to 500 (generated text when that file is not
there); the library is the bundled example papers, recombined the same way.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REAL_DAY = Path("/work/shared/fixtures/real/daily-arxiv-ai-enhanced-2026-06-17.jsonl")
EXAMPLES = Path(__file__).parent.parent / "examples" / "papers-2026-06-17.jsonl"
VOCAB = 30_000
DIM = 256
DAY = 500
CASES = ("model2vec, cold", "model2vec, cached", "TF-IDF fallback")

Pairs = list[tuple[str, str]]


def _read_jsonl(path: Path, abstract_field: str) -> list[tuple[str, str, str]]:
    papers = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            papers.append((str(item["id"]), str(item["title"]), str(item.get(abstract_field, ""))))
    return papers


def _generated(count: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    words = [
        "model", "data", "training", "inference", "quantization", "attention", "cache",
        "protein", "image", "robot", "language", "reasoning", "graph", "learning", "efficient",
        "sparse", "diffusion", "policy", "benchmark", "retrieval", "agent", "memory", "kernel",
        "gpu", "latency", "throughput", "alignment", "vision", "speech",
    ]  # fmt: skip
    return [
        (
            f"gen.{n:05d}",
            " ".join(rng.choices(words, k=8)).capitalize(),
            ". ".join(" ".join(rng.choices(words, k=18)) for _ in range(8)),
        )
        for n in range(count)
    ]


def grown(base: list[tuple[str, str, str]], count: int, prefix: str) -> Pairs:
    """`count` (key, text) pairs: the base papers as they are, then recombinations (one
    paper's title with another's abstract, sentences shuffled) under new keys."""
    rng = random.Random(count)
    pairs = [(f"{prefix}:{pid}", f"{title}\n\n{abstract}") for pid, title, abstract in base]
    n = 0
    while len(pairs) < count:
        a, b = base[n % len(base)], base[(n * 7 + 3) % len(base)]
        sentences = re.split(r"(?<=\.)\s+", f"{a[2]} {b[2]}")
        rng.shuffle(sentences)
        pairs.append((f"{prefix}:var{n}", f"{a[1]} and {b[1]}\n\n{' '.join(sentences[:10])}"))
        n += 1
    return pairs[:count]


def prepare(work: Path, library_size: int) -> dict[str, Any]:
    """The model, the day and the library, written into `work` for the case processes."""
    from tests.embedding_model import build_model

    if REAL_DAY.exists():
        day_base = _read_jsonl(REAL_DAY, "summary")
        day_source = f"{REAL_DAY.name} ({len(day_base)} papers, recombined to {DAY})"
    else:
        day_base = _generated(300, seed=1)
        day_source = f"generated text ({DAY} papers)"
    library_base = _read_jsonl(EXAMPLES, "abstract")
    day = grown(day_base, DAY, "arxiv")
    library = grown(library_base, library_size, "lib")
    words = re.findall(r"[a-z][a-z0-9]+", " ".join(text for _, text in day + library).lower())
    start = time.perf_counter()
    folder = build_model(work / "model", dim=DIM, words=sorted(set(words)), size=VOCAB)
    built = time.perf_counter() - start
    (work / "day.json").write_text(json.dumps(day))
    (work / "library.json").write_text(json.dumps(library))
    return {
        "day_source": day_source,
        "built": built,
        "model_mb": (folder / "model.safetensors").stat().st_size / 1e6,
        "chars": sum(len(text) for _, text in day),
    }


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def _pairs(path: Path) -> Pairs:
    return [(str(key), str(text)) for key, text in json.loads(path.read_text())]


def run_case(case: str, work: Path, repeat: int) -> dict[str, Any]:
    """One case, in this process: its timings and this process's peak RSS."""
    started = time.perf_counter()
    from briefgen.core.settings import SelectionSettings, Settings, StoreSettings
    from briefgen.infra.store import Store
    from briefgen.select.embedding import best_matches, load_embedder, similarities

    day = _pairs(work / "day.json")
    library = _pairs(work / "library.json")
    result: dict[str, Any] = {}
    if case == "TF-IDF fallback":
        times = _timed(
            lambda: best_matches(similarities(day, library, embedder=None, store=None)), repeat
        )
    else:
        start = time.perf_counter()
        settings = Settings(store=StoreSettings(home=work / "unused"),
                            selection=SelectionSettings(embedding_model=str(work / "model")))
        embedder = load_embedder(settings)
        assert embedder is not None
        result["load"] = time.perf_counter() - start
        homes = iter(range(repeat + 1))

        def cold() -> None:
            with Store.open(work / f"cold-{next(homes)}") as store:
                best_matches(similarities(day, library, embedder=embedder, store=store))

        if case == "model2vec, cold":
            times = _timed(cold, repeat)
        else:
            with Store.open(work / "warm") as store:
                similarities(day, library, embedder=embedder, store=store)  # fill the cache
                times = _timed(
                    lambda: best_matches(
                        similarities(day, library, embedder=embedder, store=store)
                    ),
                    repeat,
                )
    result.update(
        times=times,
        median=statistics.median(times),
        process=time.perf_counter() - started,
        rss_mib=peak_rss_mib(),
    )
    return result


def peak_rss_mib() -> float:
    """This process's peak resident set: VmHWM, which starts afresh at exec (ru_maxrss keeps
    the parent's peak across fork and exec on Linux, so every case would show the builder's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--library", type=int, default=200, help="papers in the library")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.work, args.repeat)))
        return

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        facts = prepare(work, args.library)
        print(
            f"model: {VOCAB:,} tokens x {DIM} dims, model.safetensors {facts['model_mb']:.1f} MB, "
            f"built in {facts['built']:.2f} s\n"
            f"day: {facts['day_source']}, {facts['chars'] / DAY:.0f} characters a paper; "
            f"library: {args.library} papers; median of {args.repeat} runs each\n"
        )
        print(
            f"{'case':<20} {'similarities s':>15} {'runs s':>22} {'model load s':>13} "
            f"{'process s':>10} {'peak RSS MiB':>13}"
        )
        for case in CASES:
            output = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_embedding", "--case", case,
                 "--work", str(work), "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            runs = " ".join(f"{t:.3f}" for t in result["times"])
            load = f"{result['load']:.3f}" if "load" in result else "-"
            print(
                f"{case:<20} {result['median']:>15.3f} {runs:>22} {load:>13} "
                f"{result['process']:>10.2f} {result['rss_mib']:>13.0f}"
            )


if __name__ == "__main__":
    main()

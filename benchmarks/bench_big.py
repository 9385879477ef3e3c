"""Big inputs as whole processes, run by hand:

    python -m benchmarks.bench_big [--counts 25000 100000] [--repeat 3] [--no-before]
        [--before COMMIT] [--dense] [--huge]

Ranking: a JSONL day of N realistic papers (titles and abstracts recombined from the bundled
2026-06-17 day, ~1.1 KB a line, the day's own mix of categories and authors) ranked by
`briefgen papers --papers FILE --date D` with the default profile, which picks 30. Each case
prints the median wall time of `--repeat` runs and the largest peak resident memory of the
child (VmHWM from /proc, read by the child itself, as bench_offline does), and the median
CPU time of the ranking alone (select_papers over the file's papers, in a child of its own:
the process also reads the file and stores the day). "before" runs the
same against the code of commit c4929dd (the ranking before issue 18), taken with `git archive`
into a temporary folder and put first on PYTHONPATH (`--before COMMIT`: that commit's);
"after" is this checkout.

`--dense`: keyword-dense papers instead (write_dense_day: abstracts that name the default
profile's topics about 50 times a paper, as an efficiency-heavy day packed would), where the
ranking's per-mention work shows.

`--huge`: the bundled 220-paper day through `briefgen daily --papers FILE`, and the same day
plus one record whose abstract is 50 MB: wall and peak memory of both, side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "papers-2026-06-17.jsonl"
DAY = "2026-06-17"
BEFORE = "c4929dd"
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

# The child measures its own peak: ru_maxrss would carry this process's peak across the fork
# and exec, and RUSAGE_CHILDREN keeps the largest child so far.
CHILD = (
    "import os, runpy, sys; sys.argv = ['briefgen'] + sys.argv[1:]\n"
    "out = os.environ['BENCH_RSS_FILE']\n"
    "try:\n    runpy.run_module('briefgen', run_name='__main__')\n"
    "finally:\n    peak = [l.split()[1] for l in open('/proc/self/status') "
    "if l.startswith('VmHWM')]\n"
    "    open(out, 'w').write(peak[0] if peak else '0')"
)


# The ranking alone, in a child with the code under test first on the path: the papers file
# read, then select_papers with the default profile timed in CPU seconds (steadier than wall
# time on a shared machine; what `briefgen papers` also spends reading the file and storing
# the day is not in it).
RANK_CHILD = (
    "import sys, time\nfrom datetime import date\nfrom pathlib import Path\n"
    "from briefgen.core.settings import Profile\n"
    "from briefgen.select.rank import select_papers\n"
    "from briefgen.sources.local import load_papers_file\n"
    "papers = load_papers_file(Path(sys.argv[1]), listing_date=date.fromisoformat(sys.argv[2]))\n"
    "start = time.process_time()\nselect_papers(papers, Profile())\n"
    "print(time.process_time() - start)"
)



def _record(n: int, title: str, like: dict[str, object], abstract: str) -> str:
    """The n-th generated paper as a JSONL line: a unique id, the authors and categories of
    the real paper it borrows from, the abstract cut at 900 characters."""
    record = {
        "id": f"26{6 + n // 99999:02d}.{1 + n % 99999:05d}",
        "title": title,
        "authors": like["authors"],
        "categories": like["categories"],
        "published": DAY,
        "abstract": abstract[:900],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"

def rank_seconds(path: Path, code_root: Path, repeat: int) -> float:
    """Median CPU seconds of select_papers over the file's papers, `code_root`'s code."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    runs = []
    for _ in range(repeat):
        # run from the file's folder: `python -c` puts the working directory first on the path
        done = subprocess.run([sys.executable, "-c", RANK_CHILD, str(path), DAY], env=env,
                              cwd=path.parent, check=False, capture_output=True,
                              text=True)  # fmt: skip
        if done.returncode:  # code older than these functions
            return math.nan
        runs.append(float(done.stdout.split()[-1]))
    return statistics.median(runs)


def _base() -> list[dict[str, object]]:
    with EXAMPLE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_day(path: Path, count: int, seed: int = 18) -> int:
    """`count` papers listed on DAY, each a recombination of real ones: a title made of two
    titles' halves, an abstract of ~6 sentences from three abstracts (~1.1 KB a line), the
    authors and categories of one of them. Returns the file's size in bytes."""
    rng = random.Random(seed)
    base = _base()
    sentences = [SENTENCE.split(str(p["abstract"])) for p in base]
    titles = [str(p["title"]) for p in base]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            a, b, c = rng.sample(range(len(base)), 3)
            words_a, words_b = titles[a].split(), titles[b].split()
            title = " ".join(words_a[: max(2, len(words_a) // 2)] + words_b[len(words_b) // 2 :])
            abstract = " ".join(sentences[a][:2] + sentences[b][1:3] + sentences[c][-2:])
            handle.write(_record(n, title, base[a], abstract))
    return path.stat().st_size


# Keyword-dense papers: abstracts that name the default profile's topics again and again (an
# efficiency-heavy day, packed), by the forms papers use: plurals, hyphens, aliases.
DENSE_FORMS = (
    "KV cache", "KV-cache", "key-value cache", "offloading", "long-context", "context window",
    "sparse attention", "linear attention", "sliding window attention", "state space models",
    "SSMs", "mixture-of-experts", "MoE", "speculative decoding", "quantization", "low-bit",
    "FP8", "FP4", "pruning", "distillation", "early exit", "efficient reasoning",
    "overthinking", "diffusion language models", "inference", "serving", "prefill",
    "decoding", "throughput", "latency", "GPU", "CUDA", "distributed training", "parallelism",
    "memory efficient", "RLHF", "LLMs", "large language models", "language models",
    "reinforcement learning", "RL",
)  # fmt: skip
DENSE_SENTENCES = (
    "We combine {} and {} with {} to cut {} and {} of {}.",
    "Unlike {} or {}, our {} keeps {} and {} for {}.",
    "On {} and {}, {} improves {} by 2.1x over {} with {}.",
    "{} with {} reduces {} while {} and {} stay within {}.",
)


def write_dense_day(path: Path, count: int, seed: int = 25) -> int:
    """`count` keyword-dense papers listed on DAY: a real title's half and two keyword forms
    as the title; an abstract of a real sentence and sentences of six keyword forms each, cut
    at 900 characters (about 50 mentions a paper). Returns the file's size in bytes."""
    rng = random.Random(seed)
    base = _base()
    sentences = [SENTENCE.split(str(p["abstract"])) for p in base]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            a = rng.randrange(len(base))
            words = str(base[a]["title"]).split()
            title = " ".join(words[: max(2, len(words) // 2)])
            title += f" for {rng.choice(DENSE_FORMS)} and {rng.choice(DENSE_FORMS)}"
            parts = [rng.choice(sentences[a])]
            while sum(len(p) + 1 for p in parts) < 900:
                template = rng.choice(DENSE_SENTENCES)
                sentence = template.format(*rng.sample(DENSE_FORMS, 6))
                parts.append(sentence[0].upper() + sentence[1:])
            handle.write(_record(n, title, base[a], " ".join(parts)))
    return path.stat().st_size


def old_code(folder: Path, commit: str = BEFORE) -> Path:
    """The code of `commit`, extracted into `folder` (`git archive`: reads the repository,
    changes nothing)."""
    archive = folder / "before.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", commit], cwd=ROOT, stdout=handle, check=True)
    target = folder / "before"
    target.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target


def run_cli(args: list[str], code_root: Path, home: Path) -> tuple[float, float]:
    """One whole `briefgen ARGS` process with `code_root` first on the path: (wall seconds,
    peak resident MiB of that process)."""
    rss_file = home / "peak.rss"
    env = {
        **os.environ,
        "PYTHONPATH": str(code_root),
        "BRIEFGEN_HOME": str(home),
        "BENCH_RSS_FILE": str(rss_file),
    }
    env.pop("BRIEFGEN_CONFIG", None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env=env, cwd=home, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    return seconds, int(rss_file.read_text().split()[0]) / 1024  # KiB on Linux


def median_of(args: list[str], code_root: Path, repeat: int) -> tuple[float, float]:
    """(median wall seconds, largest peak MiB) of `repeat` runs, each with a fresh home."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            runs.append(run_cli(args, code_root, Path(home)))
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def ranking(
    counts: list[int], repeat: int, before: str | None, *, dense: bool = False
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        roots = [("after", ROOT)]
        if before:
            roots.insert(0, (f"before ({before})", old_code(work, before)))
        print(f"{'briefgen papers --papers FILE --date D':<52} {'wall s':>8} {'peak MiB':>9}"
              f" {'ranking CPU s':>14}")  # fmt: skip
        for count in counts:
            path = work / f"papers-{count}.jsonl"
            size = (write_dense_day if dense else write_day)(path, count)
            args = ["papers", "--papers", str(path), "--date", DAY, "-q"]
            for name, root in roots:
                seconds, peak = median_of(args, root, repeat)
                ranked = rank_seconds(path, root, repeat)
                kind = "keyword-dense papers" if dense else "papers"
                label = f"{count:,} {kind} ({size / 1e6:.0f} MB), {name}"
                print(f"{label:<52} {seconds:>8.2f} {peak:>9.1f} {ranked:>14.2f}", flush=True)


def huge(repeat: int, abstract_mb: int = 50) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        normal = work / "day.jsonl"
        normal.write_bytes(EXAMPLE.read_bytes())
        big = work / "day-huge.jsonl"
        words = "attention " * (abstract_mb * 100_000)  # 10 characters a word
        record = {"id": "2606.99999", "title": "A record with an enormous abstract",
                  "authors": ["A. Author"], "categories": ["cs.CL"], "published": DAY,
                  "abstract": words[:-1] + "."}  # fmt: skip
        with big.open("w", encoding="utf-8") as handle:
            handle.write(EXAMPLE.read_text(encoding="utf-8"))
            handle.write(json.dumps(record) + "\n")
        print(f"{'briefgen daily --papers FILE':<44} {'wall s':>8} {'peak MiB':>9}")
        for name, path in (("220-paper day", normal),
                           (f"same + one {abstract_mb} MB abstract", big)):  # fmt: skip
            args = ["daily", "--papers", str(path), "--date", DAY, "-q", "-o",
                    str(work / "brief.md")]  # fmt: skip
            seconds, peak = median_of(args, ROOT, repeat)
            print(f"{name:<44} {seconds:>8.2f} {peak:>9.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-before", action="store_true", help="skip the old code")
    parser.add_argument("--before", default=BEFORE, help=f"the old code's commit ({BEFORE})")
    parser.add_argument("--dense", action="store_true", help="keyword-dense papers")
    parser.add_argument("--huge", action="store_true", help="the 50 MB-abstract record")
    args = parser.parse_args()
    if args.huge:
        huge(args.repeat)
        return
    before = None if args.no_before else args.before
    ranking(args.counts, args.repeat, before, dense=args.dense)


if __name__ == "__main__":
    main()

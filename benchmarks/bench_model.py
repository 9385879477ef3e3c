"""How close a model run comes to its critical path, run by hand:

    python -m benchmarks.bench_model [--papers 40] [--concurrency 8] [--latency 1.0]
                                     [--jitter 0.1] [--repeat 3] [--lang en] [--batch]

Starts a local Messages-API server (tests/fakes.py) whose every call takes latency ± jitter
seconds, writes N synthetic papers, and runs `briefgen daily --provider anthropic` over them in
a fresh process and store, side by side with the ideal critical path:

    ceil(N / concurrency) × latency  +  synthesis latency  (+ translation)  +  start-up

where start-up is a measured `briefgen --version`. Prints medians of wall time, the ideal,
their ratio, the model calls made, and input/output tokens per paper.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from briefgen.models import Paper
from tests.fakes import FakeAnthropic, FakeBatches, FakeServer

TOPICS = [
    "speculative decoding", "KV cache offload", "mixture-of-experts routing", "FP8 training",
    "sparse attention kernels", "pipeline parallelism", "RLHF reward models", "state space models",
]  # fmt: skip


def synthetic_papers(count: int) -> list[Paper]:
    return [
        Paper(
            id=f"2602.{30000 + n}v1",
            title=f"Efficient {TOPICS[n % len(TOPICS)]} for LLM inference, variant {n}",
            authors=["A. Author", "B. Author"],
            abstract=f"We propose a method for {TOPICS[n % len(TOPICS)]} in LLM inference. "
            f"It improves throughput by {1 + n % 5}.{n % 10}x on a standard benchmark. " * 3,
            categories=["cs.LG"],
            published=date(2026, 2, 18),
        )
        for n in range(count)
    ]


def run_once(server: FakeServer, args: argparse.Namespace, papers_file: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ, "BRIEFGEN_HOME": home, "ANTHROPIC_BASE_URL": server.url,
            "ANTHROPIC_API_KEY": "sk-ant-benchmark-not-a-key", "BRIEFGEN_MAX_PAPERS": "2000",
            "BRIEFGEN_BATCH_POLL_SECONDS": "0",
        }  # fmt: skip
        command = [
            sys.executable, "-m", "briefgen", "daily", "--papers", str(papers_file),
            "--provider", "anthropic", "--concurrency", str(args.concurrency),
            "--lang", args.lang, "-q", "-o", str(Path(home) / "brief.md"),
        ]  # fmt: skip
        if args.batch:
            command.append("--batch")
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True)
        wall = time.perf_counter() - start
        db = sqlite3.connect(Path(home) / "briefgen.sqlite3")
        calls, tokens_in, tokens_out = db.execute(
            "SELECT COUNT(*), SUM(input_tokens + cache_read_tokens + cache_write_tokens), "
            "SUM(output_tokens) FROM calls WHERE purpose LIKE 'analysis%'"
        ).fetchone()
        total_calls = db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        db.close()
    return {"wall": wall, "calls": total_calls, "analysis_calls": calls,
            "in": tokens_in or 0, "out": tokens_out or 0}  # fmt: skip


def startup_seconds(repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "briefgen", "--version"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--jitter", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", default="en", choices=["en", "zh", "both"])
    parser.add_argument("--batch", action="store_true")
    args = parser.parse_args()

    server = FakeServer().start()
    api = FakeAnthropic(delay=args.latency, jitter=args.jitter)
    server.route("/v1/messages", api)
    server.route("/v1/messages/batches", FakeBatches(api, server.url, polls=1))
    try:
        with tempfile.TemporaryDirectory() as folder:
            papers_file = Path(folder) / "papers.jsonl"
            papers = synthetic_papers(args.papers)
            papers_file.write_text("\n".join(p.model_dump_json() for p in papers) + "\n")
            startup = startup_seconds()
            runs = [run_once(server, args, papers_file) for _ in range(args.repeat)]
    finally:
        server.stop()
    translation = 1 if args.lang != "en" else 0
    ideal = (
        math.ceil(args.papers / args.concurrency) * args.latency
        + (1 + translation) * args.latency
        + startup
    )
    wall = statistics.median(r["wall"] for r in runs)
    per_paper_in = statistics.median(r["in"] / max(1, r["analysis_calls"]) for r in runs)
    per_paper_out = statistics.median(r["out"] / max(1, r["analysis_calls"]) for r in runs)
    report = {
        "papers": args.papers, "concurrency": args.concurrency, "latency_s": args.latency,
        "jitter_s": args.jitter, "runs": args.repeat, "startup_s": round(startup, 3),
        "ideal_s": round(ideal, 3), "wall_median_s": round(wall, 3),
        "ratio": round(wall / ideal, 3),
        "model_calls": statistics.median(r["calls"] for r in runs),
        "input_tokens_per_paper": round(per_paper_in),
        "output_tokens_per_paper": round(per_paper_out),
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

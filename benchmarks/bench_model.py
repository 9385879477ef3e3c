"""A model run at real reply sizes and latencies, against a Messages API as strict as the real one,
run by hand:

    python -m benchmarks.bench_model [--papers 30] [--concurrency 8] [--repeat 3]
                                     [--time-scale 0.25] [--batch]

Starts a local server with the arXiv HTML of N synthetic papers (each fills the 12k-token
full-text budget) and a Messages API (tests/fakes.py, `realistic`) that writes full-size
analyses, syntheses and translations, cuts replies at max_tokens, caches a prefix only above the
model's minimum, and takes a time to first token plus a time per output token (Haiku 6 ms,
Sonnet 15 ms; all latencies multiplied by --time-scale so a run is quick, ratios unchanged).

1. Wall time: `briefgen daily --fulltext` with `--lang en` and `--lang both`, alternated, each
   against its ideal critical path, computed from what the server billed that run:

       start-up + warm-up (first token) + ceil(N / concurrency) x median analysis latency
       + synthesis latency (+ for both: the longest translation sent after the synthesis)

2. Billed input tokens per paper and per brief, with prompt caching on and off (`--lang en`):
   input at full price, cache writes (1.25x) and reads (0.1x), in full-price tokens and dollars,
   and what the whole brief costs, also for `--lang both`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.bench_sources import big_page
from briefgen.core.models import Paper
from briefgen.core.settings import DEFAULT_PRICES
from tests.fakes import Billed, FakeAnthropic, FakeBatches, FakeServer, Reply

HAIKU, SONNET = "claude-haiku-4-5", "claude-sonnet-4-6"
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


def run_once(
    server: FakeServer, api: FakeAnthropic, args: argparse.Namespace, papers_file: Path,
    lang: str, caching: bool = True,
) -> tuple[float, list[Billed]]:  # fmt: skip
    api.billed, api.cache = [], {}  # a fresh account: nothing cached from the last run
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ, "BRIEFGEN_HOME": home, "ANTHROPIC_BASE_URL": server.url,
            "ANTHROPIC_API_KEY": "sk-ant-benchmark-not-a-key", "BRIEFGEN_MAX_PAPERS": "2000",
            "BRIEFGEN_MODEL__BATCH_POLL_SECONDS": "0",
            "BRIEFGEN_SOURCES__ARXIV_HTML_URL": f"{server.url}/html/",
            "BRIEFGEN_MODEL__PROMPT_CACHING": "true" if caching else "false",
        }  # fmt: skip
        command = [
            sys.executable, "-m", "briefgen", "daily", "--papers", str(papers_file), "--fulltext",
            "--provider", "anthropic", "--concurrency", str(args.concurrency),
            "--lang", lang, "-q", "-o", str(Path(home) / "brief.md"),
        ]  # fmt: skip
        if args.batch:
            command.append("--batch")
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True)
        return time.perf_counter() - start, list(api.billed)


def startup_seconds(repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "briefgen", "--version"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ideal_seconds(billed: list[Billed], args: argparse.Namespace, rates: dict[str, float],
                  startup: float) -> float:  # fmt: skip
    """The run's critical path if every stage waited only for what it needs."""
    ttft = float(args.ttft * args.time_scale)

    def latency(b: Billed) -> float:
        return ttft + b.output_tokens * rates[b.model]

    analyses = [latency(b) for b in billed if b.kind == "analysis"]
    syntheses = [b for b in billed if b.kind == "synthesis"]
    ideal = startup + (ttft if any(b.kind == "warm-up" for b in billed) else 0.0)
    if analyses:
        ideal += math.ceil(len(analyses) / args.concurrency) * statistics.median(analyses)
    ideal += sum(latency(b) for b in syntheses)
    synthesis_end = max((b.at for b in syntheses), default=0.0)
    after = [latency(b) for b in billed if b.kind == "translation" and b.at > synthesis_end]
    return ideal + max(after, default=0.0)


def billed_tokens(billed: list[Billed]) -> dict[str, float]:
    """Input tokens at full price, cache writes and reads, in full-price tokens and dollars;
    and what the calls cost in all, output included."""
    full_price = sum(b.input_tokens + 1.25 * b.cache_write + 0.1 * b.cache_read for b in billed)
    dollars = output = 0.0
    for b in billed:
        p = DEFAULT_PRICES[b.model]
        dollars += (b.input_tokens * p.input + b.cache_write * p.cache_write
                    + b.cache_read * p.cache_read) / 1e6  # fmt: skip
        output += b.output_tokens * p.output / 1e6
    return {
        "input": sum(b.input_tokens for b in billed),
        "cache_write": sum(b.cache_write for b in billed),
        "cache_read": sum(b.cache_read for b in billed),
        "billed_as_full_price": round(full_price),
        "input_usd": round(dollars, 4),
        "total_usd": round(dollars + output, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--ttft", type=float, default=0.6, help="seconds to the first token")
    parser.add_argument("--haiku-ms", type=float, default=6.0, help="ms per output token")
    parser.add_argument("--sonnet-ms", type=float, default=15.0, help="ms per output token")
    parser.add_argument("--time-scale", type=float, default=0.25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--tokens-only", action="store_true", help="skip the timed runs")
    args = parser.parse_args()

    rates = {HAIKU: args.haiku_ms / 1000 * args.time_scale,
             SONNET: args.sonnet_ms / 1000 * args.time_scale}  # fmt: skip
    server = FakeServer().start()
    api = FakeAnthropic(delay=args.ttft * args.time_scale, realistic=True,
                        per_token_by_model=rates)  # fmt: skip
    page = big_page(250_000)  # its text fills the 12k-token full-text budget
    server.route("/html/", lambda request: Reply(body=page, content_type="text/html"))
    server.route("/v1/messages", api)
    server.route("/v1/messages/batches", FakeBatches(api, server.url, polls=1))
    report: dict[str, object] = {
        "papers": args.papers, "concurrency": args.concurrency, "runs": args.repeat,
        "ttft_s": args.ttft, "haiku_ms_per_token": args.haiku_ms,
        "sonnet_ms_per_token": args.sonnet_ms, "time_scale": args.time_scale,
    }  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as folder:
            papers_file = Path(folder) / "papers.jsonl"
            papers = synthetic_papers(args.papers)
            papers_file.write_text("\n".join(p.model_dump_json() for p in papers) + "\n")
            startup = startup_seconds()
            report["startup_s"] = round(startup, 3)
            walls: dict[str, list[float]] = {"en": [], "both": []}
            ideals: dict[str, list[float]] = {"en": [], "both": []}
            calls: dict[str, list[int]] = {"en": [], "both": []}
            for _ in range(0 if args.tokens_only else args.repeat):  # alternated, so both
                # languages see the same machine
                for lang in ("en", "both"):
                    wall, billed = run_once(server, api, args, papers_file, lang)
                    walls[lang].append(wall)
                    ideals[lang].append(ideal_seconds(billed, args, rates, startup))
                    calls[lang].append(len(billed))
            for lang in () if args.tokens_only else ("en", "both"):
                wall, ideal = statistics.median(walls[lang]), statistics.median(ideals[lang])
                report[f"lang_{lang}"] = {
                    "wall_median_s": round(wall, 3), "ideal_s": round(ideal, 3),
                    "ratio_to_ideal": round(wall / ideal, 3),
                    "model_calls": statistics.median(calls[lang]),
                }  # fmt: skip
            if not args.tokens_only:
                en, both = statistics.median(walls["en"]), statistics.median(walls["both"])
                report["both_over_en"] = round(both / en, 3)
            for caching in (True, False):
                _, billed = run_once(server, api, args, papers_file, "en", caching)
                per_paper = [b for b in billed if b.kind in ("analysis", "warm-up")]
                analysed = sum(1 for b in billed if b.kind == "analysis")
                paper_tokens = billed_tokens(per_paper)
                report[f"caching_{'on' if caching else 'off'}"] = {
                    "per_paper": {k: round(v / analysed, 4 if k.endswith("usd") else 0)
                                  for k, v in paper_tokens.items()},
                    "per_brief": billed_tokens(billed),
                }  # fmt: skip
            _, billed = run_once(server, api, args, papers_file, "both")
            report["lang_both_per_brief"] = billed_tokens(billed)
    finally:
        server.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

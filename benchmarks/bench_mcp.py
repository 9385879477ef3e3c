"""`briefgen mcp` tool latency on a store of many days, run by hand:

    python -m benchmarks.bench_mcp [--days 30] [--repeat 20] [--home DIR]

Fills a fresh store (or reuses --home) with `--days` daily briefs: the bundled 2026-06-17 day
again as each of the days before and after it (ids shifted per day, listing dates set), each
through `briefgen daily --papers FILE` (offline engine: no key, no network). Then spawns
`python -m briefgen mcp` and drives it with the MCP SDK's own client over stdio, as an agent
would, calling each tool `--repeat` times; prints the median and p95 wall time of a call as
the client sees it (JSON-RPC over pipes included), and the store's size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "papers-2026-06-17.jsonl"
FIRST = date(2026, 6, 17)
DEAD = "http://127.0.0.1:9"
QUIET = {  # no test or benchmark reaches the internet
    "BRIEFGEN_SOURCES__ARXIV_API_URL": f"{DEAD}/api/query",
    "BRIEFGEN_SOURCES__ARXIV_RSS_URL": f"{DEAD}/rss/",
    "BRIEFGEN_SOURCES__ARXIV_HTML_URL": f"{DEAD}/html/",
    "BRIEFGEN_SOURCES__HF_API_URL": f"{DEAD}/api/daily",
    "BRIEFGEN_SELECTION__EMBEDDING_URL": DEAD, "BRIEFGEN_SELECTION__ZOTERO_API_URL": DEAD,
}  # fmt: skip


def days(count: int) -> list[date]:
    return [FIRST - timedelta(days=count - 1 - i) for i in range(count)]


def fill(home: Path, count: int) -> None:
    rows = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    env = {**os.environ, **QUIET, "BRIEFGEN_HOME": str(home)}
    for n, day in enumerate(days(count)):
        path = home / f"papers-{day}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                yymm, number = row["id"].split(".")
                shifted = f"{yymm}.{(int(number) + 1000 * n) % 100000:05d}"
                out.write(json.dumps({**row, "id": shifted, "published": day.isoformat()}) + "\n")
        subprocess.run([sys.executable, "-m", "briefgen", "daily", "--papers", str(path),
                        "--date", day.isoformat(), "-q"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"stored {day} ({n + 1}/{count})", file=sys.stderr)


def calls(count: int) -> list[tuple[str, dict[str, Any]]]:
    middle = days(count)[count // 2].isoformat()
    return [
        ("list_stored", {}),
        ("search_store", {"query": "kv cache"}),
        ("search_store", {"query": "diffusion", "kind": "brief", "date_from": middle}),
        ("get_brief", {"period": middle}),
        ("get_brief", {"period": middle, "format": "json"}),
        ("get_paper", {"paper_id": "2606.17735"}),
        ("rank_papers", {"date": middle}),
        ("export_references", {"brief": middle}),
        ("new_brief", {"papers_file": f"papers-{middle}.jsonl"}),
        ("get_brief", {"period": "2030-01-01"}),  # an error: the nearest stored dates
    ]


async def measure(home: Path, count: int, repeat: int) -> dict[str, list[float]]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "briefgen", "mcp"],
                                   env={**QUIET, "BRIEFGEN_HOME": str(home)})  # fmt: skip
    timings: dict[str, list[float]] = {}
    async with Client(params, read_timeout_seconds=120) as client:
        for name, args in calls(count):
            key = f"{name} {json.dumps(args)}"
            for _ in range(repeat):
                started = time.perf_counter()
                await client.call_tool(name, args)
                timings.setdefault(key, []).append(time.perf_counter() - started)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-mcp-"))
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not (home / "briefgen.sqlite3").exists():
        fill(home, args.days)
    size = sum(p.stat().st_size for p in home.glob("briefgen.sqlite3*"))
    timings = asyncio.run(measure(home, args.days, args.repeat))
    print(f"store: {args.days} days, {size / 1e6:.1f} MB; {args.repeat} calls each, over stdio")
    print(f"{'median ms':>10} {'p95 ms':>8}  tool and arguments")
    for key, values in timings.items():
        print(f"{statistics.median(values) * 1000:>10.1f} {p95(values) * 1000:>8.1f}  {key}")


if __name__ == "__main__":
    main()

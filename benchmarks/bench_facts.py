"""A fact check of the offline brief against the papers it cites, as a careful reader would.

    python -m benchmarks.bench_facts [PAPERS.jsonl [DATE]]

Defaults to the bundled example day. Counts, in the English and Chinese briefs of that day:
- sentences (50+ characters, not a paper's title) printed three or more times;
- absence claims ("no number", "no limitation", "no experiment") that the cited paper's own
  abstract contradicts, judged with wide cues;
- figures in the brief that appear in no abstract of the day;
- themes named by a list of words ("RL, policy") rather than one phrase;
- the Chinese brief's own lines (takeaways, themes, synthesis, top 5, next steps) that are not
  Chinese once the papers' quoted sentences are set aside.
tests/test_brief_facts.py runs the same check on the example day and requires zero problems.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from briefgen.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "papers-2026-06-17.jsonl"

_FIGURE = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?:\s?(?:%|×|x\b|pp\b))")
_HEDGE = re.compile(
    r"do(?:es)? not claim|honest negatives?|negative results?|\b(?:our|its) (?:main |key )?"
    r"limitations?\b|single run|preliminary|\bn\s?=\s?\d|we caution|caveat|at the cost of|"
    r"underperform", re.I)  # fmt: skip
_EVAL = re.compile(r"experiment|evaluat|results? show|empirical|benchmark|outperform|"
                   r"we (?:test|measure)", re.I)  # fmt: skip
_ANY_NUMBER = re.compile(r"\d")
ABSENCES = [
    ("number", re.compile(r"no (?:number|quantitative|figure)|gives? no number|states? no "
                          r"(?:number|figure)", re.I), _ANY_NUMBER),
    ("limitation", re.compile(r"no limitation", re.I), _HEDGE),
    ("experiment", re.compile(r"(?:reports?|describes?|names?) no (?:experiment|evaluation)",
                              re.I), _EVAL),
]
_LINK = re.compile(r"\[((?:[^\]]|\](?!\())*)\]\([^)]*\)")
_QUOTED = re.compile(r"「[^」]*」|“[^”]*”|\"[^\"]*\"|\[[^\]]*\]\([^)]*\)")


@dataclass
class Facts:
    repeated: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    untraceable: list[str] = field(default_factory=list)
    word_list_themes: list[str] = field(default_factory=list)
    themes: int = 0
    chinese_share: float = 0.0

    def problems(self) -> int:
        return len(self.repeated) + len(self.contradicted) + len(self.untraceable) + len(
            self.word_list_themes
        )


def load_papers(path: Path) -> dict[str, dict[str, str]]:
    papers = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            pid = re.sub(r"v\d+$", "", str(record.get("id", "")).split("/")[-1])
            abstract = record.get("abstract") or record.get("summary") or ""
            papers[pid] = {"title": " ".join(str(record.get("title", "")).split()),
                           "abstract": " ".join(str(abstract).split())}  # fmt: skip
    return papers


def _plain(line: str) -> str:
    """A markdown line as read: link text only, no emphasis, no escapes, no bullet."""
    text = _LINK.sub(r"\1", line.replace("\\[", "[").replace("\\]", "]"))
    return text.replace("**", "").strip().lstrip("- ").strip()


def check(en: str, zh: str, papers: dict[str, dict[str, str]]) -> Facts:
    facts = Facts()
    lines = [_plain(line) for line in en.splitlines() if line.strip()]
    titles = [p["title"] for p in papers.values()]

    def is_title(text: str) -> bool:
        text = text.lstrip("- ").rstrip("…").strip()
        return any(t.startswith(text) or text in t for t in titles)

    pieces = {piece for line in lines for piece in re.split(r"(?<=[.!?…])\s+|\s\|\s|:\s", line)
              if len(piece) >= 50 and not is_title(piece)}  # fmt: skip
    facts.repeated = sorted(p for p in pieces if sum(p in line for line in lines) >= 3)

    current = ""
    for raw in en.splitlines():
        found = re.search(r"arxiv\.org/abs/(\d{4}\.\d{4,5})", raw)
        if found and re.match(r"^\d+\)|^#+", raw.strip()):
            current = found.group(1)
        ids = set(re.findall(r"(\d{4}\.\d{4,5})", raw)) or ({current} if current else set())
        ids |= {i for i, p in papers.items() if len(p["title"]) > 25 and p["title"][:25] in raw}
        for what, claim, cue in ABSENCES:
            if claim.search(raw):
                abstracts = {i: papers.get(i, {}).get("abstract", "") for i in sorted(ids)}
                facts.contradicted += [f"{i}: 'no {what}'" for i, text in abstracts.items()
                                       if cue.search(text)]  # fmt: skip

    everything = " ".join(f"{p['title']} {p['abstract']}" for p in papers.values())
    for figure in sorted(set(_FIGURE.findall(en))):
        number = re.match(r"\d+(?:\.\d+)?", figure)
        if number and number.group(0) not in everything:
            facts.untraceable.append(figure)

    themes = re.findall(r"^#### Theme: (.+)$", en, re.M)
    facts.themes = len(themes)
    facts.word_list_themes = [
        t for t in themes
        if re.fullmatch(r"(?:[^,:]{1,40}: )?[^,:]{1,30}(?:, [^,:]{1,30})+", t.strip())
    ]  # fmt: skip

    sections = re.split(r"^### ", zh, flags=re.M)
    body = [line for part in sections if part[:2] in ("0)", "2)", "3)", "4)", "5)")
            for line in part.splitlines() if line.startswith("- ") and len(line) > 30]  # fmt: skip

    def own_chinese(line: str) -> int:
        line = re.sub(r"^- \*\*[^*]*\*\*[：:]?", "", line)
        return len(re.findall(r"[\u4e00-\u9fff]", _QUOTED.sub("", line)))

    facts.chinese_share = sum(own_chinese(line) >= 2 for line in body) / max(1, len(body))
    return facts


def offline_briefs(papers_file: Path, day: str) -> tuple[str, str]:
    """The day's offline brief in English and Chinese, made as a user makes it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        result = CliRunner().invoke(
            app, ["daily", "--papers", str(papers_file), "--date", day, "--lang", "both",
                  "--output-dir", str(out), "-q"],
            env={"BRIEFGEN_HOME": str(Path(tmp) / "home")},
        )  # fmt: skip
        if result.exit_code != 0:
            raise SystemExit(f"briefgen daily failed (exit {result.exit_code}): {result.stderr}")
        return ((out / f"{day}-brief.en.md").read_text(encoding="utf-8"),
                (out / f"{day}-brief.zh.md").read_text(encoding="utf-8"))  # fmt: skip


def main(argv: list[str]) -> int:
    papers_file = Path(argv[0]) if argv else EXAMPLE
    day = argv[1] if len(argv) > 1 else "2026-06-17"
    en, zh = offline_briefs(papers_file, day)
    facts = check(en, zh, load_papers(papers_file))
    print(f"Offline brief of {day} from {papers_file.name}, checked against its papers:")
    print(f"  sentences printed 3+ times:              {len(facts.repeated)}")
    print(f"  absence claims the abstracts contradict: {len(facts.contradicted)}")
    print(f"  figures in no abstract of the day:       {len(facts.untraceable)}")
    print(f"  theme names that are word lists:         {len(facts.word_list_themes)} of "
          f"{facts.themes}")  # fmt: skip
    print(f"  Chinese brief, its own lines in Chinese: {facts.chinese_share:.0%}")
    for name in ("repeated", "contradicted", "untraceable", "word_list_themes"):
        for item in getattr(facts, name)[:3]:
            print(f"    {name}: {item[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

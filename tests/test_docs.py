"""The documentation is true: the site builds with `mkdocs build --strict` (a broken link or
anchor fails), its reference pages name every command, option and setting there is, the
commands of the getting-started pages and the guides run on the bundled example day as a
reader would paste them (offline), and the README keeps to its two-command quickstart."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer
from pydantic import BaseModel
from typer.core import TyperGroup, TyperOption
from typer.main import get_command
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.notify_targets import TARGET_MODELS
from briefgen.core.settings import Settings
from briefgen.core.settings_errors import model_of
from tests.conftest import REPO
from tests.test_cli_truth import all_commands

DOCS = REPO / "docs"
README = REPO / "README.md"
# The pages whose commands a reader pastes: each runs on the example day, in order.
RUN = sorted([*(DOCS / "getting-started").glob("*.md"), *(DOCS / "guides").glob("*.md")])
PARSE_ONLY = "<!-- docs-test: parse-only"
OFFLINE = "http://127.0.0.1:9/"  # nothing listens: a command that reaches out fails at once


def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "scripts" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]
    cli = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text()
    assert "briefgen daily" in cli and "--max-papers" in cli


def test_every_page_is_in_the_navigation() -> None:
    nav = (REPO / "mkdocs.yml").read_text()
    for page in DOCS.rglob("*.md"):
        assert str(page.relative_to(DOCS)) in nav, f"{page} is not in mkdocs.yml's nav"


def test_the_cli_reference_names_every_command_and_option() -> None:
    text = hooks().cli_reference()
    for path, command in all_commands():
        if not path:
            continue
        assert f"# briefgen {' '.join(path)}\n" in text, path
        for param in command.params:
            if isinstance(param, TyperOption) and not param.hidden:
                assert f"`{param.opts[0]}`" in text, (path, param.opts[0])
    # in the order --help lists them
    listed = re.findall(r"^## briefgen (\S+)$", text, re.M)
    root = get_command(app)
    assert isinstance(root, TyperGroup)
    assert listed == root.list_commands(typer.Context(root))


def test_the_configuration_reference_names_every_setting_with_its_description() -> None:
    text = hooks().config_reference()
    models: list[type[BaseModel]] = [Settings, *TARGET_MODELS]
    for field in Settings.model_fields.values():
        held = model_of(field.annotation)[0]
        if held is not None and not field.exclude:
            models.append(held)
    for model in models:
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            assert field.description, f"{model.__name__}.{name} has no description"
            if model_of(field.annotation)[0] is None and name != "notify":
                assert f"| `{field.alias or name}` |" in text, name
    for table in ("[profiles.NAME]", "[notify.NAME]", "[sources]", "[model]", "[output]"):
        assert f"## {table}" in text
    for variable in ("BRIEFGEN_MAX_PAPERS", "BRIEFGEN_LANG", "BRIEFGEN_SOURCES__ARXIV_API_URL"):
        assert f"`{variable}`" in text


# The commands in the docs run --------------------------------------------------------------


def blocks(page: Path) -> list[tuple[bool, list[str]]]:
    """Each ```bash block of a page: (parse only?, its command lines, continuations joined)."""
    found = []
    lines = page.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() != "```bash":
            continue
        body = []
        for text in lines[i + 1 :]:
            if text.startswith("```"):
                break
            body.append(text)
        joined = "\n".join(body).replace("\\\n", " ").splitlines()
        parse_only = i > 1 and lines[i - 1].startswith(PARSE_ONLY)
        found.append((parse_only, [c for c in joined if c.strip() and not c.startswith("#")]))
    return found


def words(line: str) -> list[str]:
    """A command line as the shell splits it, without `VAR=value` before it."""
    tokens = shlex.split(line, comments=True)
    while tokens and re.match(r"^[A-Z_]+=", tokens[0]):
        tokens.pop(0)
    return tokens


def parse(args: list[str]) -> None:
    """Parse a briefgen command line as the CLI would (every option must exist and take its
    value), without running it."""
    command = get_command(app)
    ctx = typer.Context(command, info_name="briefgen")
    while isinstance(command, TyperGroup) and args and not args[0].startswith("-"):
        name, args = args[0], args[1:]
        sub = command.get_command(ctx, name)
        assert sub is not None, f"no command {name!r}"
        command, ctx = sub, typer.Context(sub, info_name=name, parent=ctx)
    command.make_context(ctx.info_name or "", list(args), parent=ctx.parent)


@pytest.mark.parametrize("page", RUN, ids=lambda p: p.stem)
def test_the_documented_commands_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of a getting-started page or a guide, in order, in a fresh folder that
    holds the examples, with its own store and no network; exit 0. A block marked parse-only
    (it needs a key or the network) is parsed against the CLI."""
    (tmp_path / "examples").symlink_to(REPO / "examples")
    monkeypatch.chdir(tmp_path)
    env = {
        "HOME": str(tmp_path / "home"), "BRIEFGEN_HOME": str(tmp_path / "briefgen"),
        "BRIEFGEN_CONFIG": None, "ANTHROPIC_API_KEY": None, "OPENAI_API_KEY": None,
        "BRIEFGEN_SOURCES__ARXIV_API_URL": OFFLINE, "BRIEFGEN_SOURCES__ARXIV_RSS_URL": OFFLINE,
        "BRIEFGEN_SOURCES__ARXIV_HTML_URL": OFFLINE, "BRIEFGEN_SOURCES__HF_API_URL": OFFLINE,
        "BRIEFGEN_SELECTION__ZOTERO_API_URL": OFFLINE, "BRIEFGEN_SELECTION__EMBEDDING_URL": OFFLINE,
        "COLUMNS": "80",
    }  # fmt: skip
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    runner = CliRunner()
    ran = 0
    for parse_only, lines in blocks(page):
        for line in lines:
            args = words(line)
            if not args or args[0] != "briefgen":
                continue  # a shell line around the commands (export, cd)
            args = args[1:]
            if parse_only:
                parse([a for a in args if a not in (">",)])
                continue
            assert not {"|", "&&", ";", "$("} & set(args), f"not one command: {line}"
            out = None
            if ">" in args:
                args, out = args[: args.index(">")], args[args.index(">") + 1]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, f"{page.name}: `{line}` exit {result.exit_code}\n" + (
                result.stderr[-2000:]
            )
            if out is not None:
                (tmp_path / out).write_text(result.stdout)
            ran += 1
    assert ran or page.stem == "agents" or page.stem == "delivery", f"{page.name} ran nothing"


# The README --------------------------------------------------------------------------------


def quickstart() -> list[str]:
    text = README.read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|console|sh)\n(?:\$ )?(.+?)\n```", section)


def test_the_readme_is_short_and_its_quickstart_is_two_commands() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 250
    first, second = quickstart()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    assert first.endswith(".venv/bin/briefgen daily --papers examples/papers-2026-06-17.jsonl")
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert second == ci, "CI must run the README's test command verbatim"
    assert "pip install briefgen" not in text


def test_the_readme_quickstart_brief_is_the_example(tmp_path: Path) -> None:
    first = quickstart()[0]
    args = words(first.split("&& ")[-1])[1:]
    result = CliRunner().invoke(app, args, env={"BRIEFGEN_HOME": str(tmp_path), "HOME":
                                                str(tmp_path)})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# AI Paper Insight Brief")


def test_the_readme_links_resolve() -> None:
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text()):
        if "://" not in target:
            assert (REPO / target).exists(), target


def test_no_usage_line_in_the_docs_means_or_with_a_pipe() -> None:
    """`briefgen config init | show | path` runs a pipe when pasted: alternatives are words."""
    for page in [README, *DOCS.rglob("*.md")]:
        for line in page.read_text().splitlines():
            if line.startswith("briefgen ") and "|" in line.split("#")[0]:
                stripped = line.split("#")[0]
                assert re.search(r"\|\s*(head|tail|grep|less)\b", stripped), (page, line)


def test_the_automation_examples_install_briefgen_from_its_repository() -> None:
    """No package index has briefgen: the cron and GitHub Actions examples install it from its
    repository, as they say."""
    workflow = (REPO / "examples" / "github-actions-briefgen.yml").read_text()
    cron = (REPO / "examples" / "crontab.txt").read_text()
    for text in (workflow, cron, *(p.read_text() for p in DOCS.rglob("*.md"))):
        assert not re.search(r"pip install briefgen\b", text)
    assert "repository: ${{ vars.BRIEFGEN_REPOSITORY }}" in workflow
    assert "python -m pip install ./.briefgen-src" in workflow
    assert "/opt/briefgen/.venv/bin/pip install /opt/briefgen" in cron
    assert "\nPATH=/opt/briefgen/.venv/bin:" in cron


def test_the_readme_commands_parse() -> None:
    """The README's ten commands (they need a key or the network) are parsed against the CLI,
    so a renamed flag fails here too."""
    parsed = 0
    for _, lines in blocks(README):
        for line in lines:
            args = words(line)
            if args and args[0] == "briefgen":
                parse(args[1:])
                parsed += 1
    assert parsed >= 10

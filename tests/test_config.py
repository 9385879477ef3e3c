from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import ConfigError
from briefgen.core.settings import (
    DEFAULT_CATEGORIES,
    SourcesSettings,
    default_config_path,
    load_settings,
)
from briefgen.core.settings_moved import MOVED
from briefgen.core.settings_toml import default_config_text, settings_to_toml
from tests.conftest import EXAMPLE


def test_defaults_follow_seed_003(isolated_home: Path) -> None:
    settings = load_settings()
    assert (
        settings.active_profile.categories
        == DEFAULT_CATEGORIES
        == ["cs.AI", "cs.CL", "cs.DC", "cs.LG"]
    )
    assert "kv cache" in settings.active_profile.keywords
    assert settings.store.home == isolated_home
    assert default_config_path() == isolated_home / "config.toml"


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('lang = "zh"\n[profiles.default]\nmax_papers = 5\nkeywords = ["a"]\n')
    assert load_settings(config, env={}).active_profile.max_papers == 5
    assert load_settings(config, env={}).lang == "zh"
    env = {"BRIEFGEN_MAX_PAPERS": "7", "BRIEFGEN_LANG": "both", "BRIEFGEN_KEYWORDS": "x, y"}
    from_env = load_settings(config, env=env)
    assert (from_env.active_profile.max_papers, from_env.lang) == (7, "both")
    assert from_env.active_profile.keywords == ["x", "y"]
    from_flags = load_settings(
        config, env=env, overrides={"lang": "en"}, profile_overrides={"max_papers": 9}
    )
    assert (from_flags.active_profile.max_papers, from_flags.lang) == (9, "en")


def test_default_config_text_reads_back_as_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(default_config_text())
    assert load_settings(config, env={}).profiles == load_settings(env={}).profiles


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lang = ", "is not valid TOML"),
        ('lang = "fr"', "lang: Input should be 'en', 'zh' or 'both'"),
        ("[profiles.default]\nmax_papers = 0", "profiles.default.max_papers"),
        ("colour = 1", "colour: unknown setting"),
        ('profile = "systems"', "profile 'systems' is not defined"),
    ],
)
def test_bad_config_is_a_config_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(config, env={})
    assert "c.toml" in str(info.value)


def test_an_explicit_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})
    # The default location may simply not exist yet.
    assert load_settings(env={"BRIEFGEN_HOME": str(tmp_path)}).lang == "en"


# Settings grouped by stage; what a config from before the grouping still does -----------------

OLD_FLAT = {
    "sources": '["arxiv", "hf"]', "cross_lists": "true",
    "arxiv_api_url": '"http://mirror.example/api/query"', "arxiv_rss_url": '"http://m.example/rss/"',
    "arxiv_html_url": '"http://m.example/html/"', "hf_api_url": '"http://m.example/hf"',
    "arxiv_delay_seconds": "0.5", "contact": '"me@example.org"',
    "extra_holidays": "[2026-12-24]", "fulltext_budget": "9000", "fulltext_concurrency": "2",
    "embedding_model": '"minishlab/potion-base-8M"', "embedding_url": '"http://m.example"',
    "zotero_api_url": '"http://z.example"', "weekly_max_papers": "50",
    "http_timeout_seconds": "12.0", "service_deadline_seconds": "20.0", "http_retries": "3",
    "retry_wait_seconds": "1.0", "analysis_model": '"a-model"', "synthesis_model": '"s-model"',
    "concurrency": "3", "batch_poll_seconds": "5.0", "synthesis_batch": "60",
    "model_timeout_seconds": "90.0", "max_output_tokens": "2048",
    "synthesis_max_output_tokens": "4096", "prompt_caching": "false",
    "anthropic_structured": '"tool"', "openai_base_url": '"http://llm.example/v1"',
    "prompts_dir": '"/srv/prompts"', "translation_model": '"t-model"',
    "translation_max_tokens": "4096", "translation_chunk_tokens": "900",
    "daily_filename": '"{date}.{lang}.{ext}"', "weekly_filename": '"{end}-week.{lang}.{ext}"',
    "report_filename": '"{date}-r.{lang}.{ext}"', "front_matter": "true",
    "front_matter_body_title": "true", "feed_base_url": '"https://blog.example/"',
    "feed_title": '"My briefs"',
}  # fmt: skip


def new_shape(flat: dict[str, str]) -> str:
    """The same settings written in their tables."""
    tables: dict[str, list[str]] = {}
    for old, value in flat.items():
        group, key = MOVED[old]
        tables.setdefault(group, []).append(f"{key} = {value}")
    return "".join(f"[{group}]\n" + "\n".join(lines) + "\n" for group, lines in tables.items())


def test_every_old_flat_key_loads_where_it_moved_with_one_warning_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(OLD_FLAT) == set(MOVED)  # the test covers every key that moved
    old, new = tmp_path / "config.toml", tmp_path / "new.toml"
    old.write_text('lang = "zh"\n' + "".join(f"{k} = {v}\n" for k, v in OLD_FLAT.items()))
    new.write_text('lang = "zh"\n' + new_shape(OLD_FLAT))
    with caplog.at_level(logging.WARNING):
        from_old = load_settings(old, env={})
    moved = [r.getMessage() for r in caplog.records]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        from_new = load_settings(new, env={})
    assert not caplog.records  # the new shape loads silently
    assert from_old.model_dump() == from_new.model_dump()
    assert from_old.sources.use == ["arxiv", "hf"] and from_old.model.timeout_seconds == 90
    assert len(moved) == len(OLD_FLAT) == len(set(moved))
    assert ("config.toml: 'arxiv_api_url' has moved to [sources] arxiv_api_url; it is read "
            "from the old place for now") in moved  # fmt: skip
    assert "config.toml: 'translation_model' has moved to [translation] model; it is read " \
        "from the old place for now" in moved
    assert capsys.readouterr().out == ""  # nothing on stdout: --format json is piped


def test_old_flat_variables_still_work_with_one_warning_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"BRIEFGEN_HOME": str(tmp_path), "BRIEFGEN_ARXIV_API_URL": "http://old.example/api",
           "BRIEFGEN_SOURCES": "arxiv,hf", "BRIEFGEN_CONCURRENCY": "2"}  # fmt: skip
    with caplog.at_level(logging.WARNING):
        settings = load_settings(env=env)
    assert settings.sources.arxiv_api_url == "http://old.example/api"
    assert settings.sources.use == ["arxiv", "hf"] and settings.model.concurrency == 2
    assert sorted(r.getMessage() for r in caplog.records) == [
        "BRIEFGEN_ARXIV_API_URL has moved to BRIEFGEN_SOURCES__ARXIV_API_URL; it is read from "
        "the old name for now",
        "BRIEFGEN_CONCURRENCY has moved to BRIEFGEN_MODEL__CONCURRENCY; it is read from the old "
        "name for now",
        "BRIEFGEN_SOURCES has moved to BRIEFGEN_SOURCES__USE; it is read from the old name for now",
    ]
    # The new names win over the old, and a table's key is set alone.
    env |= {"BRIEFGEN_SOURCES__ARXIV_API_URL": "http://new.example/api"}
    assert load_settings(env=env).sources.arxiv_api_url == "http://new.example/api"


MOVED_LINES = [
    "warning: config.toml: 'arxiv_delay_seconds' has moved to [sources] arxiv_delay_seconds; it "
    "is read from the old place for now",
    "warning: config.toml: 'feed_title' has moved to [output] feed_title; it is read from the "
    "old place for now",
    "warning: BRIEFGEN_CONCURRENCY has moved to BRIEFGEN_MODEL__CONCURRENCY; it is read from "
    "the old name for now",
]


@pytest.mark.parametrize("args", [
    ["daily", "--papers", str(EXAMPLE), "--date", "2026-06-17", "-o", "{out}/brief.md"],
    ["weekly", "--papers", str(EXAMPLE), "--week", "2026-W25", "-o", "{out}/week.md"],
    ["config", "show"],
    ["daily", "--help"],
    ["config", "show", "--help"],
])  # fmt: skip
def test_a_command_warns_of_each_moved_key_once_on_stderr(
    runner: CliRunner, isolated_home: Path, args: list[str]
) -> None:
    isolated_home.mkdir()
    (isolated_home / "config.toml").write_text('arxiv_delay_seconds = 4.0\nfeed_title = "Old"\n')
    args = [arg.format(out=isolated_home) for arg in args]
    result = runner.invoke(app, args, env={"BRIEFGEN_CONCURRENCY": "2"})
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == MOVED_LINES
    assert "has moved" not in result.stdout


def test_a_key_in_the_wrong_table_is_told_where_it_belongs(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    for text, message in [
        ("use = ['hf']", "use: unknown setting; this key belongs to [sources]"),
        ("[model]\narxiv_api_url = 'x'", "model.arxiv_api_url: unknown [model] setting; this "
         "key belongs to [sources]"),
        ("[output]\nconcurrency = 2", "this key belongs to [model]"),
        ("[model]\ncurrency = 2", "did you mean 'concurrency'?"),
        ("[sources]\nlang = 'zh'", "lang is a top-level setting"),
    ]:  # fmt: skip
        config.write_text(text)
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_settings(config, env={})


def test_config_show_reads_back_as_the_same_settings(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(new_shape(OLD_FLAT) + '[prices."my-model"]\ninput = 1.0\noutput = 2.0\n'
                      '[profiles.work]\nkeywords = ["x"]\n[mcp]\nfolders = ["/srv"]\n')  # fmt: skip
    settings = load_settings(config, env={})
    again = tmp_path / "again.toml"
    again.write_text(settings_to_toml(settings))
    assert load_settings(again, env={}).model_dump() == settings.model_dump()
    assert settings.prices["my-model"].output == 2 and settings.mcp.folders == [Path("/srv")]


def test_the_template_says_each_setting_with_its_description(tmp_path: Path) -> None:
    text = default_config_text()
    for table in ("[sources]", "[selection]", "[network]", "[model]", "[translation]",
                  "[output]", "[mcp]", "[profiles.default]"):  # fmt: skip
        assert f"\n{table}\n" in text
    description = SourcesSettings.model_fields["arxiv_api_url"].description
    assert f"# {description}\narxiv_api_url = " in text
    for kind in ("email", "slack", "feishu", "telegram"):  # commented-out examples
        assert f'# kind = "{kind}"' in text
    assert "# [prices.my-model]" in text
    example = tmp_path / "example.toml"  # uncommented, the examples load too
    example.write_text(re.sub(r"(?m)^# (?=\[|[a-z_]+ = )", "", text))
    assert set(load_settings(example, env={}).notify) == {"me", "team", "lark", "channel"}


# A variable or key in a shape the grouped settings do not take ---------------------------------

DAILY = ["daily", "--papers", str(EXAMPLE), "--date", "2026-06-17", "--format", "json"]


@pytest.mark.parametrize(("name", "value", "error"), [
    ("BRIEFGEN_MODEL", "claude-sonnet-4-5", "error: BRIEFGEN_MODEL: [model] is a table of "
     "settings, not a value; set one of its keys, e.g. BRIEFGEN_MODEL__ANALYSIS_MODEL=…"),
    ("BRIEFGEN_OUTPUT", "/tmp/briefs", "error: BRIEFGEN_OUTPUT: [output] is a table of "
     "settings, not a value; set one of its keys, e.g. BRIEFGEN_OUTPUT__DAILY_FILENAME=…"),
    ("briefgen_network", "slow", "error: briefgen_network: [network] is a table of settings"),
    ("BRIEFGEN_SOURCES", "arxiv.org", "error: BRIEFGEN_SOURCES: [sources] is a table of "
     "settings, not a value; set one of its keys, e.g. BRIEFGEN_SOURCES__USE=…"),
    ("BRIEFGEN_PROFILES", "work", "error: BRIEFGEN_PROFILES: [profiles.NAME] is a table of "
     "settings, not a value; set one of its keys, e.g. BRIEFGEN_PROFILES__DEFAULT__CATEGORIES=…"),
    ("BRIEFGEN_NOTIFY", "me", "error: BRIEFGEN_NOTIFY: [notify.NAME] is a table of settings, "
     "not a value; set one of its keys, e.g. BRIEFGEN_NOTIFY__NAME__KIND=…"),
])  # fmt: skip
def test_a_variable_named_after_a_table_is_one_line_saying_which_key_to_set(
    runner: CliRunner, isolated_home: Path, name: str, value: str, error: str
) -> None:
    result = runner.invoke(app, DAILY, env={name: value})
    assert result.exit_code == 5
    assert result.stderr.strip().startswith(error) and len(result.stderr.splitlines()) == 1


def test_list_variables_are_comma_lists_and_old_names_are_read_in_any_case(
    isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"BRIEFGEN_MCP__FOLDERS": "/a, /b", "briefgen_sources": "arxiv,hf",
           "Briefgen_Max_Papers": "4", "BRIEFGEN_MODEL": '{"concurrency": 3}',
           "BRIEFGEN_PROFILES__DEFAULT__LIBRARY": "a.bib,b.bib"}  # fmt: skip
    with caplog.at_level(logging.WARNING):
        settings = load_settings(env=env)
    assert settings.mcp.folders == [Path("/a"), Path("/b")]
    assert settings.active_profile.library == ["a.bib", "b.bib"]
    home = {"BRIEFGEN_HOME": str(isolated_home)}
    assert load_settings(env=home | {"BRIEFGEN_STORE": "x"}).store.home == isolated_home
    assert settings.sources.use == ["arxiv", "hf"] and settings.active_profile.max_papers == 4
    assert settings.model.concurrency == 3  # a whole table as JSON is still taken
    assert [r.getMessage() for r in caplog.records] == [
        "briefgen_sources has moved to BRIEFGEN_SOURCES__USE; it is read from the old name for now"
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("concurency = 3", "concurency: unknown setting; did you mean 'concurrency' ([model] "
     "concurrency)?"),
    ("keywordz = []", "did you mean 'keywords' ([profiles.default] keywords)?"),
    ("model_timeout_secnds = 9", "did you mean 'timeout_seconds' ([model] timeout_seconds)?"),
    ("langg = 'zh'", "langg: unknown setting; did you mean 'lang'?"),
    ('model = "claude"', 'model: this is the [model] table, not a value: write [model] and '
     'under it its keys, e.g. analysis_model = "…"'),
    ('output = "/tmp/briefs"', "output: this is the [output] table, not a value: write "
     "[output] and under it its keys"),
    ('profiles = "work"', "profiles: these are the [profiles.NAME] tables, not a value: "
     "write [profiles.default] and under it its keys, e.g. categories = …"),
    ("notify = 3", "notify: these are the [notify.NAME] tables, not a value: write "
     '[notify.NAME] and under it its keys, e.g. kind = "…"'),
])  # fmt: skip
def test_a_top_level_mistake_is_told_where_the_setting_lives(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_settings(config, env={})
    assert "valid dictionary" not in str(info.value)


def test_a_moved_key_set_in_both_places_is_ignored_in_its_old_one_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('translation_model = "x"\n[translation]\nmodel = "y"\n')
    env = {"BRIEFGEN_CONCURRENCY": "3", "briefgen_model__concurrency": "5"}
    with caplog.at_level(logging.WARNING):
        settings = load_settings(config, env=env)
    assert (settings.translation.model, settings.model.concurrency) == ("y", 5)
    assert sorted(r.getMessage() for r in caplog.records) == [
        "BRIEFGEN_CONCURRENCY is ignored: briefgen_model__concurrency is also set",
        "config.toml: 'translation_model' is ignored: [translation] model is also set",
    ]


@pytest.mark.parametrize("name", [
    "BRIEFGEN_CONCURRENCY", "briefgen_concurrency", "BRIEFGEN_MODEL__CONCURRENCY",
])  # fmt: skip
def test_help_names_the_variable_a_default_came_from(
    runner: CliRunner, isolated_home: Path, name: str
) -> None:
    result = runner.invoke(app, ["daily", "--help"], env={name: "2", "COLUMNS": "200"})
    assert f"[default: 2, from {name}]" in result.stdout


def test_the_template_keeps_the_facts_a_user_needs_to_fill_it_in() -> None:
    text = default_config_text()
    words = " ".join(text.replace("#", " ").split())  # comments wrap anywhere
    for fact in ("anthropic (ANTHROPIC_API_KEY) or openai (OPENAI_API_KEY",
                 "zotero:USER/COLLECTION (needs ZOTERO_API_KEY in the environment)",
                 "the port follows unless smtp_port overrides it"):  # fmt: skip
        assert fact in words
    assert "over SMTP. The places" not in words  # each example under its own kind's words
    assert "# A brief sent by email over SMTP.\n# [notify.me]\n" in text
    assert '_env = ""' not in text  # the variable a target reads, not an empty string
    assert '# token_env = "BRIEFGEN_NOTIFY_CHANNEL_TOKEN"' in text


def test_config_show_writes_a_target_kind_first_without_empty_variables(
    runner: CliRunner, isolated_home: Path, tmp_path: Path
) -> None:
    isolated_home.mkdir()
    (isolated_home / "config.toml").write_text(
        '[notify.me]\nto = ["a@example.org"]\nfrom = "b@example.org"\nsmtp_host = "smtp.example"'
        '\nkind = "email"\n[notify.team]\nformat = "summary"\nkind = "slack"\n'
        '[notify.tg]\nkind = "telegram"\nchat_id = 42\n'
    )
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.stderr
    for name, kind in (("me", "email"), ("team", "slack"), ("tg", "telegram")):
        assert f'[notify.{name}]\nkind = "{kind}"\n' in result.stdout
    assert '_env = ""' not in result.stdout
    again = tmp_path / "again.toml"
    again.write_text(result.stdout)
    assert load_settings(again, env={}).notify == load_settings().notify != {}

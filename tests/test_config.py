from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.core.errors import ConfigError
from briefgen.core.settings import (
    DEFAULT_CATEGORIES,
    default_config_path,
    default_config_text,
    load_settings,
)


def test_defaults_follow_seed_003(isolated_home: Path) -> None:
    settings = load_settings()
    assert (
        settings.active_profile.categories
        == DEFAULT_CATEGORIES
        == ["cs.AI", "cs.CL", "cs.DC", "cs.LG"]
    )
    assert "kv cache" in settings.active_profile.keywords
    assert settings.home == isolated_home
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

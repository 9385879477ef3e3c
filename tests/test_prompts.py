from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.core.errors import ConfigError
from briefgen.infra.prompts import bundled_prompts_dir, fill, load_template, template_version


def test_bundled_prompts_are_found_and_versioned() -> None:
    assert (bundled_prompts_dir() / "analyze_paper.md").is_file()
    template = load_template("analyze_paper")
    assert "<paper>" in template and "{paper_text}" in template
    version = template_version(template)
    assert len(version) == 12 and version == template_version(load_template("analyze_paper"))
    assert template_version(template + " ") != version  # an edit is a new version


def test_fill_refuses_missing_or_unexpected_values(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text("Paper {title} ({paper_id})")
    template = load_template("p", tmp_path)
    assert fill(template, title="T", paper_id="2602.1") == "Paper T (2602.1)"
    with pytest.raises(ConfigError, match="do not match"):
        fill(template, title="T")
    with pytest.raises(ConfigError, match=r"prompt 'nope' not found: .*nope\.md"):
        load_template("nope", tmp_path)

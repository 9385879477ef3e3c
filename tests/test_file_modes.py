"""Written files are readable by a web server: the umask's mode when new, their own mode when
replaced, a symlink's target replaced (the link kept), and every write still atomic."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.core.errors import OutputError, UsageError
from briefgen.infra import files
from briefgen.infra.files import current_umask, write_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "site" / "posts" / "brief.md"  # parent folders are created
    write_atomic(target, "hello\n")
    assert target.read_text() == "hello\n"
    assert mode(target) == 0o644


def test_a_stricter_umask_is_honoured(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        write_atomic(tmp_path / "private.md", "x")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "private.md") == 0o600


def test_the_umask_is_read_without_proc_too(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        monkeypatch.setattr(files, "_proc_umask", lambda: None)  # not Linux: set and restore
        assert current_umask() == 0o027
        assert os.umask(0o027) == 0o027  # …and the umask is left as it was
    finally:
        os.umask(previous)


def test_a_rewrite_keeps_the_mode_of_the_existing_file(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "brief.html"
    write_atomic(target, "first")
    target.chmod(0o664)
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert mode(target) == 0o664
    target.chmod(0o600)
    write_atomic(target, "third")
    assert mode(target) == 0o600


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path: Path, umask_022: None) -> None:
    real = tmp_path / "releases" / "feed.xml"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o640)
    public = tmp_path / "public"
    public.mkdir()
    link = public / "feed.xml"
    link.symlink_to(Path("..") / "releases" / "feed.xml")  # relative, as deploy tools make them
    chained = public / "latest.xml"
    chained.symlink_to(link)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "releases", "feed.xml")
    assert real.read_text() == "new" and mode(real) == 0o640
    write_atomic(chained, "newer")  # a link to a link: the last target is written
    assert chained.is_symlink() and link.is_symlink()
    assert real.read_text() == "newer"
    assert leftovers(public) == [] and leftovers(real.parent) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path, umask_022: None) -> None:
    link = tmp_path / "feed.xml"
    link.symlink_to(tmp_path / "out" / "feed.xml")
    write_atomic(link, "made")
    assert link.is_symlink()
    assert (tmp_path / "out" / "feed.xml").read_text() == "made"
    assert mode(tmp_path / "out" / "feed.xml") == 0o644


def test_the_write_is_atomic_from_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    target = tmp_path / "brief.md"
    target.write_text("old")
    renames: list[tuple[Path, Path, int, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: Path) -> None:
        # at the moment of the rename the complete file, with its final mode, is in place
        renames.append((Path(src), Path(dst), mode(src), Path(src).read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(target, "new")
    [(src, dst, src_mode, src_text)] = renames
    assert src.parent == dst.parent == tmp_path and dst == target
    assert src.name.startswith(".brief.md.") and src.name.endswith(".tmp")
    assert src_mode == 0o644 and src_text == "new"
    assert not src.exists() and leftovers(tmp_path) == []
    assert target.read_text() == "new"


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "brief.md"
    target.write_text("old")
    target.chmod(0o644)

    def fail(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="No space left"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and mode(target) == 0o644
    assert leftovers(tmp_path) == []


def test_an_unwritable_folder_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        write_atomic(blocker / "brief.md", "x")  # a file where a folder should be


def test_daily_output_files_are_readable_by_a_web_server(
    runner: CliRunner, small_papers: Path, tmp_path: Path, umask_022: None
) -> None:
    out_dir = tmp_path / "blog"
    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--lang", "both",
                                 "--format", "html", "--output-dir", str(out_dir)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    written = sorted(out_dir.iterdir())
    assert [p.name for p in written] == ["2026-02-18-brief.en.html", "2026-02-18-brief.zh.html"]
    assert all(mode(p) == 0o644 for p in written)
    written[0].chmod(0o664)
    result = runner.invoke(app, ["daily", "--papers", str(small_papers), "--lang", "both",
                                 "--format", "html", "--output-dir", str(out_dir)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [mode(p) for p in written] == [0o664, 0o644]  # a rerun keeps a chmod

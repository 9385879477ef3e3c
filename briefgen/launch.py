"""The `briefgen` command's entry point: `--version` answered before anything loads (scripts
and package managers ask it often); everything else goes to the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from briefgen import __version__

        sys.stdout.write(f"briefgen {__version__}\n")
        return
    from briefgen.cli import main as run

    run()

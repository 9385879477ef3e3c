"""`briefgen mcp`: the store, served to agents over the Model Context Protocol (stdio, or
streamable HTTP on 127.0.0.1 with --http). The server is briefgen.agents; the `mcp` SDK loads
only when this command runs."""

from __future__ import annotations

from typing import Annotated

import typer

from briefgen.cli.app import app
from briefgen.cli.options import Command, ConfigOpt, ProfileOpt, run_action
from briefgen.core.errors import UsageError
from briefgen.core.settings import load_settings
from briefgen.infra.console import Reporter, reporting

HttpOpt = Annotated[
    bool,
    typer.Option("--http", help="Serve streamable HTTP on 127.0.0.1 (at /mcp) instead of stdio."),
]
PortOpt = Annotated[int, typer.Option("--port", help="The port of --http.")]


@app.command("mcp", cls=Command)
def mcp_command(
    http: HttpOpt = False,
    port: PortOpt = 8765,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the store to agents (Claude Desktop, Claude Code, IDEs) over MCP: search, briefs,
    papers, ranking, references. Read-only and free unless [mcp] allow_spending is set."""
    reporter = Reporter()

    def action() -> None:
        if not 1 <= port <= 65535:
            raise UsageError(f"--port {port}: give a port from 1 to 65535")
        with reporting(reporter):  # a key in an old place of the config: warned at startup
            settings = load_settings(config, overrides={"profile": profile} if profile else None)
        try:
            from briefgen.agents.server import serve  # the mcp SDK: loaded by this command only
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types"):
                raise
            raise UsageError(
                "`briefgen mcp` needs the MCP SDK: pip install 'briefgen[mcp]' "
                "(or pip install 'mcp>=2.3,<3')"
            ) from None

        if http:
            reporter.info(f"briefgen mcp: streamable HTTP at http://127.0.0.1:{port}/mcp")
        serve(settings, http=http, port=port)

    # The server keeps its own log (briefgen.agents.server); a tool call's lines go to the
    # agent in its answer, or nowhere, never as a command's lines on stderr.
    run_action(reporter, action, shows_records=False)

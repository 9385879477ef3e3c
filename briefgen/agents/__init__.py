"""briefgen for agents: `briefgen mcp`, a Model Context Protocol server over the store.

`desk` answers each question (search, a stored brief, a paper, a ranked day, references, a new
brief's estimate) from the store, as text an agent reads; `server` puts those answers behind
MCP tools and resources with the official `mcp` SDK (imported only by `briefgen mcp`).
"""

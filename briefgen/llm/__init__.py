"""Engines that analyse papers and synthesise briefs: the offline extractive engine and the
model engine over a provider (Anthropic, OpenAI-compatible), behind one `Engine` protocol."""

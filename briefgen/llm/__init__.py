"""Engines that analyse papers and synthesise briefs: the offline extractive engine today,
language-model providers behind the same `Engine` protocol later."""

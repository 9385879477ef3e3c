"""Briefs as markdown, HTML and JSON, the per-paper report, the feed, and lint."""

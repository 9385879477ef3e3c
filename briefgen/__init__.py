"""briefgen: daily Paper Insight Briefs from arXiv, in English and Chinese."""

__version__ = "0.1.0"

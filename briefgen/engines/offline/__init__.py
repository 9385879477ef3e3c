"""The offline engine: extractive analyses and TF-IDF themes, no model."""

"""Per-paper analysis: cached, concurrent, or as one Message Batch."""

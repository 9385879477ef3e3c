"""English -> Chinese of a structured brief (and of per-paper analyses)."""

"""Wiring only: a day, a roundup, a run's records, the estimate, `show`."""

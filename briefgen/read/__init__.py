"""What the model reads of a paper: arXiv HTML -> sections -> a token budget, or the abstract."""

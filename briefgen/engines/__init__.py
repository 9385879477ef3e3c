"""Engines that analyse a paper and synthesise a day: the model engine with its providers,
and the offline (extractive) engine."""

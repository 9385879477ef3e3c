"""Values that flow between the stages, the brief's rules, settings, errors and periods:
imports nothing else of briefgen."""

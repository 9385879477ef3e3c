"""briefgen: daily Paper Insight Briefs from arXiv, in English and Chinese."""

import logging

__version__ = "0.1.0"

# Library code logs under "briefgen" and never prints: a command shows the records through its
# reporter (briefgen.infra.console); with no handler of the caller's, nothing reaches stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

"""One call that writes the analyses' shared prompt into the cache before they are sent.

Calls sent at once all miss the cache and all pay to write it: the API makes an entry readable
only once the response that writes it has started. So a run with several analyses first sends
one call of one output token that writes the prefix; the analyses then read it at a tenth of
the price.
"""

from __future__ import annotations

import contextlib
import threading

from briefgen.core.errors import AnalysisError, UpstreamError
from briefgen.engines.recorded_calls import PricedModel, RecordedCaller, Request

PURPOSE = "cache warm-up"


class PromptCacheWarmer:
    """`worth_it`: the prefix is long enough for the API to cache (see engines.caching)."""

    def __init__(
        self, caller: RecordedCaller, model: PricedModel, request: Request, *, worth_it: bool
    ) -> None:
        self.caller = caller
        self.model = model
        self.request = request
        self.worth_it = worth_it
        self.marks = worth_it  # whether the analyses mark their prefix for the cache
        self._lock = threading.Lock()
        self._warmed = True

    def prepare(self, analyses: int) -> None:
        """A shared prefix pays only when more than one call reads it."""
        self.marks = self.worth_it and analyses >= 2
        self._warmed = not self.marks

    def warm(self) -> None:
        """Write the prompt into the cache once, before the first analysis; the others wait
        here meanwhile (about the time to a first token)."""
        if self._warmed:
            return
        with self._lock:
            if self._warmed:
                return
            try:
                # A failed warm-up costs nothing more: the analyses run, missing the cache.
                with contextlib.suppress(AnalysisError, UpstreamError):
                    self.caller.send("cache", PURPOSE, self.model, self.request)
            finally:
                self._warmed = True  # only now: the others wait on the lock until it is done

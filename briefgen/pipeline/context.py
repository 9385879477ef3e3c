"""What every stage of a run needs, carried as one value instead of a dozen parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefgen.core.settings import Settings
from briefgen.engines.base import Engine
from briefgen.infra.store import Store
from briefgen.sources.remote import Remote


@dataclass(frozen=True)
class RunOptions:
    """How a run treats what it already has and what it may spend."""

    use_cache: bool = True
    fulltext: bool | None = None  # None: full text for arXiv/HF papers, abstracts for a file
    max_cost: float | None = None
    batch: bool = False
    library: tuple[str, ...] = ()  # --library: added to the profile's library for this run
    include_seen: bool = False  # rank papers briefed on an earlier day too
    triage: bool = False  # --triage: the model scores every candidate before selection


@dataclass(frozen=True)
class RunContext:
    settings: Settings
    store: Store
    engine: Engine
    remote: Remote
    options: RunOptions = field(default_factory=RunOptions)

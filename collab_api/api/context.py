"""What every resolver can reach during one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collab_api.api.core.loaders import Loaders
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.domain.permissions import ANONYMOUS, Actor, Visibility, visibility


@dataclass
class RequestContext:
    graph: Graph
    settings: Settings
    viewer: Actor = ANONYMOUS
    loaders: Loaders = field(init=False)
    # What a request works out once and several fields use (an intervention's resolved lineage)
    worked_out: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.graph)

    @property
    def visibility(self) -> Visibility:
        return visibility(self.viewer)


def context_of(info: Any) -> RequestContext:
    return info.context

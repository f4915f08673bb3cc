"""What a gate returns: GateResult, the one interface every gate in this package shares."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GateResult:
    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # what the gate looked at, for the release log

    @property
    def ok(self) -> bool:
        return not self.problems


def limit(items: list[str], n: int = 20) -> list[str]:
    return items[:n] + ([f"… and {len(items) - n} more"] if len(items) > n else [])

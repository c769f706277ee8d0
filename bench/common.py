"""Shared set-up for the benchmarks: the same infrastructure choice as the tests (env → Docker → embedded)."""

from __future__ import annotations

import statistics
import tempfile
import uuid
from pathlib import Path

from kernel.adapters.logs import configure_logging
from rebond_local.database import create_database
from rebond_local.infra import Infra, provision

configure_logging("bench", level="WARNING")


def start_infra() -> Infra:
    infra = provision(Path(tempfile.mkdtemp(prefix="rebond-bench-")))
    print(f"# broker: {infra.kafka_origin}; database: {infra.database_origin}")
    return infra


async def fresh_database(infra: Infra, label: str) -> str:
    return await create_database(infra.database_url, f"bench_{label}_{uuid.uuid4().hex[:8]}")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def describe(samples_ms: list[float]) -> str:
    return (
        f"p50 {percentile(samples_ms, 0.5):.1f} ms, p99 {percentile(samples_ms, 0.99):.1f} ms, "
        f"mean {statistics.fmean(samples_ms):.1f} ms (n={len(samples_ms)})"
    )


def target(name: str, ratio: float, goal: float, *, at_most: bool = False) -> str:
    """One line per target of issue 11, collected at the end of `python3 dev.py bench`."""
    met = ratio <= goal if at_most else ratio >= goal
    return f"target {name}: ratio {ratio:.2f} (goal {'≤' if at_most else '≥'} {goal}) {'ok' if met else 'short'}"

"""A service's metrics in the Prometheus text format (`GET /metrics`, prometheus-client): commands answered by
route template and status, refusals by reason, the time to append a command's events and how many appends share a
commit; and, read at scrape time from the runtime's health, whether each dependency is up, the log's head, the
relay's lag and the parked messages by kind. Counts only: no id, no amount, no name (the routes are templates)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]
GROUP_BUCKETS = (1, 2, 4, 8, 16)
APPEND_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """One registry per service instance (a process may run several apps, as the tests do)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "rebond_commands",
            "Commands answered, by route template and HTTP status",
            ["service", "route", "status"],
            registry=r,
        )
        self.refusals = Counter("rebond_refusals", "Commands refused, by reason", ["service", "reason"], registry=r)
        self.append_seconds = Histogram(
            "rebond_append_seconds",
            "Time to append a command's events",
            ["service"],
            buckets=APPEND_BUCKETS,
            registry=r,
        )
        self.append_group = Histogram(
            "rebond_append_group_size",
            "Appends that shared one commit (kernel.adapters.group_commit)",
            ["service"],
            buckets=GROUP_BUCKETS,
            registry=r,
        )
        self.dependency_up = Gauge(
            "rebond_dependency_up", "1 when the dependency answers", ["service", "dependency"], registry=r
        )
        self.log_head = Gauge(
            "rebond_log_head_position", "Position of the last event of the log", ["service"], registry=r
        )
        self.relay_lag = Gauge(
            "rebond_relay_lag_events", "Events recorded and not yet published to Kafka", ["service"], registry=r
        )
        self.parked = Gauge("rebond_parked_messages", "Messages parked, by kind", ["service", "kind"], registry=r)
        self.consumer_lag = Gauge(
            "rebond_consumer_lag_messages",
            "Messages on a partition the consumer group has not processed yet",
            ["service", "group", "topic", "partition"],
            registry=r,
        )
        self.consumer_lag_seconds = Gauge(
            "rebond_consumer_lag_seconds",
            "How far behind the log a consumer group's projection is: 0 when caught up, else the age of its last event",
            ["service", "group"],
            registry=r,
        )

    def command(self, route: str, status: int) -> None:
        self.commands.labels(self.service, route, str(status)).inc()

    def refusal(self, reason: str) -> None:
        self.refusals.labels(self.service, reason).inc()

    def appended(self, seconds: float) -> None:
        self.append_seconds.labels(self.service).observe(seconds)

    def committed_together(self, appends: int) -> None:
        self.append_group.labels(self.service).observe(appends)

    def render(
        self,
        health: dict[str, Any],
        lags: dict[str, dict[tuple[str, int], int]] | None = None,
        lag_seconds: dict[str, float] | None = None,
    ) -> bytes:
        """The text exposition, with the gauges set from the health report and the consumers' lags just taken."""
        for group, seconds in (lag_seconds or {}).items():
            self.consumer_lag_seconds.labels(self.service, group).set(seconds)
        for group, partitions in (lags or {}).items():
            for (topic, partition), lag in partitions.items():
                self.consumer_lag.labels(self.service, group, topic, str(partition)).set(lag)
        for dependency, state in health.get("dependencies", {}).items():
            self.dependency_up.labels(self.service, dependency).set(1 if state == "ok" else 0)
        if "log_head" in health:
            self.log_head.labels(self.service).set(health["log_head"])
            self.relay_lag.labels(self.service).set(health["relay_lag"])
            for kind in {*health.get("parked_by_kind", {}), "gap", "forged", "unreadable"}:
                self.parked.labels(self.service, kind).set(health["parked_by_kind"].get(kind, 0))
        return generate_latest(self.registry)

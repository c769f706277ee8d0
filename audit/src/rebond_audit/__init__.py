"""The auditor's tool: verify each service's log and its signed checkpoints, compare it with Kafka, show an
aggregate's state after each event, recompute the figures and compare them with a cleared publication."""

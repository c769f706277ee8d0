"""Local infrastructure for Rebond: a Kafka-protocol broker and PostgreSQL, chosen as DESIGN §4 says
(explicit environment, then Docker through testcontainers, then the embedded wheels), and the supervisor
that runs the four services and the demo scenario on top of them."""

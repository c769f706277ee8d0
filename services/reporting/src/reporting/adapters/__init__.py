"""PostgreSQL projection (schema-parameterised SQL) and the Kafka log reader used for rebuilds."""

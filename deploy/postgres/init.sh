#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/), as POSTGRES_USER: the
# migration role, owner of every kernel table. One database per service (its event log, outbox checkpoint and
# projections), and per service a login role of its own, which owns none of the kernel's tables: it appends to the
# log through append_events and can neither change, delete nor truncate it (kernel.adapters.postgres.SERVICE_GRANTS).
# rebond_log_reader may read the producers' logs and nothing else: reporting's rebuild from the source of truth.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v password="$REBOND_DB_PASSWORD_LOG_READER" <<'SQL'
CREATE ROLE rebond_log_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SQL

for service in candidature instruction financement reporting; do
    password=$(printenv "REBOND_DB_PASSWORD_$(echo "$service" | tr '[:lower:]' '[:upper:]')")
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"service" TO :"service", rebond_log_reader;
SQL
done

-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/).
-- One database per service: each service owns its event log, outbox checkpoint and projections.
CREATE DATABASE candidature;
CREATE DATABASE instruction;
CREATE DATABASE financement;
CREATE DATABASE reporting;

"""The industrial projects of a laureate territory: census, COPIL qualification, aid request and Bpifrance's
instruction under the state-aid rules (DOMAIN-REFERENCE §3)."""

#!/bin/sh
# First start only (docker-entrypoint-initdb.d): the extension, setup(), and
# a monitoring role with nothing but pg_monitor for the exporter.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v monitor_password="$FITBOT_MONITOR_PASSWORD" <<'SQL'
CREATE EXTENSION fitbot_partman CASCADE;
SELECT * FROM fitbot_partman.setup();
CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor PASSWORD :'monitor_password';
SQL

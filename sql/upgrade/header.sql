-- fitbot_partman upgrade script.
--
-- BUILT FILE: made by `make` from sql/upgrade/ and sql/src/ (see
-- sql/README.md); edit the sources, not this script.

\echo Use "ALTER EXTENSION fitbot_partman UPDATE" to load this file. \quit

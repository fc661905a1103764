-- fitbot_partman: monthly partitioning of heart-rate readings with pg_partman
-- and pg_cron, and lock-free partition health.
--
-- BUILT FILE: made by `make` from sql/src/ (see sql/README.md); edit the
-- sources, not this script.
--
-- Nothing here creates tables, rows or cron jobs: CREATE EXTENSION only adds
-- schemas and functions, so a pg_dump/pg_restore of a set-up database never
-- collides with objects the extension would create, and DROP EXTENSION never
-- touches data. setup()/register_table() create what they need when called.
--
-- Every function pins search_path (or, where it cannot, calls only
-- schema-qualified objects) so that objects in a schema earlier on the
-- caller's path can never stand in for the ones used here.

\echo Use "CREATE EXTENSION fitbot_partman CASCADE" to load this file. \quit

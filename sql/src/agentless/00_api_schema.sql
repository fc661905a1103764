-- Agentless installs (`fitbot-partman setup` where the extension cannot be
-- installed): the maintenance ledger, its settings and the driver, from the
-- same portable sources as the extension (Makefile: AGENTLESS_SQL), in the
-- same schemas. CREATE EXTENSION makes fitbot_partman from its control file;
-- here it is made by hand. A later CREATE EXTENSION adopts all of it
-- (sql/src/native/00_adopt_agentless.sql).
CREATE SCHEMA IF NOT EXISTS fitbot_partman;

-- Identifiers with spaces, quotes and capitals work everywhere.
CREATE SCHEMA "Fit Bot";
CREATE TABLE "Fit Bot"."Heart ""Rate"" Log" ("User Id" bigint, "Measured At" timestamptz NOT NULL, bpm int)
    PARTITION BY RANGE ("Measured At");
SELECT fitbot_partman.register_table('"Fit Bot"."Heart ""Rate"" Log"', 'Measured At', premake => 2);
SELECT fitbot_partman.register_table('"Fit Bot"."Heart ""Rate"" Log"', 'Measured At', premake => 2);
SELECT fitbot_partman.register_table('"Fit Bot"."Heart ""Rate"" Log"', 'Measured At', premake => 4, retention => '2 years');
INSERT INTO "Fit Bot"."Heart ""Rate"" Log" VALUES (1, now(), 70);
SELECT parent, partitions, future_partitions, default_rows, status
FROM fitbot_partman.partition_health() WHERE parent = '"Fit Bot"."Heart ""Rate"" Log"'::regclass;
SELECT count(*) AS partitions, count(*) FILTER (WHERE state = 'current') AS current,
       bool_and(partition_name LIKE '"Fit Bot".%') AS names_are_quoted
FROM fitbot_partman.partitions('"Fit Bot"."Heart ""Rate"" Log"');
SELECT fitbot_partman.metrics() LIKE '%parent="\\"Fit Bot\\".\\"Heart \\"\\"Rate\\"\\" Log\\""%' AS label_escaped;
SELECT step, action FROM fitbot_partman.teardown('"Fit Bot"."Heart ""Rate"" Log"');
SELECT count(*) AS rows_kept FROM "Fit Bot"."Heart ""Rate"" Log";
DROP SCHEMA "Fit Bot" CASCADE;

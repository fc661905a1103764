-- Schemas. fitbot_partman holds the API; CREATE EXTENSION makes it from the
-- control file. fitbot_partman_internal holds the helpers the API is built
-- from: not an interface, free to change in any version, and closed to
-- everyone but the role that installed the extension.
CREATE SCHEMA IF NOT EXISTS fitbot_partman_internal;
REVOKE ALL ON SCHEMA fitbot_partman_internal FROM PUBLIC;
COMMENT ON SCHEMA fitbot_partman_internal IS
'Private helpers of fitbot_partman: not an interface, may change in any version; call the functions in schema fitbot_partman instead';

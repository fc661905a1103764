-- Health on a Citus coordinator asks every node for what only the node can
-- see (core/citus_estimate.h builds the statement, a run_command_on_all_nodes()
-- of catalog reads). This runs it so that no failure of Citus or of a node
-- can fail the health function that asked: a failure is an answer
-- (success false), which health reports as unknown. A node that is down
-- costs at most citus.node_connection_timeout, set low here.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.citus_node_answers(
    statement text, OUT node text, OUT success boolean, OUT result text)
RETURNS SETOF record
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM set_config('citus.node_connection_timeout', @CITUS_CONNECT_TIMEOUT_MS@::text, true);
    RETURN QUERY EXECUTE statement;
EXCEPTION WHEN OTHERS THEN
    node := 'coordinator';
    success := false;
    result := SQLERRM;
    RETURN NEXT;
END
$fn$;

COMMENT ON FUNCTION fitbot_partman_internal.citus_node_answers(text) IS
'Runs a health statement of run_command_on_all_nodes() on a Citus coordinator; any error becomes a failed answer';

-- 1.0 -> 1.1, after the 1.1 sources ran.
SELECT fitbot_partman_internal.restore_grants_after_upgrade();
-- Jobs of other databases under the shared name get their own (issue 21).
SELECT fitbot_partman_internal.rename_shared_jobs();

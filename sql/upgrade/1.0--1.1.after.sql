-- 1.0 -> 1.1, after the 1.1 sources ran.
SELECT fitbot_partman_internal.restore_grants_after_upgrade();

-- pg_temp.undated(answer): the answer with its instants and partition-name
-- dates masked, since they depend on today and the zone.
CREATE FUNCTION pg_temp.undated(answer text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(answer, '\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}([+-]\d{2}(:\d{2})?)?', '<instant>', 'g'),
                          '_(p?)\d{4}_\d{2}', '_\1YYYY_MM', 'g')
$$;

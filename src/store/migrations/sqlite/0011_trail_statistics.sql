-- The planner's statistics of the trail's tables are fixed here, once, and never gathered: what they say does
-- not change as the trail grows (an event is found by its unique id, by its time, or by its record), while
-- gathering them counted every page of the trail's indexes on the writer thread, a longer pause each time the
-- trail grew by a fifth (see store/stats.rs). `ANALYZE audit_filed` creates sqlite_stat1 if no statistics
-- were gathered yet; connections read these when they load the schema.
ANALYZE audit_filed;
DELETE FROM sqlite_stat1 WHERE tbl IN ('audit_trail', 'audit_patients');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('audit_trail', 'audit_trail_res_id', '1000000 1'),
    ('audit_trail', 'audit_trail_recorded', '1000000 2'),
    ('audit_patients', 'audit_patients', '1000000 100 1 1');

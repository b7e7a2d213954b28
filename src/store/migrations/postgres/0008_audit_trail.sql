-- The access trail, stored compactly: each request's AuditEvent is one audit_trail row, committed before its
-- response leaves (a write's in the write's own transaction, the others' in the shared group commit), and
-- read, searched and paged from here: no resource version, no search index rows, no access facts. A row is
-- found by id (audit_trail_res_id), by date (audit_trail_recorded) or by the records it concerns
-- (audit_patients, filled by the trigger from the JSON array `patients`, so that an append stays one
-- INSERT statement); `terms` holds the event's other search values (` outcome:0 entity:Type/id … `).
-- audit_log, the indexing queue of earlier versions, is drained into audit_trail when the server starts.
CREATE TABLE audit_trail (
    seq BIGSERIAL PRIMARY KEY,
    res_id TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    patients TEXT,
    terms TEXT NOT NULL,
    content BYTEA NOT NULL
);
CREATE UNIQUE INDEX audit_trail_res_id ON audit_trail (res_id);
CREATE INDEX audit_trail_recorded ON audit_trail (recorded);

CREATE TABLE audit_patients (
    patient TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (patient, recorded, seq)
);

CREATE FUNCTION audit_trail_patients() RETURNS trigger AS $$
BEGIN
    INSERT INTO audit_patients (patient, recorded, seq)
        SELECT DISTINCT p, NEW.recorded, NEW.seq FROM jsonb_array_elements_text(NEW.patients::jsonb) AS p;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_trail_patients AFTER INSERT ON audit_trail
    FOR EACH ROW WHEN (NEW.patients IS NOT NULL) EXECUTE FUNCTION audit_trail_patients();

-- The trail's rows as versions (the columns of resource_versions).
CREATE VIEW audit_events AS
    SELECT seq, 'AuditEvent'::TEXT AS res_type, res_id, CAST(1 AS BIGINT) AS version, recorded AS last_updated,
           CAST(0 AS BIGINT) AS deleted, 'POST'::TEXT AS method, content
    FROM audit_trail;

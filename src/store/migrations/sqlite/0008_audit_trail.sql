-- The access trail, stored compactly: each request's AuditEvent is one audit_trail row, committed before its
-- response leaves (a write's in the write's own transaction, the others' in the shared group commit), and
-- read, searched and paged from here: no resource version, no search index rows, no access facts. A row is
-- found by id (audit_trail_res_id), by date (audit_trail_recorded) or by the records it concerns
-- (audit_patients, filed from the JSON array `patients`); `terms` holds the event's other search values
-- (` outcome:0 entity:Type/id … `).
-- audit_log, the indexing queue of earlier versions, is drained into audit_trail when the server starts.
CREATE TABLE audit_trail (
    seq INTEGER PRIMARY KEY,
    res_id TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    patients TEXT,
    terms TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE UNIQUE INDEX audit_trail_res_id ON audit_trail (res_id);
CREATE INDEX audit_trail_recorded ON audit_trail (recorded);

CREATE TABLE audit_patients (
    patient TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (patient, recorded, seq)
) WITHOUT ROWID;

-- How far audit_trail is filed into audit_patients. On SQLite the filing is done in batches, not per append
-- (see store/trail.rs): inserting at random places in audit_patients with every group commit makes SQLite
-- 3.46 scan the writer's whole page cache at the end of the commit (balance_nonroot renumbers pages through
-- the pending-byte page). Every query that reads audit_patients files what is pending first.
CREATE TABLE audit_filed (seq BIGINT NOT NULL);
INSERT INTO audit_filed (seq) VALUES (0);

-- The trail's rows as versions (the columns of resource_versions).
CREATE VIEW audit_events AS
    SELECT seq, 'AuditEvent' AS res_type, res_id, CAST(1 AS BIGINT) AS version, recorded AS last_updated,
           CAST(0 AS BIGINT) AS deleted, 'POST' AS method, content
    FROM audit_trail;

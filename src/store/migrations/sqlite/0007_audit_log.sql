-- The durable queue of the access trail: each request's AuditEvent is appended here, many requests per
-- commit, before its response leaves; a background indexer moves the rows, in batches of a few hundred, into
-- resource_versions/resources with their index rows and access facts, where read and search see them (a
-- request that can reach AuditEvents first drains the queue). The queue stays small: rows leave once indexed.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    res_id TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    content BLOB NOT NULL
);

-- Every version of every resource, in commit order (seq). content is NULL for a deletion.
CREATE TABLE resource_versions (
    seq BIGSERIAL PRIMARY KEY,
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    deleted BIGINT NOT NULL,
    method TEXT NOT NULL,
    content BYTEA
);
CREATE UNIQUE INDEX resource_versions_key ON resource_versions (res_type, res_id, version);
CREATE INDEX resource_versions_type_seq ON resource_versions (res_type, seq);

-- The current version of each resource.
CREATE TABLE resources (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    deleted BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (res_type, res_id)
);

-- Token search index of current versions (identifier, _id until the search engine generalises it).
CREATE TABLE idx_token (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX idx_token_lookup ON idx_token (res_type, param, code, system);
CREATE INDEX idx_token_resource ON idx_token (res_type, res_id);

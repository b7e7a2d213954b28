-- Search indexes of current versions, one table per parameter type; rows are replaced on every write.
ALTER TABLE resources ADD COLUMN last_updated BIGINT NOT NULL DEFAULT 0;
CREATE INDEX resources_type_id ON resources (res_type, deleted, res_id);
CREATE INDEX resources_type_updated ON resources (res_type, last_updated);

ALTER TABLE idx_token ADD COLUMN text TEXT NOT NULL DEFAULT '';
CREATE INDEX idx_token_system ON idx_token (res_type, param, system, code);

CREATE TABLE idx_string (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    normalized TEXT NOT NULL,
    exact TEXT NOT NULL
);
CREATE INDEX idx_string_lookup ON idx_string (res_type, param, normalized);
CREATE INDEX idx_string_resource ON idx_string (res_type, res_id);

CREATE TABLE idx_reference (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX idx_reference_lookup ON idx_reference (res_type, param, target_id, target_type);
CREATE INDEX idx_reference_target ON idx_reference (target_type, target_id, res_type, param);
CREATE INDEX idx_reference_url ON idx_reference (res_type, param, url);
CREATE INDEX idx_reference_resource ON idx_reference (res_type, res_id);

CREATE TABLE idx_date (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    low BIGINT NOT NULL,
    high BIGINT NOT NULL
);
CREATE INDEX idx_date_low ON idx_date (res_type, param, low);
CREATE INDEX idx_date_high ON idx_date (res_type, param, high);
CREATE INDEX idx_date_resource ON idx_date (res_type, res_id);

CREATE TABLE idx_number (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    low DOUBLE PRECISION NOT NULL,
    high DOUBLE PRECISION NOT NULL
);
CREATE INDEX idx_number_lookup ON idx_number (res_type, param, value);
CREATE INDEX idx_number_resource ON idx_number (res_type, res_id);

CREATE TABLE idx_quantity (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    low DOUBLE PRECISION NOT NULL,
    high DOUBLE PRECISION NOT NULL,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    unit TEXT NOT NULL
);
CREATE INDEX idx_quantity_lookup ON idx_quantity (res_type, param, value);
CREATE INDEX idx_quantity_resource ON idx_quantity (res_type, res_id);

CREATE TABLE idx_uri (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    param TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX idx_uri_lookup ON idx_uri (res_type, param, value);
CREATE INDEX idx_uri_resource ON idx_uri (res_type, res_id);

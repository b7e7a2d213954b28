-- Per-resource lookups (correlated search conditions, sort keys, includes, index rewrites) use
-- (res_type, res_id, param, value…) so they never scan a type's whole index.
CREATE INDEX idx_string_rp ON idx_string (res_type, res_id, param, normalized);
CREATE INDEX idx_token_rp ON idx_token (res_type, res_id, param, code);
CREATE INDEX idx_reference_rp ON idx_reference (res_type, res_id, param, target_id);
CREATE INDEX idx_date_rp ON idx_date (res_type, res_id, param, low, high);
CREATE INDEX idx_number_rp ON idx_number (res_type, res_id, param, value);
CREATE INDEX idx_quantity_rp ON idx_quantity (res_type, res_id, param, value);
CREATE INDEX idx_uri_rp ON idx_uri (res_type, res_id, param, value);
DROP INDEX idx_string_resource;
DROP INDEX idx_token_resource;
DROP INDEX idx_reference_resource;
DROP INDEX idx_date_resource;
DROP INDEX idx_number_resource;
DROP INDEX idx_quantity_resource;
DROP INDEX idx_uri_resource;

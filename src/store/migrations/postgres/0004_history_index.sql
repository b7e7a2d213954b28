-- Instance history pages: newest versions of one resource without walking the type's history.
CREATE INDEX resource_versions_resource_seq ON resource_versions (res_type, res_id, seq);

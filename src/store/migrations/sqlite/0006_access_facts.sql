-- What the consent engine decides on, per resource, kept beside the search index and written in the
-- same transaction: record links (kind 'patient'), record state on the Patient ('closed', 'gp' = IDNPS
-- of a médecin traitant), Consent rules ('permit', 'block' = party, 'oppose') valid from low to high
-- (days as YYYYMMDD), and document facts ('author' = IDNPS, 'type' = system|code, 'label', 'date' in
-- low, 'binary' = id of the Binary holding the content). A deletion keeps the visibility facts, so the
-- history of a deleted resource stays as protected as it was.
CREATE TABLE access_facts (
    res_type TEXT NOT NULL,
    res_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    low BIGINT NOT NULL,
    high BIGINT NOT NULL
);
CREATE INDEX access_facts_resource ON access_facts (res_type, res_id, kind, value);
CREATE INDEX access_facts_record ON access_facts (patient_id, kind, value, low, high);
CREATE INDEX access_facts_binary ON access_facts (kind, value, res_type, res_id);

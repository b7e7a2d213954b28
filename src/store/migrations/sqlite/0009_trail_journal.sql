-- How far the trail's journal (`<database>-trail`, see store/journal.rs) has moved into audit_trail: every
-- event of the journal numbered up to seq is in audit_trail. Updated in the transaction that moves events.
CREATE TABLE trail_journal (seq BIGINT NOT NULL);
INSERT INTO trail_journal (seq) VALUES (0);

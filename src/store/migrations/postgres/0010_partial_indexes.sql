-- Indexes hold only the rows their queries can match. Each index row is an insertion point a
-- commit rewrites a page for (and, in the middle of a B-tree, often splits): a create Patient
-- put five rows into idx_token_system, three of them codes without a system (active, gender,
-- deceased) that a `system|` search never reads, and two into access_facts_binary, which only
-- the facts of kind 'binary' are looked up by. Queries of these indexes name the condition
-- (`system <> ''`, `kind = 'binary'`) so that the planner may use them.
DROP INDEX idx_token_system;
CREATE INDEX idx_token_system ON idx_token (res_type, param, system, code) WHERE system <> '';
DROP INDEX access_facts_binary;
CREATE INDEX access_facts_binary ON access_facts (value, res_type, res_id) WHERE kind = 'binary';

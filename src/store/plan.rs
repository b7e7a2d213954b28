//! A commit as a list of statements: every write of the store (versions, current rows, index
//! rows, consent facts, trail rows) is planned here once, as SQL text and the values it binds,
//! and run by either executor of `exec.rs` (sqlx on PostgreSQL, a direct connection on SQLite's
//! writer thread). No statement reads what an earlier one returned: the version check of an
//! update is part of its insert (it inserts nothing when the current version is not the one
//! before, which the executor reports as a conflict).

use std::borrow::Cow;

use super::{Dialect, LoggedEvent, WriteOp};
use crate::consent::RULE_KINDS;
use crate::search::index::IndexValue;

/// What a statement that breaks a constraint undoes on SQLite. `Statement`, the default: only
/// itself, for which SQLite keeps a statement journal while a multi-row statement runs inside a
/// transaction (an in-memory copy of every page the statement changes). `Transaction`: the
/// whole transaction (`INSERT OR ROLLBACK`), and no statement journal is kept; for commits whose
/// every failure ends the transaction anyway (a group's shared attempt, a single caller's commit,
/// a move of the trail). PostgreSQL always has the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Undo {
    /// The failing statement only.
    Statement,
    /// The whole transaction.
    Transaction,
}

/// `INSERT INTO` as `undo` asks on `dialect`.
fn insert_into(dialect: Dialect, undo: Undo) -> &'static str {
    match (dialect, undo) {
        (Dialect::Sqlite, Undo::Transaction) => "INSERT OR ROLLBACK INTO",
        _ => "INSERT INTO",
    }
}

/// One bound value, borrowed from the ops it writes where it can be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bind<'a> {
    /// TEXT
    Text(Cow<'a, str>),
    /// TEXT or NULL
    NullText(Option<String>),
    /// BIGINT
    Int(i64),
    /// DOUBLE PRECISION
    Float(f64),
    /// BLOB / BYTEA or NULL
    Blob(Option<&'a [u8]>),
}

/// One statement of a plan.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Stmt<'a> {
    /// SQL with one placeholder per value, in order (`?` on SQLite, `$n` on PostgreSQL).
    pub sql: String,
    /// The values.
    pub binds: Vec<Bind<'a>>,
    /// The resource this statement conflicts on: when it breaks a unique key, or when it
    /// changes no row although [`Stmt::must_change`] is set.
    pub conflict: Option<(&'a str, &'a str)>,
    /// Whether changing no row is a conflict (an update whose version check failed).
    pub must_change: bool,
}

/// Builds one statement's text and values.
struct Builder<'a> {
    dialect: Dialect,
    binds: Vec<Bind<'a>>,
}

impl<'a> Builder<'a> {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            binds: Vec::new(),
        }
    }

    /// Appends `v` and returns its placeholder.
    fn mark(&mut self, v: Bind<'a>) -> String {
        let mut out = String::new();
        self.mark_into(&mut out, v);
        out
    }

    /// Appends `v`, and its placeholder to `sql`.
    fn mark_into(&mut self, sql: &mut String, v: Bind<'a>) {
        self.binds.push(v);
        match self.dialect {
            Dialect::Sqlite => sql.push('?'),
            Dialect::Postgres => {
                sql.push('$');
                sql.push_str(itoa::Buffer::new().format(self.binds.len()));
            }
        }
    }

    fn text(&mut self, s: &'a str) -> String {
        self.mark(Bind::Text(Cow::Borrowed(s)))
    }

    fn int(&mut self, v: i64) -> String {
        self.mark(Bind::Int(v))
    }

    /// The placeholders of `values`, comma-separated.
    fn list(&mut self, values: impl IntoIterator<Item = Bind<'a>>) -> String {
        let mut out = String::new();
        self.list_into(&mut out, values);
        out
    }

    /// Appends the placeholders of `values`, comma-separated, to `sql` (no string per
    /// placeholder: a group commit's inserts hold thousands).
    fn list_into(&mut self, sql: &mut String, values: impl IntoIterator<Item = Bind<'a>>) {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            self.mark_into(sql, v);
        }
    }

    /// `(…)` of the placeholders of `values`.
    fn tuple(&mut self, values: impl IntoIterator<Item = Bind<'a>>) -> String {
        let mut out = String::new();
        self.tuple_into(&mut out, values);
        out
    }

    /// Appends `(…), (…)…`, the tuples of `rows`, to `sql`.
    fn tuples_into<R: IntoIterator<Item = Bind<'a>>>(
        &mut self,
        sql: &mut String,
        rows: impl IntoIterator<Item = R>,
    ) {
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            self.tuple_into(sql, row);
        }
    }

    /// Appends `(…)` of the placeholders of `values` to `sql`.
    fn tuple_into(&mut self, sql: &mut String, values: impl IntoIterator<Item = Bind<'a>>) {
        sql.push('(');
        self.list_into(sql, values);
        sql.push(')');
    }

    fn done(self, sql: String) -> Stmt<'a> {
        Stmt {
            sql,
            binds: self.binds,
            conflict: None,
            must_change: false,
        }
    }
}

/// Rows per statement, largest first: a batch is cut into statements of these sizes, so that
/// each table has a handful of statement shapes (prepared once per connection).
const CHUNK_ROWS: [usize; 4] = [64, 16, 4, 1];

/// The statement sizes `n` rows are cut into (see [`CHUNK_ROWS`]).
pub(super) fn chunk_sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = CHUNK_ROWS.into_iter().find(|&c| c <= n)?;
        n -= size;
        Some(size)
    })
}

/// `items` cut into chunks of [`chunk_sizes`].
fn chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    chunk_sizes(items.len()).map(move |size| {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        chunk
    })
}

/// The statements that commit `ops`: their versions and current rows, then the index rows and
/// consent facts they replace and add (several resources per statement).
pub(super) fn ops<'a>(dialect: Dialect, undo: Undo, ops: &[&'a WriteOp]) -> Vec<Stmt<'a>> {
    let (first, later): (Vec<&WriteOp>, Vec<&WriteOp>) =
        ops.iter().copied().partition(|op| op.version == 1);
    let insert = insert_into(dialect, undo);
    let mut out = Vec::new();
    for chunk in chunks(&first) {
        let mut b = Builder::new(dialect);
        let mut sql = format!("{insert} {VERSION_COLUMNS} VALUES ");
        b.tuples_into(&mut sql, chunk.iter().map(|op| version_values(op)));
        let mut stmt = b.done(sql);
        // A first version needs no check: the unique (type, id, version) key refuses a second.
        stmt.conflict = Some((chunk[0].res_type.as_str(), chunk[0].id.as_str()));
        out.push(stmt);
        out.push(first_rows(dialect, undo, chunk));
    }
    for op in &later {
        let mut b = Builder::new(dialect);
        let values = b.list(version_values(op));
        let (ty, id, before) = (b.text(&op.res_type), b.text(&op.id), b.int(op.version - 1));
        let mut stmt = b.done(format!(
            "{insert} {VERSION_COLUMNS} SELECT {values} WHERE \
             (SELECT version FROM resources WHERE res_type = {ty} AND res_id = {id}) = {before}"
        ));
        stmt.conflict = Some((op.res_type.as_str(), op.id.as_str()));
        stmt.must_change = true;
        out.push(stmt);
        out.push(current_rows(dialect, &[op]));
        out.push(delete_facts(dialect, op));
    }
    out.extend(delete_index(dialect, &later));
    out.extend(insert_index(dialect, undo, ops));
    out.extend(insert_facts(dialect, undo, ops));
    out
}

/// The statements that rewrite the index rows and consent facts of `op`'s resource, without a
/// new version (`$reindex`).
pub(super) fn reindex<'a>(dialect: Dialect, op: &'a WriteOp) -> Vec<Stmt<'a>> {
    let mut out = delete_index(dialect, &[op]);
    out.push(delete_facts(dialect, op));
    out.extend(insert_index(dialect, Undo::Statement, &[op]));
    out.extend(insert_facts(dialect, Undo::Statement, &[op]));
    out
}

const VERSION_COLUMNS: &str =
    "resource_versions (res_type, res_id, version, last_updated, deleted, method, content)";

fn version_values(op: &WriteOp) -> [Bind<'_>; 7] {
    [
        Bind::Text(Cow::Borrowed(&op.res_type)),
        Bind::Text(Cow::Borrowed(&op.id)),
        Bind::Int(op.version),
        Bind::Int(op.last_updated.0),
        Bind::Int(i64::from(op.content.is_none())),
        Bind::Text(Cow::Borrowed(op.method)),
        Bind::Blob(op.content.as_deref()),
    ]
}

/// The current rows of `ops` (inserted or moved on to the versions just written).
fn current_rows<'a>(dialect: Dialect, ops: &[&'a WriteOp]) -> Stmt<'a> {
    let (b, tuples) = current_values(dialect, ops);
    b.done(format!(
        "INSERT INTO {CURRENT_COLUMNS} VALUES {tuples} ON CONFLICT (res_type, res_id) DO UPDATE \
         SET version = excluded.version, deleted = excluded.deleted, seq = excluded.seq, \
         last_updated = excluded.last_updated"
    ))
}

/// The current rows of first versions `ops`: new rows (a resource that ever had a version has
/// its first one, which the insert of the versions just before refuses to repeat). A plain
/// insert, unlike an upsert, can undo the whole transaction rather than keep a statement journal.
fn first_rows<'a>(dialect: Dialect, undo: Undo, ops: &[&'a WriteOp]) -> Stmt<'a> {
    let (b, tuples) = current_values(dialect, ops);
    let mut stmt = b.done(format!(
        "{} {CURRENT_COLUMNS} VALUES {tuples}",
        insert_into(dialect, undo)
    ));
    stmt.conflict = Some((ops[0].res_type.as_str(), ops[0].id.as_str()));
    stmt
}

const CURRENT_COLUMNS: &str = "resources (res_type, res_id, version, deleted, seq, last_updated)";

/// The values of the current rows of `ops`, as `(…), (…)`.
fn current_values<'a>(dialect: Dialect, ops: &[&'a WriteOp]) -> (Builder<'a>, String) {
    let mut b = Builder::new(dialect);
    let tuples: Vec<String> = ops
        .iter()
        .map(|op| {
            let (ty, id, v) = (b.text(&op.res_type), b.text(&op.id), b.int(op.version));
            let deleted = b.int(i64::from(op.content.is_none()));
            let (ty2, id2, v2) = (b.text(&op.res_type), b.text(&op.id), b.int(op.version));
            let at = b.int(op.last_updated.0);
            format!(
                "({ty}, {id}, {v}, {deleted}, (SELECT seq FROM resource_versions \
                 WHERE res_type = {ty2} AND res_id = {id2} AND version = {v2}), {at})"
            )
        })
        .collect();
    (b, tuples.join(", "))
}

/// The index tables and their value columns (after `res_type, res_id, param, grp`).
const TABLES: &[(&str, &[&str])] = &[
    ("idx_string", &["normalized", "exact"]),
    ("idx_token", &["system", "code", "text"]),
    ("idx_reference", &["target_type", "target_id", "url"]),
    ("idx_date", &["low", "high"]),
    ("idx_number", &["value", "low", "high"]),
    (
        "idx_quantity",
        &["value", "low", "high", "system", "code", "unit"],
    ),
    ("idx_uri", &["value"]),
];

fn table_of(v: &IndexValue) -> usize {
    match v {
        IndexValue::String { .. } => 0,
        IndexValue::Token { .. } => 1,
        IndexValue::Reference { .. } => 2,
        IndexValue::Date { .. } => 3,
        IndexValue::Number { .. } => 4,
        IndexValue::Quantity { .. } => 5,
        IndexValue::Uri { .. } => 6,
    }
}

fn borrowed(s: &str) -> Bind<'_> {
    Bind::Text(Cow::Borrowed(s))
}

fn columns(v: &IndexValue) -> Vec<Bind<'_>> {
    match v {
        IndexValue::String { normalized, exact } => vec![borrowed(normalized), borrowed(exact)],
        IndexValue::Token { system, code, text } => {
            vec![borrowed(system), borrowed(code), borrowed(text)]
        }
        IndexValue::Reference {
            target_type,
            target_id,
            url,
        } => vec![borrowed(target_type), borrowed(target_id), borrowed(url)],
        IndexValue::Date { low, high } => vec![Bind::Int(*low), Bind::Int(*high)],
        IndexValue::Number { value, low, high } => {
            vec![Bind::Float(*value), Bind::Float(*low), Bind::Float(*high)]
        }
        IndexValue::Quantity {
            value,
            low,
            high,
            system,
            code,
            unit,
        } => vec![
            Bind::Float(*value),
            Bind::Float(*low),
            Bind::Float(*high),
            borrowed(system),
            borrowed(code),
            borrowed(unit),
        ],
        IndexValue::Uri { value } => vec![borrowed(value)],
    }
}

/// Deletes every index row of the resources of `ops`, several resources of a type per statement.
fn delete_index<'a>(dialect: Dialect, ops: &[&'a WriteOp]) -> Vec<Stmt<'a>> {
    let mut types: Vec<&str> = ops.iter().map(|op| op.res_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    let mut out = Vec::new();
    for ty in types {
        let ids: Vec<&str> = ops
            .iter()
            .filter(|op| op.res_type == ty)
            .map(|op| op.id.as_str())
            .collect();
        for chunk in chunks(&ids) {
            for (table, _) in TABLES {
                let mut b = Builder::new(dialect);
                let ty = b.text(ty);
                let ids = b.tuple(chunk.iter().map(|id| Bind::Text(Cow::Borrowed(*id))));
                out.push(b.done(format!(
                    "DELETE FROM {table} WHERE res_type = {ty} AND res_id IN {ids}"
                )));
            }
        }
    }
    out
}

/// Inserts the index rows of every op, several resources per statement.
fn insert_index<'a>(dialect: Dialect, undo: Undo, ops: &[&'a WriteOp]) -> Vec<Stmt<'a>> {
    let mut out = Vec::new();
    for (i, (table, cols)) in TABLES.iter().enumerate() {
        let rows: Vec<Vec<Bind<'a>>> = ops
            .iter()
            .flat_map(|op| op.index.iter().map(move |r| (*op, r)))
            .filter(|(_, r)| table_of(&r.value) == i)
            .map(|(op, row)| {
                let mut v = vec![
                    Bind::Text(Cow::Borrowed(&op.res_type)),
                    Bind::Text(Cow::Borrowed(&op.id)),
                    Bind::Text(Cow::Borrowed(&row.param)),
                    Bind::Int(row.group),
                ];
                v.extend(columns(&row.value));
                v
            })
            .collect();
        let all: Vec<&str> = ["res_type", "res_id", "param", "grp"]
            .into_iter()
            .chain(cols.iter().copied())
            .collect();
        out.extend(insert_many(dialect, undo, table, &all, rows));
    }
    out
}

/// Deletes the facts `op` replaces: all of them for a new version of a resource that existed,
/// only the Consent rules for a deletion (`access` is `None`), so a deleted resource's history
/// stays as protected as the resource was.
fn delete_facts<'a>(dialect: Dialect, op: &'a WriteOp) -> Stmt<'a> {
    let mut b = Builder::new(dialect);
    let (ty, id) = (b.text(&op.res_type), b.text(&op.id));
    let mut sql = format!("DELETE FROM access_facts WHERE res_type = {ty} AND res_id = {id}");
    if op.access.is_none() {
        let kinds: Vec<String> = RULE_KINDS.iter().map(|k| format!("'{k}'")).collect();
        sql.push_str(&format!(" AND kind IN ({})", kinds.join(", ")));
    }
    b.done(sql)
}

/// Inserts the facts of every op that carries them, several resources per statement.
fn insert_facts<'a>(dialect: Dialect, undo: Undo, ops: &[&'a WriteOp]) -> Vec<Stmt<'a>> {
    let rows: Vec<Vec<Bind<'a>>> = ops
        .iter()
        .flat_map(|op| op.access.iter().flatten().map(move |r| (*op, r)))
        .map(|(op, row)| {
            vec![
                Bind::Text(Cow::Borrowed(&op.res_type)),
                Bind::Text(Cow::Borrowed(&op.id)),
                Bind::Text(Cow::Borrowed(&row.patient)),
                Bind::Text(Cow::Borrowed(row.kind)),
                Bind::Text(Cow::Borrowed(&row.value)),
                Bind::Int(row.low),
                Bind::Int(row.high),
            ]
        })
        .collect();
    let cols = [
        "res_type",
        "res_id",
        "patient_id",
        "kind",
        "value",
        "low",
        "high",
    ];
    insert_many(dialect, undo, "access_facts", &cols, rows)
}

/// `INSERT INTO table (cols) VALUES (…), (…)…` of `rows`, in statements of [`CHUNK_ROWS`] rows.
fn insert_many<'a>(
    dialect: Dialect,
    undo: Undo,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Bind<'a>>>,
) -> Vec<Stmt<'a>> {
    let sizes = chunk_sizes(rows.len());
    let mut rows = rows.into_iter();
    sizes
        .map(|size| {
            let mut b = Builder::new(dialect);
            let mut sql = format!(
                "{} {table} ({}) VALUES ",
                insert_into(dialect, undo),
                cols.join(", ")
            );
            b.tuples_into(&mut sql, rows.by_ref().take(size));
            b.done(sql)
        })
        .collect()
}

/// The statements that append `events` to the trail: one per [`chunk_sizes`] chunk, or one for
/// all of them when `one` (a statement shape per count).
pub(super) fn events<'a>(
    dialect: Dialect,
    undo: Undo,
    events: &[&'a LoggedEvent],
    one: bool,
) -> Vec<Stmt<'a>> {
    let insert = |chunk: &[&'a LoggedEvent]| {
        let mut b = Builder::new(dialect);
        let mut sql = format!(
            "{} audit_trail (res_id, recorded, patients, terms, content) VALUES ",
            insert_into(dialect, undo)
        );
        b.tuples_into(
            &mut sql,
            chunk.iter().map(|e| {
                let patients = (!e.patients.is_empty())
                    .then(|| serde_json::to_string(&e.patients).unwrap_or_default());
                [
                    Bind::Text(Cow::Borrowed(&e.id)),
                    Bind::Int(e.at.0),
                    Bind::NullText(patients),
                    Bind::Text(Cow::Borrowed(&e.terms)),
                    Bind::Blob(Some(&e.content)),
                ]
            }),
        );
        b.done(sql)
    };
    if one {
        return if events.is_empty() {
            Vec::new()
        } else {
            vec![insert(events)]
        };
    }
    chunks(events).map(insert).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::Instant;

    fn op(id: &str, version: i64) -> WriteOp {
        WriteOp {
            res_type: "Basic".into(),
            id: id.into(),
            version,
            last_updated: Instant(1),
            method: "PUT",
            content: Some(b"{}".to_vec()),
            index: Vec::new(),
            access: Some(Vec::new()),
        }
    }

    #[test]
    fn batches_are_cut_into_few_statement_shapes() {
        let sizes: Vec<usize> = chunk_sizes(150).collect();
        assert_eq!(sizes, [64, 64, 16, 4, 1, 1]);
        assert_eq!(chunk_sizes(0).count(), 0);
    }

    #[test]
    fn an_update_checks_the_version_before_it_in_its_insert() {
        let (a, b) = (op("a", 1), op("b", 3));
        let stmts = ops(Dialect::Postgres, Undo::Transaction, &[&a, &b]);
        let update = stmts
            .iter()
            .find(|s| s.must_change)
            .expect("the update's insert");
        assert_eq!(update.conflict, Some(("Basic", "b")));
        assert!(update.sql.contains("WHERE (SELECT version FROM resources"));
        assert_eq!(update.binds.last(), Some(&Bind::Int(2)));
        // Every placeholder has its value, numbered in order on PostgreSQL.
        for s in &stmts {
            let n = s.binds.len();
            assert!(n == 0 || s.sql.contains(&format!("${n}")), "{}", s.sql);
            assert!(!s.sql.contains(&format!("${}", n + 1)), "{}", s.sql);
        }
        let sqlite = ops(Dialect::Sqlite, Undo::Statement, &[&a, &b]);
        for s in &sqlite {
            assert_eq!(s.sql.matches('?').count(), s.binds.len(), "{}", s.sql);
        }
    }

    #[test]
    fn inserts_that_may_undo_the_transaction_roll_it_back_on_sqlite_only() {
        let (a, b) = (op("a", 1), op("b", 1));
        let inserts = |dialect, undo| -> Vec<String> {
            ops(dialect, undo, &[&a, &b])
                .into_iter()
                .map(|s| s.sql)
                .filter(|sql| sql.starts_with("INSERT"))
                .collect()
        };
        // First versions: versions and current rows, plain inserts (no upsert, which would
        // need a statement journal whatever the conflict clause).
        let whole = inserts(Dialect::Sqlite, Undo::Transaction);
        // Two ops are two chunks of one: a version and a current row each.
        assert_eq!(whole.len(), 4);
        assert!(whole.iter().any(|sql| sql.contains(" resources (")));
        for sql in &whole {
            assert!(sql.starts_with("INSERT OR ROLLBACK INTO "), "{sql}");
            assert!(!sql.contains("ON CONFLICT"), "{sql}");
        }
        for (dialect, undo) in [
            (Dialect::Sqlite, Undo::Statement),
            (Dialect::Postgres, Undo::Transaction),
        ] {
            for sql in inserts(dialect, undo) {
                assert!(sql.starts_with("INSERT INTO "), "{sql}");
            }
        }
        let events = [crate::store::LoggedEvent {
            id: "e".into(),
            at: Instant(1),
            patients: Vec::new(),
            terms: String::new(),
            content: Vec::new(),
        }];
        let refs: Vec<&LoggedEvent> = events.iter().collect();
        let trail = super::events(Dialect::Sqlite, Undo::Transaction, &refs, false);
        assert!(
            trail[0]
                .sql
                .starts_with("INSERT OR ROLLBACK INTO audit_trail")
        );
    }
}

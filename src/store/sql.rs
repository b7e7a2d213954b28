//! SQL text with its parameter values, built by the pure search compiler and run here.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryScalar};

/// One bound parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// TEXT
    Text(String),
    /// BIGINT
    Int(i64),
    /// DOUBLE PRECISION
    Float(f64),
}

/// A statement with `$n` placeholders and the values for them, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlQuery {
    /// The SQL text (valid on SQLite and PostgreSQL).
    pub sql: String,
    /// `$1`, `$2`, … in order.
    pub values: Vec<SqlValue>,
}

impl SqlQuery {
    /// Append a value and return its placeholder (`$n`).
    pub fn bind(&mut self, v: SqlValue) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }

    /// Append a text value and return its placeholder.
    pub fn text(&mut self, s: impl Into<String>) -> String {
        self.bind(SqlValue::Text(s.into()))
    }

    /// Take over `fragment`'s values and return its SQL with the placeholders renumbered after this
    /// query's (the fragment's text must hold `$n` only as placeholders).
    pub fn splice(&mut self, fragment: &SqlQuery) -> String {
        let offset = self.values.len();
        self.values.extend(fragment.values.iter().cloned());
        let mut out = String::with_capacity(fragment.sql.len() + 16);
        let mut chars = fragment.sql.char_indices().peekable();
        while let Some((_, ch)) = chars.next() {
            if ch != '$' {
                out.push(ch);
                continue;
            }
            let mut digits = String::new();
            while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&format!("${}", n + offset)),
                Err(_) => out.push('$'),
            }
        }
        out
    }
}

/// Bind `values` to a query in order.
pub fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    values: &'q [SqlValue],
) -> Query<'q, Any, AnyArguments<'q>> {
    for v in values {
        q = match v {
            SqlValue::Text(s) => q.bind(s.as_str()),
            SqlValue::Int(i) => q.bind(*i),
            SqlValue::Float(f) => q.bind(*f),
        };
    }
    q
}

/// Bind `values` to a scalar query in order.
pub fn bind_all_scalar<'q, O>(
    mut q: QueryScalar<'q, Any, O, AnyArguments<'q>>,
    values: &'q [SqlValue],
) -> QueryScalar<'q, Any, O, AnyArguments<'q>> {
    for v in values {
        q = match v {
            SqlValue::Text(s) => q.bind(s.as_str()),
            SqlValue::Int(i) => q.bind(*i),
            SqlValue::Float(f) => q.bind(*f),
        };
    }
    q
}

/// Rows per statement of [`insert_many`], largest first: a batch is cut into statements of these
/// sizes, so that each table has a handful of statement shapes (prepared once per connection)
/// whatever the batch's size.
const CHUNK_ROWS: [usize; 4] = [64, 16, 4, 1];

/// The `(…)` tuple of `n` placeholders, the first numbered `start + 1`. On SQLite they are
/// anonymous (`?`): the driver looks each named one up in a list as long as the statement's
/// parameters, which makes binding a many-row insert quadratic.
pub(super) fn tuple_marks(anonymous: bool, start: usize, n: usize) -> String {
    let marks: Vec<String> = (start + 1..=start + n)
        .map(|i| {
            if anonymous {
                "?".to_owned()
            } else {
                format!("${i}")
            }
        })
        .collect();
    format!("({})", marks.join(", "))
}

/// The statement sizes `n` rows are cut into (see [`CHUNK_ROWS`]).
pub(super) fn chunk_sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = CHUNK_ROWS.into_iter().find(|&c| c <= n)?;
        n -= size;
        Some(size)
    })
}

/// Whether `conn` is SQLite's (anonymous placeholders, see [`tuple_marks`]).
pub(super) fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == "SQLite"
}

/// `INSERT INTO table (cols) VALUES (…), (…)…` of `rows` (each `cols.len()` values) inside `tx`,
/// in statements of [`CHUNK_ROWS`] rows. The rows are moved into the statements, not copied.
pub async fn insert_many(
    tx: &mut sqlx::Transaction<'_, Any>,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<SqlValue>>,
) -> Result<(), sqlx::Error> {
    let anonymous = is_sqlite(tx);
    let sizes = chunk_sizes(rows.len());
    let mut rows = rows.into_iter();
    for size in sizes {
        let mut values = Vec::with_capacity(size * cols.len());
        let mut tuples = Vec::with_capacity(size);
        for row in rows.by_ref().take(size) {
            tuples.push(tuple_marks(anonymous, values.len(), row.len()));
            values.extend(row);
        }
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            cols.join(", "),
            tuples.join(", ")
        );
        bind_all(sqlx::query(&sql), &values)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_cut_into_few_statement_shapes() {
        let sizes: Vec<usize> = chunk_sizes(150).collect();
        assert_eq!(sizes, [64, 64, 16, 4, 1, 1]);
        assert_eq!(chunk_sizes(0).count(), 0);
        assert_eq!(tuple_marks(true, 3, 3), "(?, ?, ?)");
        assert_eq!(tuple_marks(false, 3, 2), "($4, $5)");
    }

    #[test]
    fn splice_renumbers_placeholders() {
        let mut q = SqlQuery::default();
        q.text("a");
        let mut f = SqlQuery::default();
        let (x, y) = (f.text("b"), f.text("c"));
        f.sql = format!("x = {x} AND y IN ({y}, $10)");
        assert_eq!(q.splice(&f), "x = $2 AND y IN ($3, $11)");
        assert_eq!(q.values.len(), 3);
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Writing a resource's search index rows, one table per parameter type, inside the commit's transaction.

use sqlx::{Any, Transaction};

use super::sql::{SqlValue, insert_many};
use super::{StoreError, WriteOp};
use crate::search::index::IndexValue;

/// The index tables and their value columns (after `res_type, res_id, param`).
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

fn columns(v: &IndexValue) -> Vec<SqlValue> {
    use SqlValue::{Float, Int, Text};
    match v {
        IndexValue::String { normalized, exact } => {
            vec![Text(normalized.clone()), Text(exact.clone())]
        }
        IndexValue::Token { system, code, text } => {
            vec![Text(system.clone()), Text(code.clone()), Text(text.clone())]
        }
        IndexValue::Reference {
            target_type,
            target_id,
            url,
        } => {
            vec![
                Text(target_type.clone()),
                Text(target_id.clone()),
                Text(url.clone()),
            ]
        }
        IndexValue::Date { low, high } => vec![Int(*low), Int(*high)],
        IndexValue::Number { value, low, high } => vec![Float(*value), Float(*low), Float(*high)],
        IndexValue::Quantity {
            value,
            low,
            high,
            system,
            code,
            unit,
        } => vec![
            Float(*value),
            Float(*low),
            Float(*high),
            Text(system.clone()),
            Text(code.clone()),
            Text(unit.clone()),
        ],
        IndexValue::Uri { value } => vec![Text(value.clone())],
    }
}

/// Replace every index row of `op`'s resource with `op.index` (none for a deletion), and its consent facts
/// with `op.access` (a deletion, `None`, only drops the Consent rules).
pub async fn replace(tx: &mut Transaction<'_, Any>, op: &WriteOp) -> Result<(), StoreError> {
    delete_rows(tx, &[op]).await?;
    super::access::delete_rows(tx, op).await?;
    insert_rows(tx, &[op]).await?;
    super::access::insert_rows(tx, &[op]).await
}

/// Delete every index row of the resources of `ops`, several resources of a type per statement.
pub async fn delete_rows(
    tx: &mut Transaction<'_, Any>,
    ops: &[&WriteOp],
) -> Result<(), StoreError> {
    let anonymous = super::sql::is_sqlite(tx);
    let mut types: Vec<&str> = ops.iter().map(|op| op.res_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    for ty in types {
        let ids: Vec<&str> = ops
            .iter()
            .filter(|op| op.res_type == ty)
            .map(|op| op.id.as_str())
            .collect();
        let mut rest = ids.as_slice();
        for size in super::sql::chunk_sizes(ids.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let first = if anonymous { "?" } else { "$1" };
            let marks = super::sql::tuple_marks(anonymous, 1, size);
            for (table, _) in TABLES {
                let sql =
                    format!("DELETE FROM {table} WHERE res_type = {first} AND res_id IN {marks}");
                let mut q = sqlx::query(&sql).bind(ty);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut **tx).await?;
            }
        }
    }
    Ok(())
}

/// Insert the index rows of every op, several resources per statement.
pub async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    ops: &[&WriteOp],
) -> Result<(), StoreError> {
    for (i, (table, cols)) in TABLES.iter().enumerate() {
        let rows: Vec<Vec<SqlValue>> = ops
            .iter()
            .flat_map(|op| op.index.iter().map(move |r| (*op, r)))
            .filter(|(_, r)| table_of(&r.value) == i)
            .map(|(op, row)| {
                let mut v = vec![
                    SqlValue::Text(op.res_type.clone()),
                    SqlValue::Text(op.id.clone()),
                    SqlValue::Text(row.param.clone()),
                    SqlValue::Int(row.group),
                ];
                v.extend(columns(&row.value));
                v
            })
            .collect();
        let all: Vec<&str> = ["res_type", "res_id", "param", "grp"]
            .into_iter()
            .chain(cols.iter().copied())
            .collect();
        insert_many(tx, table, &all, rows).await?;
    }
    Ok(())
}

impl super::Store {
    /// Rewrite the index rows of existing resources (`$reindex`), without new versions, in one transaction.
    pub async fn replace_index(&self, items: &[WriteOp]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for op in items {
            replace(&mut tx, op).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

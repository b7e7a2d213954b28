//! Writing a resource's consent facts (`access_facts`, see `consent::stored`) inside the commit's
//! transaction, beside its search index rows.

use sqlx::{Any, Transaction};

use super::sql::{SqlValue, insert_many};
use super::{StoreError, WriteOp};
use crate::consent::RULE_KINDS;

/// Delete the facts `op` replaces: all of them for a new version of a resource that existed (none
/// for a first version), only the Consent rules for a deletion (`access` is `None`), so a deleted
/// resource's history stays as protected as the resource was.
pub async fn delete_rows(tx: &mut Transaction<'_, Any>, op: &WriteOp) -> Result<(), StoreError> {
    if op.access.is_none() {
        let kinds: Vec<String> = RULE_KINDS.iter().map(|k| format!("'{k}'")).collect();
        sqlx::query(&format!(
            "DELETE FROM access_facts WHERE res_type = $1 AND res_id = $2 AND kind IN ({})",
            kinds.join(", ")
        ))
        .bind(&op.res_type)
        .bind(&op.id)
        .execute(&mut **tx)
        .await?;
        return Ok(());
    }
    sqlx::query("DELETE FROM access_facts WHERE res_type = $1 AND res_id = $2")
        .bind(&op.res_type)
        .bind(&op.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Insert the facts of every op that carries them, several resources per statement.
pub async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    ops: &[&WriteOp],
) -> Result<(), StoreError> {
    let rows: Vec<Vec<SqlValue>> = ops
        .iter()
        .flat_map(|op| op.access.iter().flatten().map(move |r| (*op, r)))
        .map(|(op, row)| {
            vec![
                SqlValue::Text(op.res_type.clone()),
                SqlValue::Text(op.id.clone()),
                SqlValue::Text(row.patient.clone()),
                SqlValue::Text(row.kind.to_owned()),
                SqlValue::Text(row.value.clone()),
                SqlValue::Int(row.low),
                SqlValue::Int(row.high),
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
    insert_many(tx, "access_facts", &cols, rows).await?;
    Ok(())
}

//! The consent facts of a resource being written (`access_facts` rows), with the reads they need:
//! its Patient-compartment links (from its index rows), the Patient a Consent is about, and the
//! Practitioner, PractitionerRole and Organization resources its references name.

use serde_json::Value;

use super::Context;
use crate::consent::{FactRow, FactsError, fact_rows};
use crate::error::{Error, Result};
use crate::search::{IndexRow, IndexValue};
use crate::store::WriteOp;

/// Types whose references the facts resolve (authors, médecin traitant, Consent actors).
const RESOLVED: [&str; 3] = ["Practitioner", "PractitionerRole", "Organization"];

/// The `access_facts` rows of `resource` (already stamped with its id) whose index rows are `index`.
///
/// Fails with `Invalid` (422) when the facts cannot be read (an unreadable date, an active block
/// naming nobody the server can identify, an active Consent about no stored Patient).
pub async fn rows(ctx: &Context, resource: &Value, index: &[IndexRow]) -> Result<Vec<FactRow>> {
    rows_with(ctx, resource, index, &[]).await
}

/// Recompute the facts of the writes of a transaction, whose references may name resources
/// written by the same transaction (`writes` themselves).
pub async fn refresh(ctx: &Context, writes: &mut [WriteOp]) -> Result<()> {
    let pending: Vec<WriteOp> = writes.to_vec();
    for w in writes.iter_mut() {
        if w.access.is_none()
            || !matches!(
                w.res_type.as_str(),
                "Patient" | "Consent" | "DocumentReference"
            )
        {
            continue;
        }
        let Some(content) = &w.content else { continue };
        let resource: Value = serde_json::from_slice(content).map_err(Error::internal)?;
        let strict = ctx.clone().outside_transaction();
        w.access = Some(rows_with(&strict, &resource, &w.index, &pending).await?);
    }
    Ok(())
}

async fn rows_with(
    ctx: &Context,
    resource: &Value,
    index: &[IndexRow],
    pending: &[WriteOp],
) -> Result<Vec<FactRow>> {
    let ty = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let patients = links(ty, resource, index);
    let holder = match patients.first() {
        Some(pid) if ty == "Consent" => load(ctx, pending, "Patient", pid).await?,
        _ => None,
    };
    if ty == "Consent" && holder.is_none() && is_active(resource) && !ctx.in_transaction {
        return Err(Error::invalid(
            "an active Consent must be about a stored Patient (Consent.patient)",
        )
        .at("Consent.patient"));
    }
    let related = related(ctx, resource, pending).await?;
    match fact_rows(resource, &patients, holder.as_ref(), &related) {
        Ok(rows) => Ok(rows),
        // Within a transaction the names may be resolved by other entries: `refresh` decides.
        Err(_) if ctx.in_transaction => Ok(Vec::new()),
        Err(e) => Err(invalid(ty, &e)),
    }
}

fn is_active(resource: &Value) -> bool {
    resource.get("status").and_then(Value::as_str) == Some("active")
}

fn invalid(ty: &str, e: &FactsError) -> Error {
    Error::invalid(format!("the access facts of this {ty} cannot be read: {e}")).at(ty)
}

/// The Patient ids the resource belongs to: itself for a Patient, else the targets of its
/// Patient-compartment parameters.
fn links(ty: &str, resource: &Value, index: &[IndexRow]) -> Vec<String> {
    if ty == "Patient" {
        return resource
            .get("id")
            .and_then(Value::as_str)
            .map(|id| vec![id.to_owned()])
            .unwrap_or_default();
    }
    let Some(params) = crate::model::r4().compartment("Patient", ty) else {
        return Vec::new();
    };
    let mut out: Vec<String> = index
        .iter()
        .filter(|r| params.contains(&r.param))
        .filter_map(|r| match &r.value {
            IndexValue::Reference {
                target_type,
                target_id,
                ..
            } if target_type == "Patient" && !target_id.is_empty() => Some(target_id.clone()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The stored resources of [`RESOLVED`] types the resource references, and the Practitioners of
/// the PractitionerRoles among them.
async fn related(ctx: &Context, resource: &Value, pending: &[WriteOp]) -> Result<Vec<Value>> {
    let mut refs = Vec::new();
    collect(resource, &ctx.base_url, &mut refs);
    let mut out = Vec::new();
    let mut i = 0;
    while i < refs.len() && i < 64 {
        let (ty, id) = refs[i].clone();
        i += 1;
        let Some(value) = load(ctx, pending, &ty, &id).await? else {
            continue;
        };
        if ty == "PractitionerRole" {
            let mut more = Vec::new();
            collect(&value, &ctx.base_url, &mut more);
            for r in more {
                if !refs.contains(&r) {
                    refs.push(r);
                }
            }
        }
        out.push(value);
    }
    Ok(out)
}

/// The live resource `ty/id`: written by this transaction (`pending`), or stored.
async fn load(ctx: &Context, pending: &[WriteOp], ty: &str, id: &str) -> Result<Option<Value>> {
    if let Some(w) = pending
        .iter()
        .rev()
        .find(|w| w.res_type == ty && w.id == id)
    {
        return match &w.content {
            Some(c) => Ok(Some(serde_json::from_slice(c).map_err(Error::internal)?)),
            None => Ok(None),
        };
    }
    match ctx.store.current(ty, id).await? {
        Some(v) if !v.deleted => Ok(Some(super::resource::parse_stored(&v)?)),
        _ => Ok(None),
    }
}

/// Every `reference` string under `v` (not inside `contained`) naming a [`RESOLVED`] type.
fn collect(v: &Value, base: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "contained" {
                    continue;
                }
                if k == "reference"
                    && let Some(text) = child.as_str()
                    && let Some(key) = parse_ref(text, base)
                    && !out.contains(&key)
                {
                    out.push(key);
                }
                collect(child, base, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, base, out)),
        _ => {}
    }
}

fn parse_ref(text: &str, base: &str) -> Option<(String, String)> {
    let local = text
        .strip_prefix(base)
        .map_or(text, |r| r.trim_start_matches('/'));
    let mut parts = local.split('/');
    let (ty, id) = (parts.next()?, parts.next()?);
    (RESOLVED.contains(&ty) && !id.is_empty() && !local.contains("://"))
        .then(|| (ty.to_owned(), id.to_owned()))
}

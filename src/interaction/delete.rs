//! FHIR delete: https://hl7.org/fhir/R4/http.html#delete — a deletion is a new version without content;
//! reads then answer 410. Deleting an already deleted resource, or one that never existed, changes nothing
//! and answers 204, as the spec allows ("or if the resource does not exist at all"): clean-up steps of
//! TestScripts rely on it. Conditional delete: https://hl7.org/fhir/R4/http.html#3.1.0.7.1 (single match only).
//! A DocumentReference is deleted logically (status `entered-in-error`, a new version; PDSm).

use super::{Body, Context, Criteria, Outcome, Planned, conditional};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, Instant, ResourceType, VersionId};
use crate::store::WriteOp;

/// Plan `DELETE [type]/[id]`.
pub async fn plan(ctx: &Context, ty: &ResourceType, id: &Id) -> Result<Planned> {
    let Some(current) = ctx.current(ty.as_str(), id.as_str()).await? else {
        return Ok(Planned::read_only(Outcome::new(204, Body::Empty)));
    };
    if current.deleted {
        return Ok(Planned::read_only(Outcome::new(204, Body::Empty)));
    }
    let at = Instant::now();
    if ty.as_str() == "DocumentReference" {
        return logical(ctx, &current, at).await;
    }
    let version = current.version + 1;
    let mut outcome = Outcome::new(204, Body::Empty);
    outcome.version = Some(VersionId(version));
    outcome.last_modified = Some(at);
    Ok(Planned {
        writes: vec![WriteOp {
            res_type: ty.to_string(),
            id: id.to_string(),
            version,
            last_updated: at,
            method: "DELETE",
            content: None,
            index: Vec::new(),
            access: None,
        }],
        outcome,
    })
}

/// A document is never removed: its deletion is a new version with status `entered-in-error`
/// (PDSm), which the consent engine allows its author only; reads then show that status.
async fn logical(
    ctx: &Context,
    current: &crate::store::StoredVersion,
    at: Instant,
) -> Result<Planned> {
    let mut doc = super::resource::parse_stored(current)?;
    if doc["status"] == "entered-in-error" {
        return Ok(Planned::read_only(Outcome::new(204, Body::Empty)));
    }
    doc["status"] = serde_json::json!("entered-in-error");
    let version = current.version + 1;
    let write = super::resource::new_version(ctx, &doc, version, "DELETE", at).await?;
    let mut outcome = Outcome::new(204, Body::Empty);
    outcome.version = Some(VersionId(version));
    outcome.last_modified = Some(at);
    Ok(Planned {
        writes: vec![write],
        outcome,
    })
}

/// Plan `DELETE [type]?criteria`: no match is 204, one match deletes it, more than one is 412.
pub async fn plan_conditional(
    ctx: &Context,
    ty: &ResourceType,
    criteria: &Criteria,
) -> Result<Planned> {
    match conditional::matches(ctx, ty, criteria).await?.as_slice() {
        [] => Ok(Planned::read_only(Outcome::new(204, Body::Empty))),
        [one] => plan(ctx, ty, one).await,
        _ => Err(Error::new(
            ErrorKind::PreconditionFailed,
            "the conditional delete matched more than one resource",
        )),
    }
}

//! FHIR create: https://hl7.org/fhir/R4/http.html#create, conditional create with `If-None-Exist`:
//! https://hl7.org/fhir/R4/http.html#ccreate (0 matches → create, 1 → 200 with it, more → 412).

use serde_json::Value;

use super::{Context, Criteria, Planned, conditional, read, resource};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType};

/// Plan creating `body` as a new `ty` with a server-assigned id (or `assigned`, inside a transaction).
/// Any id in the body is ignored, as the spec says.
pub async fn plan(
    ctx: &Context,
    ty: &ResourceType,
    body: &Value,
    if_none_exist: Option<&Criteria>,
    assigned: Option<Id>,
) -> Result<Planned> {
    resource::check_body(ty, body)?;
    if let Some(criteria) = if_none_exist {
        match conditional::matches(ctx, ty, criteria).await?.as_slice() {
            [] => {}
            [one] => return existing(ctx, ty, one).await,
            _ => {
                return Err(Error::new(
                    ErrorKind::PreconditionFailed,
                    "If-None-Exist matched more than one resource",
                ));
            }
        }
    }
    let id = assigned.unwrap_or_else(Id::generate);
    resource::plan_write(ctx, ty, &id, 1, body, "POST", 201).await
}

async fn existing(ctx: &Context, ty: &ResourceType, id: &Id) -> Result<Planned> {
    let current = read::live(ctx, ty, id).await?;
    let mut outcome = resource::stored_outcome(ctx, &current);
    outcome.is_write = true;
    Ok(Planned::read_only(outcome))
}

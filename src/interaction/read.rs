//! FHIR read: https://hl7.org/fhir/R4/http.html#read — 200, 404 when unknown, 410 when deleted.

use super::{Context, Planned, resource};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType};
use crate::store::StoredVersion;

/// Plan a read of the current version of `ty/id`.
pub async fn plan(ctx: &Context, ty: &ResourceType, id: &Id) -> Result<Planned> {
    let current = live(ctx, ty, id).await?;
    Ok(Planned::read_only(resource::stored_outcome(ctx, &current)))
}

/// The current live version of `ty/id`: `NotFound` if it never existed, `Gone` if deleted.
pub async fn live(ctx: &Context, ty: &ResourceType, id: &Id) -> Result<StoredVersion> {
    match ctx.current(ty.as_str(), id.as_str()).await? {
        None => Err(Error::not_found(format!("{ty}/{id} is not known"))),
        Some(v) if v.deleted => Err(Error::new(
            ErrorKind::Gone,
            format!("{ty}/{id} was deleted"),
        )),
        Some(v) => Ok(v),
    }
}

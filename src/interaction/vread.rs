//! FHIR vread: https://hl7.org/fhir/R4/http.html#vread — a version that is a deletion answers 410.

use super::{Context, Planned, resource};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType, VersionId};

/// Plan reading version `vid` of `ty/id`.
pub async fn plan(ctx: &Context, ty: &ResourceType, id: &Id, vid: VersionId) -> Result<Planned> {
    match ctx.version(ty.as_str(), id.as_str(), vid.0).await? {
        None => Err(Error::not_found(format!("{ty}/{id} has no version {vid}"))),
        Some(v) if v.deleted => Err(Error::new(
            ErrorKind::Gone,
            format!("version {vid} of {ty}/{id} is a deletion"),
        )),
        Some(v) => Ok(Planned::read_only(resource::stored_outcome(ctx, &v))),
    }
}

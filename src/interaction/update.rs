//! FHIR update: https://hl7.org/fhir/R4/http.html#update (update-as-create with a client id, `If-Match`
//! version pinning) and conditional update: https://hl7.org/fhir/R4/http.html#cond-update

use serde_json::{Value, json};

use super::{Context, Criteria, Planned, conditional, resource};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType, VersionId};

/// Plan `PUT [type]/[id]`: the body's id must equal `id`; 201 when this creates the resource, else 200.
pub async fn plan(
    ctx: &Context,
    ty: &ResourceType,
    id: &Id,
    body: &Value,
    if_match: Option<VersionId>,
) -> Result<Planned> {
    resource::check_body(ty, body)?;
    match resource::body_id(body) {
        Some(b) if b == id.as_str() => {}
        Some(b) => {
            return Err(Error::invalid(format!(
                "the body's id '{b}' does not match the URL's id '{id}'"
            ))
            .at(format!("{ty}.id")));
        }
        None => {
            return Err(
                Error::invalid("an update needs the resource id in the body")
                    .at(format!("{ty}.id")),
            );
        }
    }
    let current = ctx.store.current(ty.as_str(), id.as_str()).await?;
    if current.is_some() && !ctx.is_visible(ty.as_str(), id.as_str()).await? {
        return Err(Error::not_found(format!("{ty}/{id} is not known")));
    }
    let (prior, live) = current.map_or((0, false), |c| (c.version, !c.deleted));
    if let Some(want) = if_match
        && (!live || want.0 != prior)
    {
        return Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!(
                "If-Match {} does not match the current version of {ty}/{id}",
                want.etag()
            ),
        ));
    }
    let status = if live { 200 } else { 201 };
    resource::plan_write(ctx, ty, id, prior + 1, body, "PUT", status).await
}

/// Plan `PUT [type]?criteria`: no match creates (with the body's id, or a new one), one match updates it, more
/// than one is 412.
pub async fn plan_conditional(
    ctx: &Context,
    ty: &ResourceType,
    criteria: &Criteria,
    body: &Value,
    if_match: Option<VersionId>,
) -> Result<Planned> {
    resource::check_body(ty, body)?;
    let found = conditional::matches(ctx, ty, criteria).await?;
    let id = match found.as_slice() {
        [] => match resource::body_id(body) {
            Some(b) => Id::parse(b).map_err(|e| e.at(format!("{ty}.id")))?,
            None => Id::generate(),
        },
        [one] => {
            if let Some(b) = resource::body_id(body).filter(|b| *b != one.as_str()) {
                return Err(Error::invalid(format!(
                    "the body's id '{b}' is not the id of the matching resource '{one}'"
                ))
                .at(format!("{ty}.id")));
            }
            one.clone()
        }
        _ => {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                "the conditional update matched more than one resource",
            ));
        }
    };
    let mut body = body.clone();
    body["id"] = json!(id.as_str());
    plan(ctx, ty, &id, &body, if_match).await
}

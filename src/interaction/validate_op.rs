//! `$validate`: https://hl7.org/fhir/R4/resource-operation-validate.html — at type level (the resource in the
//! body, or a Parameters with `resource`, `profile`, `mode`) and instance level (the stored resource unless a
//! body is given). Always 200 with the OperationOutcome; nothing is written.

use serde_json::Value;

use super::{Body, Context, Outcome, read, resource};
use crate::error::{Error, Result};
use crate::fhir::{Id, ResourceType};

/// Plan `$validate` on `ty` (and `id`), with an optional body and `profile` query parameters.
pub async fn run(
    ctx: &Context,
    ty: &ResourceType,
    id: Option<&Id>,
    body: Option<&Value>,
    query_profiles: &[String],
) -> Result<Outcome> {
    let (given, mut profiles) = split_parameters(body);
    profiles.extend(query_profiles.iter().cloned());
    let target = match (given, id) {
        (Some(r), _) => r,
        (None, Some(id)) => resource::parse_stored(&read::live(ctx, ty, id).await?)?,
        (None, None) => return Err(Error::invalid("$validate needs a resource in the body")),
    };
    resource::check_body(ty, &target)?;
    let report = ctx.validation.report_with(&target, &profiles);
    Ok(Outcome::new(200, Body::Json(report.to_operation_outcome())))
}

/// The resource and profiles of a `$validate` body: a Parameters (`resource`, `profile`) or the resource.
fn split_parameters(body: Option<&Value>) -> (Option<Value>, Vec<String>) {
    let Some(body) = body else {
        return (None, Vec::new());
    };
    if body.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return (Some(body.clone()), Vec::new());
    }
    let params = body
        .get("parameter")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let named = |n: &'static str| {
        params
            .iter()
            .filter(move |p| p.get("name").and_then(Value::as_str) == Some(n))
    };
    let resource = named("resource").find_map(|p| p.get("resource").cloned());
    let profiles = named("profile")
        .filter_map(|p| {
            ["valueUri", "valueCanonical", "valueString"]
                .iter()
                .find_map(|k| p.get(*k)?.as_str().map(str::to_owned))
        })
        .collect();
    (resource, profiles)
}

//! The resource as stored: checking a client body, stamping the server-owned fields, building the write.

use serde_json::{Map, Value, json};

use super::{Body, Context, Outcome, Planned};
use crate::error::{Error, Result};
use crate::fhir::{Id, Instant, ResourceType, VersionId};
use crate::store::{StoredVersion, WriteOp};

/// Check that `body` is a JSON object whose `resourceType` is `ty`; `Invalid` otherwise.
pub fn check_body(ty: &ResourceType, body: &Value) -> Result<()> {
    let obj = body
        .as_object()
        .ok_or_else(|| Error::invalid("the body must be a JSON object (a FHIR resource)"))?;
    match obj.get("resourceType").and_then(Value::as_str) {
        Some(t) if t == ty.as_str() => Ok(()),
        Some(t) => Err(Error::invalid(format!(
            "resourceType '{t}' does not match the URL's type '{ty}'"
        ))
        .at("resourceType")),
        None => Err(Error::invalid("the body has no resourceType").at("resourceType")),
    }
}

/// The body's `id`, if any.
pub fn body_id(body: &Value) -> Option<&str> {
    body.get("id").and_then(Value::as_str)
}

/// `body` with the server-owned fields set: `id`, `meta.versionId`, `meta.lastUpdated`. The rest of the JSON,
/// including the rest of `meta`, is kept as the client sent it; `resourceType`, `id` and `meta` come first.
pub fn stamp(body: &Value, id: &Id, version: i64, at: Instant) -> Value {
    let mut out = Map::new();
    let src = body.as_object().cloned().unwrap_or_default();
    out.insert(
        "resourceType".into(),
        src.get("resourceType").cloned().unwrap_or(Value::Null),
    );
    out.insert("id".into(), json!(id.as_str()));
    let mut meta = src
        .get("meta")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    meta.insert("versionId".into(), json!(version.to_string()));
    meta.insert("lastUpdated".into(), json!(at.to_fhir()));
    out.insert("meta".into(), Value::Object(meta));
    for (k, v) in src {
        if !matches!(k.as_str(), "resourceType" | "id" | "meta") {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

/// Plan writing `body` as version `version` of `ty/id` with `method`, answering `status`.
pub async fn plan_write(
    ctx: &Context,
    ty: &ResourceType,
    id: &Id,
    version: i64,
    body: &Value,
    method: &'static str,
    status: u16,
) -> Result<Planned> {
    if ty.as_str() == "SearchParameter" {
        crate::search::registry::Registry::check(body)?;
    }
    let at = Instant::now();
    // The body as stored: a DocumentReference's attachments moved into Binaries (a copy); any
    // other body as it is (`stamp` makes the one copy it needs).
    let inlined;
    let (body, binaries) = if ty.as_str() == "DocumentReference" {
        let (doc, binaries) = super::mhd::inline_contents(body)?;
        inlined = doc;
        (&inlined, binaries)
    } else {
        (body, Vec::new())
    };
    let stamped = stamp(body, id, version, at);
    let warnings = ctx.validation.check(&stamped)?;
    let bytes = serde_json::to_vec(&stamped).map_err(Error::internal)?;
    let index = ctx.search.get().extract(&stamped);
    let access = super::facts::rows(ctx, &stamped, &index).await?;
    let write = WriteOp {
        res_type: ty.to_string(),
        id: id.to_string(),
        version,
        last_updated: at,
        method,
        content: Some(bytes),
        index,
        access: Some(access),
    };
    let mut writes = vec![write];
    for binary in &binaries {
        writes.push(new_version(ctx, binary, 1, "POST", at).await?);
    }
    let mut outcome = Outcome::new(status, Body::Json(stamped));
    outcome.location = Some(format!("{}/{ty}/{id}/_history/{version}", ctx.base_url));
    outcome.version = Some(VersionId(version));
    outcome.last_modified = Some(at);
    outcome.is_write = true;
    outcome.issues = warnings;
    Ok(Planned { writes, outcome })
}

/// A server-made write of `resource` as version `version` (stamped, indexed, with its consent
/// facts; not validated: the server's own resources, supersessions, the trail).
pub async fn new_version(
    ctx: &Context,
    resource: &Value,
    version: i64,
    method: &'static str,
    at: Instant,
) -> Result<WriteOp> {
    let ty = resource["resourceType"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = Id::parse(resource["id"].as_str().unwrap_or_default())?;
    let stamped = stamp(resource, &id, version, at);
    let index = ctx.search.get().extract(&stamped);
    let access = super::facts::rows(ctx, &stamped, &index).await?;
    Ok(WriteOp {
        res_type: ty,
        id: id.to_string(),
        version,
        last_updated: at,
        method,
        content: Some(serde_json::to_vec(&stamped).map_err(Error::internal)?),
        index,
        access: Some(access),
    })
}

/// The stored JSON of a live version, parsed.
pub fn parse_stored(version: &StoredVersion) -> Result<Value> {
    let bytes = version
        .content
        .as_deref()
        .ok_or_else(|| Error::internal("a deleted version has no content"))?;
    serde_json::from_slice(bytes).map_err(Error::internal)
}

/// An outcome answering a stored live version as it is (status 200).
pub fn stored_outcome(ctx: &Context, v: &StoredVersion) -> Outcome {
    let mut outcome = Outcome::new(200, Body::Stored(v.content.clone().unwrap_or_default()));
    outcome.location = Some(format!(
        "{}/{}/{}/_history/{}",
        ctx.base_url, v.res_type, v.id, v.version
    ));
    outcome.version = Some(VersionId(v.version));
    outcome.last_modified = Some(v.last_updated);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_sets_server_fields_and_keeps_the_rest() {
        let body = json!({"name": [{"family": "Martin"}], "resourceType": "Patient",
            "meta": {"profile": ["p"], "versionId": "99"}, "id": "old"});
        let id = Id::parse("x1").unwrap();
        let out = stamp(&body, &id, 3, Instant(0));
        assert_eq!(out["id"], "x1");
        assert_eq!(out["meta"]["versionId"], "3");
        assert_eq!(out["meta"]["profile"][0], "p");
        assert_eq!(out["meta"]["lastUpdated"], "1970-01-01T00:00:00.000Z");
        assert_eq!(out["name"][0]["family"], "Martin");
        let keys: Vec<_> = out.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["resourceType", "id", "meta", "name"]);
    }

    #[test]
    fn check_body_rejects_wrong_type() {
        let ty = ResourceType::parse("Patient").unwrap();
        assert!(check_body(&ty, &json!({"resourceType": "Patient"})).is_ok());
        assert!(check_body(&ty, &json!({"resourceType": "Observation"})).is_err());
        assert!(check_body(&ty, &json!([1])).is_err());
    }
}

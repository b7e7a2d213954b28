//! FHIR patch: https://hl7.org/fhir/R4/http.html#patch with JSON Patch (`application/json-patch+json`) or
//! FHIRPath Patch (a Parameters resource); conditional patch on criteria (one match required).

use serde_json::{Value, json};

use super::{Context, Criteria, Planned, conditional, read, resource, update};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType, VersionId};

/// A patch document in one of the supported formats.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchBody {
    /// RFC 6902 operations.
    Json(Value),
    /// A FHIRPath Patch Parameters resource.
    FhirPath(Value),
}

impl PatchBody {
    /// Apply this patch to `original`; a patch that cannot apply is `Unprocessable`, naming the operation.
    pub fn apply(&self, original: &Value) -> Result<Value> {
        let result = match self {
            Self::Json(ops) => crate::patch::apply_json_patch(original, ops),
            Self::FhirPath(params) => crate::patch::apply_fhirpath_patch(original, params),
        };
        result.map_err(|e| Error::new(ErrorKind::Unprocessable, e.message).at(e.at))
    }
}

/// Plan `PATCH [type]/[id]`: apply the patch to the current version and write the result as the next one.
pub async fn plan(
    ctx: &Context,
    ty: &ResourceType,
    id: &Id,
    patch: &PatchBody,
    if_match: Option<VersionId>,
) -> Result<Planned> {
    let current = read::live(ctx, ty, id).await?;
    if let Some(want) = if_match
        && want.0 != current.version
    {
        return Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!(
                "If-Match {} does not match the current version of {ty}/{id}",
                want.etag()
            ),
        ));
    }
    let original = resource::parse_stored(&current)?;
    let mut patched = patch.apply(&original)?;
    if patched.get("resourceType") != original.get("resourceType") {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "a patch cannot change resourceType",
        ));
    }
    if patched.get("id") != original.get("id") {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "a patch cannot change the id",
        ));
    }
    patched["id"] = json!(id.as_str());
    if ty.as_str() == "DocumentReference" {
        metadata_only(&original, &patched)?;
    }
    let mut planned = update::plan(ctx, ty, id, &patched, Some(VersionId(current.version))).await?;
    for w in &mut planned.writes {
        w.method = "PATCH";
    }
    Ok(planned)
}

/// The PDSm `isArchived` extension.
const IS_ARCHIVED: &str =
    "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived";

/// A DocumentReference's metadata update (PDSm) changes only `status`, `securityLabel` and the
/// `isArchived` extension: any other change is `NotSupported` (405), naming the element.
fn metadata_only(original: &Value, patched: &Value) -> Result<()> {
    let strip = |v: &Value| -> serde_json::Map<String, Value> {
        let mut m = v.as_object().cloned().unwrap_or_default();
        for k in ["status", "securityLabel", "meta"] {
            m.remove(k);
        }
        if let Some(Value::Array(exts)) = m.get_mut("extension") {
            exts.retain(|e| e["url"] != IS_ARCHIVED);
            if exts.is_empty() {
                m.remove("extension");
            }
        }
        m
    };
    let (before, after) = (strip(original), strip(patched));
    let changed = before
        .keys()
        .chain(after.keys())
        .find(|k| before.get(*k) != after.get(*k));
    match changed {
        None => Ok(()),
        Some(k) => Err(Error::new(
            ErrorKind::NotSupported,
            format!(
                "a DocumentReference patch may change status, securityLabel and isArchived only, not {k}"
            ),
        )
        .at(format!("DocumentReference.{k}"))),
    }
}

/// Plan `PATCH [type]?criteria`: exactly one match is patched; none is 404, more is 412.
pub async fn plan_conditional(
    ctx: &Context,
    ty: &ResourceType,
    criteria: &Criteria,
    patch: &PatchBody,
    if_match: Option<VersionId>,
) -> Result<Planned> {
    match conditional::matches(ctx, ty, criteria).await?.as_slice() {
        [] => Err(Error::not_found(
            "the conditional patch matched no resource",
        )),
        [one] => plan(ctx, ty, one, patch, if_match).await,
        _ => Err(Error::new(
            ErrorKind::PreconditionFailed,
            "the conditional patch matched more than one resource",
        )),
    }
}

//! From request parts (method, path relative to the base, query, the few headers that matter, body) to an
//! [`Interaction`]. Shared by the HTTP layer and by Bundle entries, so an entry takes exactly the path of the
//! equivalent request.

use serde_json::Value;

use super::{Criteria, HistoryScope, Interaction, PatchBody, SearchSpec, history};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, ResourceType, VersionId};

/// The parts of a request that decide the interaction.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    /// HTTP method, upper case.
    pub method: String,
    /// Path below the base, without leading slash: `Patient/1/_history`.
    pub path: String,
    /// Raw query string (without `?`).
    pub query: String,
    /// `If-Match`.
    pub if_match: Option<String>,
    /// `If-None-Exist` (a query string).
    pub if_none_exist: Option<String>,
    /// The parsed body, if any.
    pub body: Option<Value>,
    /// Whether the body is a JSON Patch document.
    pub json_patch: bool,
    /// `Prefer: return=…`.
    pub ret: super::PreferReturn,
    /// `Prefer: handling=strict`.
    pub strict: bool,
    /// A form body (`application/x-www-form-urlencoded`), for `_search`.
    pub form: Option<String>,
}

/// Map request parts to an interaction: `NotFound` for unknown paths/types, `NotSupported` for a method the
/// path does not take, `Invalid` for bad ids, versions or bodies.
pub fn interaction(p: RequestParts) -> Result<Interaction> {
    let segments: Vec<&str> = p.path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => root(&p),
        ["_search"] => only_post(&p, system_search(&p)?),
        ["$reindex"] => only_post(&p, Interaction::Reindex { ty: None }),
        ["metadata"] => only_get(&p, Interaction::Capabilities),
        ["_history"] => only_get(&p, history_of(HistoryScope::System, &p)?),
        [ty] => type_level(ResourceType::parse(ty)?, p),
        [ty, "$reindex"] => only_post(
            &p,
            Interaction::Reindex {
                ty: Some(ResourceType::parse(ty)?),
            },
        ),
        [ty, "$validate"] => only_post(&p, validate(ResourceType::parse(ty)?, None, &p)),
        [ty, id, "$validate"] => {
            let i = validate(ResourceType::parse(ty)?, Some(Id::parse(id)?), &p);
            if matches!(p.method.as_str(), "GET" | "POST") {
                Ok(i)
            } else {
                Err(not_supported(&p))
            }
        }
        [ty, "_search"] => {
            let ty = ResourceType::parse(ty)?;
            only_post(&p, search(vec![ty.to_string()], None, ty.to_string(), &p))
        }
        [ty, "_history"] => {
            let scope = HistoryScope::Type(ResourceType::parse(ty)?);
            only_get(&p, history_of(scope, &p)?)
        }
        [ty, id] => instance_level(ResourceType::parse(ty)?, Id::parse(id)?, p),
        [ty, id, "_history"] => {
            let scope = HistoryScope::Instance(ResourceType::parse(ty)?, Id::parse(id)?);
            only_get(&p, history_of(scope, &p)?)
        }
        [ty, id, "_history", vid] => {
            let i = Interaction::VRead {
                ty: ResourceType::parse(ty)?,
                id: Id::parse(id)?,
                vid: VersionId::parse(vid)?,
            };
            only_get(&p, i)
        }
        ["Patient", id, "$everything"] => {
            let id = Id::parse(id)?;
            let model = crate::model::r4();
            // The record's resources; its access trail is searched on its own (`AuditEvent?patient=`).
            let mut types: Vec<String> = model
                .compartment_types("Patient")
                .filter(|t| *t != crate::search::trail::TYPE)
                .map(str::to_owned)
                .collect();
            types.sort();
            let path = format!("Patient/{id}/$everything");
            let i = search(types, Some(("Patient".into(), id.to_string())), path, &p);
            if matches!(p.method.as_str(), "GET" | "POST") {
                Ok(i)
            } else {
                Err(not_supported(&p))
            }
        }
        [ct, cid, ty] if is_compartment(ct) => {
            let (ct, cid, ty) = (
                ResourceType::parse(ct)?,
                Id::parse(cid)?,
                ResourceType::parse(ty)?,
            );
            let path = format!("{ct}/{cid}/{ty}");
            only_get(
                &p,
                search(
                    vec![ty.to_string()],
                    Some((ct.to_string(), cid.to_string())),
                    path,
                    &p,
                ),
            )
        }
        _ => Err(Error::not_found(format!("no such endpoint: {}", p.path))),
    }
}

fn not_supported(p: &RequestParts) -> Error {
    Error::new(
        ErrorKind::NotSupported,
        format!("{} is not supported on '{}'", p.method, p.path),
    )
}

fn only_get(p: &RequestParts, i: Interaction) -> Result<Interaction> {
    if p.method == "GET" {
        Ok(i)
    } else {
        Err(not_supported(p))
    }
}

fn only_post(p: &RequestParts, i: Interaction) -> Result<Interaction> {
    if p.method == "POST" {
        Ok(i)
    } else {
        Err(not_supported(p))
    }
}

fn validate(ty: ResourceType, id: Option<Id>, p: &RequestParts) -> Interaction {
    let profiles = query_pairs(&p.query)
        .into_iter()
        .filter(|(k, _)| k == "profile")
        .map(|(_, v)| v)
        .collect();
    Interaction::Validate {
        ty,
        id,
        body: p.body.clone(),
        profiles,
    }
}

fn is_compartment(ty: &str) -> bool {
    matches!(
        ty,
        "Patient" | "Encounter" | "RelatedPerson" | "Practitioner" | "Device"
    )
}

/// A search of `types` with the URL query and any form body.
fn search(
    types: Vec<String>,
    compartment: Option<(String, String)>,
    path: String,
    p: &RequestParts,
) -> Interaction {
    let mut pairs = query_pairs(&p.query);
    if let Some(form) = &p.form {
        pairs.extend(query_pairs(form));
    }
    Interaction::Search(SearchSpec {
        types,
        compartment,
        pairs,
        strict: p.strict,
        path,
    })
}

/// `GET [base]?_type=A,B&…`: the listed types, or every type.
fn system_search(p: &RequestParts) -> Result<Interaction> {
    let mut pairs = query_pairs(&p.query);
    if let Some(form) = &p.form {
        pairs.extend(query_pairs(form));
    }
    let mut types = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "_type") {
        for t in v.split(',').filter(|t| !t.is_empty()) {
            types.push(
                ResourceType::parse(t)
                    .map_err(|e| e.at("_type"))?
                    .to_string(),
            );
        }
    }
    if types.is_empty() {
        types = crate::model::r4()
            .resource_types()
            .map(str::to_owned)
            .collect();
    }
    Ok(Interaction::Search(SearchSpec {
        types,
        compartment: None,
        pairs,
        strict: p.strict,
        path: String::new(),
    }))
}

fn root(p: &RequestParts) -> Result<Interaction> {
    if p.method == "GET" {
        return system_search(p);
    }
    match (p.method.as_str(), &p.body) {
        ("POST", Some(body)) => Ok(Interaction::Bundle {
            body: body.clone(),
            ret: p.ret,
        }),
        ("POST", None) => Err(Error::invalid(
            "POST [base] needs a batch or transaction Bundle",
        )),
        _ => Err(not_supported(p)),
    }
}

fn history_of(scope: HistoryScope, p: &RequestParts) -> Result<Interaction> {
    let pairs = query_pairs(&p.query);
    Ok(Interaction::History {
        scope,
        params: history::parse_params(&pairs)?,
    })
}

/// Decode a query string into pairs.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn body(p: &RequestParts) -> Result<Value> {
    p.body
        .clone()
        .ok_or_else(|| Error::invalid(format!("{} {} needs a body", p.method, p.path)))
}

fn if_match(p: &RequestParts) -> Result<Option<VersionId>> {
    p.if_match.as_deref().map(VersionId::parse).transpose()
}

fn type_level(ty: ResourceType, p: RequestParts) -> Result<Interaction> {
    match p.method.as_str() {
        "POST" => Ok(Interaction::Create {
            ty,
            body: body(&p)?,
            if_none_exist: p
                .if_none_exist
                .as_deref()
                .map(Criteria::parse)
                .transpose()?,
        }),
        "PUT" => Ok(Interaction::ConditionalUpdate {
            ty,
            criteria: Criteria::parse(&p.query)?,
            body: body(&p)?,
            if_match: if_match(&p)?,
        }),
        "PATCH" => Ok(Interaction::ConditionalPatch {
            ty,
            criteria: Criteria::parse(&p.query)?,
            patch: patch_body(&p)?,
            if_match: if_match(&p)?,
        }),
        "DELETE" => Ok(Interaction::ConditionalDelete {
            ty,
            criteria: Criteria::parse(&p.query)?,
        }),
        "GET" => {
            let path = ty.to_string();
            Ok(search(vec![ty.to_string()], None, path, &p))
        }
        _ => Err(not_supported(&p)),
    }
}

fn instance_level(ty: ResourceType, id: Id, p: RequestParts) -> Result<Interaction> {
    match p.method.as_str() {
        "GET" | "HEAD" => Ok(Interaction::Read { ty, id }),
        "PUT" => Ok(Interaction::Update {
            ty,
            id,
            body: body(&p)?,
            if_match: if_match(&p)?,
        }),
        "PATCH" => Ok(Interaction::Patch {
            ty,
            id,
            patch: patch_body(&p)?,
            if_match: if_match(&p)?,
        }),
        "DELETE" => Ok(Interaction::Delete { ty, id }),
        _ => Err(not_supported(&p)),
    }
}

fn patch_body(p: &RequestParts) -> Result<PatchBody> {
    let b = body(p)?;
    if p.json_patch || b.is_array() {
        Ok(PatchBody::Json(b))
    } else if b.get("resourceType").and_then(Value::as_str) == Some("Parameters") {
        Ok(PatchBody::FhirPath(b))
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedMedia,
            "PATCH takes a JSON Patch document (application/json-patch+json) or a FHIRPath Patch Parameters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, path: &str) -> RequestParts {
        RequestParts {
            method: method.into(),
            path: path.into(),
            ..RequestParts::default()
        }
    }

    #[test]
    fn paths_map_to_interactions() {
        assert!(matches!(
            interaction(parts("GET", "Patient/1")),
            Ok(Interaction::Read { .. })
        ));
        assert!(matches!(
            interaction(parts("GET", "Patient/1/_history/2")),
            Ok(Interaction::VRead { .. })
        ));
        assert!(matches!(
            interaction(parts("GET", "metadata")),
            Ok(Interaction::Capabilities)
        ));
        assert!(matches!(
            interaction(parts("GET", "_history")),
            Ok(Interaction::History { .. })
        ));
        assert_eq!(
            interaction(parts("GET", "Nope/1")).unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            interaction(parts("GET", "Patient/a_b")).unwrap_err().kind,
            ErrorKind::Invalid
        );
        assert_eq!(
            interaction(parts("POST", "metadata")).unwrap_err().kind,
            ErrorKind::NotSupported
        );
    }
}

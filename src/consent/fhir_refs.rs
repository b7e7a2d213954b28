//! Small pure helpers over FHIR JSON: identifiers, codings and reference resolution.

use serde_json::Value;

use super::ids::{IDNPS_SYSTEM, Idnps, OrgId};

/// The `(system, value, use)` of each `identifier` entry of `v` that has a system and a value.
pub(crate) fn identifiers(v: &Value) -> Vec<(&str, &str, Option<&str>)> {
    array(v, "identifier")
        .iter()
        .filter_map(|i| {
            let system = i.get("system")?.as_str()?;
            let value = i.get("value")?.as_str()?;
            Some((system, value, i.get("use").and_then(Value::as_str)))
        })
        .collect()
}

/// The array at `key`, or an empty slice.
pub(crate) fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The string at `key`, if any.
pub(crate) fn string<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The `(system, code)` of each coding of a CodeableConcept (system may be absent).
pub(crate) fn codings(concept: &Value) -> Vec<(Option<&str>, &str)> {
    array(concept, "coding")
        .iter()
        .filter_map(|c| Some((string(c, "system"), string(c, "code")?)))
        .collect()
}

/// Where references are resolved: the container's `contained` and the resources supplied.
#[derive(Clone, Copy)]
pub(crate) struct Resolver<'a> {
    pub contained: &'a [Value],
    pub resources: &'a [Value],
}

impl<'a> Resolver<'a> {
    /// The resource a Reference points at: `#id` in `contained`, or `[base/]Type/id[/_history/v]`
    /// among `resources`; `None` if absent.
    pub fn resolve(&self, reference: &Value) -> Option<&'a Value> {
        let text = string(reference, "reference")?;
        if let Some(local) = text.strip_prefix('#') {
            return self
                .contained
                .iter()
                .find(|r| string(r, "id") == Some(local));
        }
        let path = text.split("/_history/").next().unwrap_or(text);
        let mut parts = path.rsplit('/');
        let id = parts.next()?;
        let kind = parts.next()?;
        self.resources
            .iter()
            .find(|r| string(r, "resourceType") == Some(kind) && string(r, "id") == Some(id))
    }

    /// The IDNPS behind a Reference: its logical identifier, or the resolved Practitioner's, or
    /// the resolved PractitionerRole's practitioner's.
    pub fn idnps(&self, reference: &Value) -> Option<Idnps> {
        if let Some(id) = reference.get("identifier").and_then(idnps_of_identifier) {
            return Some(id);
        }
        let target = self.resolve(reference)?;
        match string(target, "resourceType")? {
            "Practitioner" => array(target, "identifier")
                .iter()
                .find_map(idnps_of_identifier),
            "PractitionerRole" => {
                let inner = target.get("practitioner")?;
                inner
                    .get("identifier")
                    .and_then(idnps_of_identifier)
                    .or_else(|| {
                        self.resolve(inner).and_then(|p| {
                            array(p, "identifier").iter().find_map(idnps_of_identifier)
                        })
                    })
            }
            _ => None,
        }
    }

    /// The identifiers of an Organization Reference (logical identifier or resolved resource).
    pub fn organisation(&self, reference: &Value) -> Vec<OrgId> {
        let declared = string(reference, "type");
        let textual = string(reference, "reference").is_some_and(|t| t.contains("Organization/"));
        let resolved = self.resolve(reference);
        let is_org = declared == Some("Organization")
            || textual
            || resolved.is_some_and(|r| string(r, "resourceType") == Some("Organization"));
        if !is_org {
            return Vec::new();
        }
        let mut ids: Vec<OrgId> = reference
            .get("identifier")
            .map(org_id)
            .into_iter()
            .flatten()
            .collect();
        if let Some(org) = resolved {
            ids.extend(identifiers(org).into_iter().map(|(s, v, _)| OrgId {
                system: s.to_owned(),
                value: v.to_owned(),
            }));
        }
        ids
    }
}

fn idnps_of_identifier(identifier: &Value) -> Option<Idnps> {
    (string(identifier, "system")? == IDNPS_SYSTEM)
        .then(|| string(identifier, "value"))
        .flatten()
        .and_then(|v| Idnps::parse(v).ok())
}

fn org_id(identifier: &Value) -> Option<OrgId> {
    Some(OrgId {
        system: string(identifier, "system")?.to_owned(),
        value: string(identifier, "value")?.to_owned(),
    })
}

//! Profile validation against StructureDefinitions given as JSON
//! (<https://hl7.org/fhir/R4/profiling.html>, <https://hl7.org/fhir/R4/validation.html#profile>).
//!
//! [`validate_profile`] checks what a profile adds to the base: cardinality, allowed types,
//! target types of references, fixed[x]/pattern[x], slicing (value, pattern, exists, type,
//! profile discriminators; open/closed), every extension whose definition is in the set
//! against it (sliced or not), datatype
//! profiles, bindings over the set's ValueSets/CodeSystems (required → error; extensible →
//! error when a coding of one of the value set's systems is not in it), and the profile's
//! own invariants through the [`InvariantEvaluator`]. It does **not** repeat base validation:
//! run [`validate_base`](super::validate_base) too.
//!
//! `maxLength`, ordered and openAtEnd slicing, and value set filters over local complete code
//! systems are checked. Not handled (reported nowhere): re-slicing, `resolve()` in
//! discriminators, `minValue`/`maxValue`, extension contexts, `mustSupport`, contentReference
//! children.

mod checks;
mod compile;
mod differential;
mod extensions;
mod filters;
mod matching;
mod node;
pub mod package;
mod set;
mod slicing;
mod terminology;
mod walk;

use serde_json::Value;

pub use set::ProfileSet;

use super::invariant::InvariantEvaluator;
use super::report::Report;
use super::walker::Walker;
use crate::model::r4;
use walk::ProfileWalker;

/// Validates `resource` against the profile `profile_url` (a `|version` is ignored) of `set`.
/// An unknown profile gives one `not-supported` error. Never fails otherwise: issues are in
/// the report.
pub fn validate_profile(
    resource: &Value,
    profile_url: &str,
    set: &ProfileSet,
    invariants: Option<&dyn InvariantEvaluator>,
) -> Report {
    let mut walker = ProfileWalker {
        w: Walker::new(r4(), invariants),
        set,
        depth: 0,
    };
    match set.profile(profile_url) {
        Some(profile) => {
            walker.resource_root(profile, resource);
            let rt = resource.get("resourceType").and_then(Value::as_str);
            let mark = walker.w.push_field(rt.unwrap_or_default());
            walker.all_extensions(resource, resource);
            walker.w.restore(mark);
        }
        None => {
            let rt = resource.get("resourceType").and_then(Value::as_str);
            let mark = walker.w.push_field(rt.unwrap_or_default());
            walker
                .w
                .error("not-supported", format!("unknown profile {profile_url}"));
            walker.w.restore(mark);
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut issues = walker.w.issues;
    // A value in a slice is checked against the sliced element and the slice, which often
    // repeat the same rule: report each issue once.
    issues.retain(|i| seen.insert((i.location.clone(), i.message.clone())));
    Report {
        issues,
        base_errors: false,
    }
}

/// Base validation plus each profile of `meta.profile`. A profile missing from `set` is an
/// `not-supported` error ("a write claiming a profile the server cannot check is refused"),
/// or a warning when [`ProfileSet::unknown_profile_warns`]; the resource type's own core
/// definition (`http://hl7.org/fhir/StructureDefinition/Patient`) is base validation itself and
/// a profile [marked enforced](ProfileSet::mark_enforced) is checked elsewhere. This is what
/// the write path and `$validate` without `profile` run.
pub fn validate_declared(
    resource: &Value,
    set: &ProfileSet,
    invariants: Option<&dyn InvariantEvaluator>,
) -> Report {
    let mut report = super::validate_base(resource, invariants);
    let rt = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let declared = resource.pointer("/meta/profile").and_then(Value::as_array);
    for (i, url) in declared
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, u)| Some((i, u.as_str()?)))
    {
        if set.profile(url).is_some() {
            report.merge(validate_profile(resource, url, set, invariants));
        } else if !is_own_core(url, rt) && !set.is_enforced(url) {
            let (severity, message) = if set.unknown_profile_warns {
                (
                    super::Severity::Warning,
                    format!("profile {url} is not known: not checked"),
                )
            } else {
                (
                    super::Severity::Error,
                    format!(
                        "profile {url} is not known to this server (load its package with --package, \
                         or create its StructureDefinition)"
                    ),
                )
            };
            report.issues.push(super::ValidationIssue {
                severity,
                code: "not-supported",
                location: format!("{rt}.meta.profile[{i}]"),
                message,
            });
        }
    }
    report
}

/// Whether `url` is the core StructureDefinition of the resource type `rt`.
fn is_own_core(url: &str, rt: &str) -> bool {
    node::unversioned(url)
        .strip_prefix(crate::model::CORE_SD)
        .is_some_and(|t| t == rt)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const OBS: &str = "http://example.org/StructureDefinition/obs";

    fn el(id: &str, extra: Value) -> Value {
        let path: String = id
            .split('.')
            .map(|s| s.split(':').next().unwrap_or(s))
            .collect::<Vec<_>>()
            .join(".");
        let mut e = json!({"id": id, "path": path, "min": 0, "max": "*"});
        if let (Some(o), Some(x)) = (e.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        e
    }

    fn set() -> ProfileSet {
        let mut set = ProfileSet::new();
        set.add(
            json!({"resourceType": "CodeSystem", "url": "http://cs", "content": "complete",
            "concept": [{"code": "a"}, {"code": "b"}]}),
        );
        set.add(json!({"resourceType": "ValueSet", "url": "http://vs",
            "compose": {"include": [{"system": "http://cs"}]}}));
        set.add(
            json!({"resourceType": "StructureDefinition", "url": "http://ext", "type": "Extension",
            "snapshot": {"element": [el("Extension", json!({})),
                el("Extension.url", json!({"min": 1, "max": "1", "fixedUri": "http://ext"})),
                el("Extension.value[x]", json!({"max": "1", "type": [{"code": "string"}]}))]}}),
        );
        let elements = vec![
            el("Observation", json!({})),
            el(
                "Observation.extension",
                json!({"slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}}),
            ),
            el(
                "Observation.extension:e",
                json!({"sliceName": "e", "min": 1, "max": "1",
                "type": [{"code": "Extension", "profile": ["http://ext|1"]}]}),
            ),
            el(
                "Observation.identifier",
                json!({"slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "closed"}}),
            ),
            el(
                "Observation.identifier.value",
                json!({"max": "1", "maxLength": 3}),
            ),
            el(
                "Observation.identifier:a",
                json!({"sliceName": "a", "min": 1, "max": "1"}),
            ),
            el(
                "Observation.identifier:a.system",
                json!({"min": 1, "max": "1", "fixedUri": "urn:a"}),
            ),
            el(
                "Observation.status",
                json!({"max": "1", "fixedCode": "final", "type": [{"code": "code"}]}),
            ),
            el(
                "Observation.code",
                json!({"min": 1, "max": "1", "type": [{"code": "CodeableConcept"}],
                "binding": {"strength": "required", "valueSet": "http://vs|1"}}),
            ),
            el(
                "Observation.subject",
                json!({"max": "1", "type": [{"code": "Reference",
                "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Patient"]}]}),
            ),
            el(
                "Observation.value[x]",
                json!({"max": "1", "type": [{"code": "Quantity"}]}),
            ),
            el(
                "Observation.interpretation",
                json!({"type": [{"code": "CodeableConcept"}],
                "binding": {"strength": "extensible", "valueSet": "http://vs"}}),
            ),
        ];
        set.add(
            json!({"resourceType": "StructureDefinition", "url": OBS, "type": "Observation",
            "snapshot": {"element": elements}}),
        );
        let by_binding = vec![
            el("Observation", json!({})),
            el(
                "Observation.identifier",
                json!({"slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "closed"}}),
            ),
            el("Observation.identifier:x", json!({"sliceName": "x"})),
            el(
                "Observation.identifier:x.system",
                json!({"max": "1", "type": [{"code": "uri"}],
                "binding": {"strength": "required", "valueSet": "http://vs"}}),
            ),
        ];
        set.add(json!({"resourceType": "StructureDefinition", "url": "http://bind", "type": "Observation",
            "snapshot": {"element": by_binding}}));
        set.add(json!({"resourceType": "StructureDefinition", "url": "http://derived", "type": "Observation",
            "baseDefinition": OBS, "differential": {"element": [
                el("Observation.subject", json!({"min": 1}))]}}));
        set
    }

    fn valid() -> Value {
        json!({"resourceType": "Observation", "status": "final",
            "extension": [{"url": "http://ext", "valueString": "x"}, {"url": "http://other", "valueCode": "y"}],
            "identifier": [{"system": "urn:a", "value": "1"}],
            "code": {"coding": [{"system": "http://cs", "code": "a"}]},
            "subject": {"reference": "Patient/1"}, "valueQuantity": {"value": 1},
            "interpretation": [{"coding": [{"system": "http://other", "code": "z"}]}]})
    }

    fn errors(edit: impl FnOnce(&mut Value), url: &str) -> Vec<String> {
        let mut v = valid();
        edit(&mut v);
        let r = validate_profile(&v, url, &set(), None);
        r.errors()
            .map(|e| format!("{} {}", e.location, e.message))
            .collect()
    }

    #[test]
    fn the_valid_instance_passes() {
        assert!(errors(|_| {}, OBS).is_empty(), "{:?}", errors(|_| {}, OBS));
    }

    #[test]
    fn fixed_values_types_and_targets() {
        let e = errors(|v| v["status"] = json!("preliminary"), OBS);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.status "),
            "{e:?}"
        );
        let e = errors(
            |v| {
                v.as_object_mut().map(|o| o.remove("valueQuantity"));
                v["valueString"] = json!("1");
            },
            OBS,
        );
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.valueString "),
            "{e:?}"
        );
        let e = errors(|v| v["subject"]["reference"] = json!("Group/1"), OBS);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.subject.reference "),
            "{e:?}"
        );
    }

    #[test]
    fn closed_slicing_and_slice_cardinality() {
        let e = errors(
            |v| v["identifier"] = json!([{"system": "urn:b", "value": "1"}]),
            OBS,
        );
        assert_eq!(e.len(), 2, "{e:?}"); // slice a missing, urn:b in no slice
        assert!(
            e[0].contains("Observation.identifier:a: minimum 1"),
            "{e:?}"
        );
        assert!(e[1].starts_with("Observation.identifier[0] "), "{e:?}");
    }

    #[test]
    fn ordered_and_open_at_end_slicing() {
        let mut set = set();
        let slice = |name: &str| {
            [
                el(
                    &format!("Observation.identifier:{name}"),
                    json!({"sliceName": name}),
                ),
                el(
                    &format!("Observation.identifier:{name}.system"),
                    json!({"max": "1", "fixedUri": format!("urn:{name}")}),
                ),
            ]
        };
        let mut elements = vec![
            el("Observation", json!({})),
            el(
                "Observation.identifier",
                json!({"slicing": {"discriminator": [{"type": "value", "path": "system"}],
                    "ordered": true, "rules": "openAtEnd"}}),
            ),
        ];
        elements.extend(slice("a"));
        elements.extend(slice("b"));
        set.add(
            json!({"resourceType": "StructureDefinition", "url": "http://ordered",
            "type": "Observation", "snapshot": {"element": elements}}),
        );
        let check = |systems: &[&str]| -> Vec<String> {
            let ids: Vec<Value> = systems.iter().map(|s| json!({"system": s})).collect();
            let v = json!({"resourceType": "Observation", "identifier": ids});
            let r = validate_profile(&v, "http://ordered", &set, None);
            r.errors()
                .map(|e| format!("{} {}", e.location, e.message))
                .collect()
        };
        assert!(check(&["urn:a", "urn:a", "urn:b", "urn:z"]).is_empty());
        let e = check(&["urn:b", "urn:a"]);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.identifier[1] "),
            "{e:?}"
        );
        assert!(
            e[0].contains("slice a") && e[0].contains("ordered"),
            "{e:?}"
        );
        let e = check(&["urn:a", "urn:z", "urn:b"]);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.identifier[2] "),
            "{e:?}"
        );
        assert!(e[0].contains("openAtEnd"), "{e:?}");
    }

    #[test]
    fn extensions_are_checked_against_their_definitions() {
        let e = errors(
            |v| v["extension"][0] = json!({"url": "http://ext", "valueCode": "x"}),
            OBS,
        );
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.extension[0].valueCode "),
            "{e:?}"
        );
        let e = errors(
            |v| {
                v["extension"]
                    .as_array_mut()
                    .map(|a| a.remove(0))
                    .map(drop)
                    .unwrap_or_default()
            },
            OBS,
        );
        assert!(
            e.len() == 1 && e[0].contains("Observation.extension:e: minimum 1"),
            "{e:?}"
        );
    }

    #[test]
    fn extensions_are_checked_where_the_profile_does_not_slice() {
        let ext = json!([{"url": "http://ext", "valueCode": "x"}]);
        let e = errors(|v| v["code"]["extension"] = ext, OBS);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.code.extension[0].valueCode "),
            "{e:?}"
        );
        let ext = json!([{"url": "http://ext", "valueBoolean": true}]);
        let e = errors(|v| v["_status"] = json!({"extension": ext}), OBS);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.status.extension[0].valueBoolean "),
            "{e:?}"
        );
    }

    #[test]
    fn declared_profiles_are_checked_and_unknown_ones_refused_or_warned() {
        let mut v = valid();
        let own_core = "http://hl7.org/fhir/StructureDefinition/Observation|4.0.1";
        v["meta"] = json!({"profile": [OBS, "http://unknown", own_core, "http://enforced|1"]});
        v["status"] = json!("amended");
        let mut set = set();
        set.mark_enforced("http://enforced");
        let issues = |set: &ProfileSet| -> Vec<String> {
            let r = validate_declared(&v, set, None);
            r.issues.iter().map(ToString::to_string).collect()
        };
        let e = issues(&set);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("error [value] Observation.status"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("error [not-supported] Observation.meta.profile[1]")
                && e[1].contains("http://unknown"),
            "{e:?}"
        );
        set.unknown_profile_warns = true;
        let e = issues(&set);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[1].starts_with("warning [not-supported] Observation.meta.profile[1]"),
            "{e:?}"
        );
    }

    #[test]
    fn max_length_is_checked() {
        let e = errors(|v| v["identifier"][0]["value"] = json!("1234"), OBS);
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.identifier[0].value "),
            "{e:?}"
        );
    }

    #[test]
    fn bindings_required_and_extensible() {
        let e = errors(|v| v["code"]["coding"][0]["code"] = json!("zz"), OBS);
        assert_eq!(e.len(), 2, "{e:?}"); // not in the value set's system, and no coding from it
        let e = errors(
            |v| v["interpretation"][0]["coding"][0] = json!({"system": "http://cs", "code": "zz"}),
            OBS,
        );
        assert!(
            e.len() == 1 && e[0].starts_with("Observation.interpretation[0].coding[0].code "),
            "{e:?}"
        );
    }

    #[test]
    fn value_discriminators_fall_back_to_bindings() {
        let ok = errors(
            |v| v["identifier"] = json!([{"system": "a", "value": "1"}]),
            "http://bind",
        );
        assert!(ok.is_empty(), "{ok:?}");
        let e = errors(
            |v| v["identifier"] = json!([{"system": "zz", "value": "1"}]),
            "http://bind",
        );
        assert!(e.len() == 1 && e[0].contains("closed"), "{e:?}");
    }

    #[test]
    fn differentials_apply_over_their_base() {
        assert!(errors(|_| {}, "http://derived").is_empty());
        let e = errors(
            |v| drop(v.as_object_mut().map(|o| o.remove("subject"))),
            "http://derived",
        );
        assert!(
            e.len() == 1 && e[0].contains("Observation.subject: minimum 1"),
            "{e:?}"
        );
        assert!(
            errors(
                |v| drop(v.as_object_mut().map(|o| o.remove("subject"))),
                OBS
            )
            .is_empty()
        );
        let e = errors(|v| v["status"] = json!("amended"), "http://derived");
        assert_eq!(e.len(), 1, "{e:?}"); // the base's fixed status still applies
    }
}

//! The DMP validation of one resource, as the server's write path runs it.

use std::collections::HashSet;

use serde_json::Value;

use super::issues::dmp_issues;
use super::profiles::dmp_profile_of;
use crate::validate::{
    InvariantEvaluator, ProfileSet, Report, Severity, ValidationIssue, validate_declared,
    validate_profile,
};

/// Validates `resource` for the DMP: base R4 validation, each profile of `meta.profile`
/// ([`validate_declared`]: an unknown one is a warning), the DMP profile of its type
/// ([`dmp_profile_of`]) when `meta.profile` does not already declare it, and the DMP
/// identifier rules ([`dmp_issues`]: NIR key, IDNPS form). An issue found twice (same
/// severity, code, location and message) is reported once, at its first place. `set` is
/// expected to hold the DMP profiles ([`load_profiles`](super::load_profiles)).
pub fn dmp_report(
    resource: &Value,
    set: &ProfileSet,
    inv: Option<&dyn InvariantEvaluator>,
) -> Report {
    let mut report = validate_declared(resource, set, inv);
    if let Some(url) = dmp_profile_of(resource).filter(|url| !declares(resource, url)) {
        report.merge(validate_profile(resource, url, set, inv));
    }
    report.issues.extend(dmp_issues(resource));
    dedup(&mut report.issues);
    report
}

/// What `$validate` with explicit profiles runs: base R4, `meta.profile`, `profiles` and the
/// DMP identifier rules, but not the DMP profile of the type unless asked for (the client asks
/// whether the resource conforms to the profiles it names). A core definition
/// (`http://hl7.org/fhir/StructureDefinition/Patient`) is base R4 validation itself; naming
/// another type's is an error.
pub fn requested_report(
    resource: &Value,
    profiles: &[String],
    set: &ProfileSet,
    inv: Option<&dyn InvariantEvaluator>,
) -> Report {
    let mut report = validate_declared(resource, set, inv);
    let rt = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for url in profiles {
        let bare = url.split('|').next().unwrap_or_default();
        match bare
            .strip_prefix(crate::model::CORE_SD)
            .filter(|t| crate::model::r4().is_resource_type(t))
        {
            Some(t) if t == rt => {}
            Some(t) => report.issues.push(ValidationIssue {
                severity: Severity::Error,
                code: "invalid",
                location: rt.to_owned(),
                message: format!("a {rt} cannot conform to {url}, the definition of {t}"),
            }),
            None => report.merge(validate_profile(resource, url, set, inv)),
        }
    }
    report.issues.extend(dmp_issues(resource));
    dedup(&mut report.issues);
    report
}

/// `true` when `meta.profile` lists `url`, with or without a `|version`.
fn declares(resource: &Value, url: &str) -> bool {
    let declared = resource.pointer("/meta/profile").and_then(Value::as_array);
    declared
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|p| p.split('|').next() == Some(url))
}

/// Keeps the first of identical issues, in order.
fn dedup(issues: &mut Vec<ValidationIssue>) {
    let mut seen = HashSet::new();
    issues.retain(|i| seen.insert((i.severity, i.code, i.location.clone(), i.message.clone())));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::dmp::load_profiles;

    fn set() -> ProfileSet {
        let mut set = ProfileSet::new();
        load_profiles(&mut set);
        set
    }

    #[test]
    fn applies_the_dmp_profile_and_identifier_rules_without_declaration() {
        let patient = json!({"resourceType": "Patient", "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "185057800608490"}]});
        let report = dmp_report(&patient, &set(), None);
        let locations: Vec<&str> = report.errors().map(|e| e.location.as_str()).collect();
        assert!(
            locations.contains(&"Patient.identifier[0].value"),
            "{report}"
        );
        assert!(
            report.errors().count() > 1,
            "the profile is checked too: {report}"
        );
    }

    #[test]
    fn a_declared_dmp_profile_is_checked_once() {
        let url = crate::dmp::dmp_profile_for("Patient").unwrap_or_default();
        let declared =
            json!({"resourceType": "Patient", "meta": {"profile": [format!("{url}|1.0")]}});
        let plain = json!({"resourceType": "Patient"});
        let set = set();
        let a = dmp_report(&declared, &set, None);
        let b = dmp_report(&plain, &set, None);
        assert_eq!(a.errors().count(), b.errors().count(), "{a}\n{b}");
        let mut unique = a.issues.clone();
        dedup(&mut unique);
        assert_eq!(unique, a.issues);
    }

    #[test]
    fn other_types_get_base_validation_only() {
        let obs = json!({"resourceType": "Observation", "status": "final",
            "code": {"text": "x"}});
        assert!(!dmp_report(&obs, &set(), None).has_errors());
    }

    #[test]
    fn requested_profiles_replace_the_implicit_dmp_profile() {
        let set = set();
        let plain = json!({"resourceType": "Patient", "name": [{"family": "Chalmers"}]});
        let core = ["http://hl7.org/fhir/StructureDefinition/Patient".to_owned()];
        let r = requested_report(&plain, &core, &set, None);
        assert!(!r.has_errors(), "the core Patient is base R4: {r}");
        assert!(dmp_report(&plain, &set, None).has_errors());
        let bundle = ["http://hl7.org/fhir/StructureDefinition/Bundle".to_owned()];
        let r = requested_report(&plain, &bundle, &set, None);
        assert_eq!(r.errors().count(), 1, "{r}");
        let dmp = [crate::dmp::dmp_profile_for("Patient")
            .unwrap_or_default()
            .to_owned()];
        assert!(requested_report(&plain, &dmp, &set, None).has_errors());
        let bad_nir = json!({"resourceType": "Patient", "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "185057800608490"}]});
        let r = requested_report(&bad_nir, &core, &set, None);
        assert!(
            r.errors()
                .any(|e| e.location == "Patient.identifier[0].value"),
            "{r}"
        );
    }
}

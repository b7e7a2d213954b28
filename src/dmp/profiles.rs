//! The DMP conformance resources of `profiles/`, compiled in, and the profile that applies to
//! each resource type.

use serde_json::Value;

use crate::model::r4;
use crate::validate::{ProfileSet, add_core_definitions_for};

/// Canonical base of Carnet's own StructureDefinitions.
pub const PROFILE_BASE: &str = "https://carnet.example.org/fhir/StructureDefinition/";

macro_rules! files {
    ($($path:literal),* $(,)?) => {
        /// Every file of `profiles/` (path relative to it, JSON text).
        pub const PROFILE_FILES: &[(&str, &str)] =
            &[$(($path, include_str!(concat!("../../profiles/", $path)))),*];
    };
}

files!(
    "code-systems/TRE-A03-ClasseDocument-DMP.json",
    "code-systems/TRE-A07-StatutVisibiliteDocument.json",
    "code-systems/TRE-A08-HL7Confidentiality.json",
    "structure-definitions/dmp-allergyintolerance.json",
    "structure-definitions/dmp-auditevent.json",
    "structure-definitions/dmp-consent.json",
    "structure-definitions/dmp-documentreference.json",
    "structure-definitions/dmp-list-folder.json",
    "structure-definitions/dmp-list-submissionset.json",
    "structure-definitions/dmp-medicationstatement.json",
    "structure-definitions/dmp-organization.json",
    "structure-definitions/dmp-patient.json",
    "structure-definitions/dmp-practitioner.json",
    "structure-definitions/dmp-practitionerrole.json",
    "structure-definitions/dmp-relatedperson.json",
    "structure-definitions/fr-core-identity-reliability.json",
    "structure-definitions/ihe-designationType.json",
    "structure-definitions/ihe-sourceId.json",
    "structure-definitions/pdsm-ext-is-archived.json",
    "value-sets/JDV-J57-ClassCode-DMP.json",
    "value-sets/JDV-J58-ConfidentialityCode-DMP.json",
    "value-sets/JDV-J66-TypeCode-DMP.json",
    "value-sets/dmp-vs-consent-provision-type.json",
    "value-sets/dmp-vs-emergency-purpose.json",
    "value-sets/dmp-vs-finess-type.json",
    "value-sets/dmp-vs-identity-method-collection.json",
    "value-sets/dmp-vs-identity-status.json",
    "value-sets/dmp-vs-identity-validation-mode.json",
    "value-sets/dmp-vs-ins-identifier-use.json",
    "value-sets/dmp-vs-patient-gender.json",
);

/// The DMP profile for `resource_type` (applied even when `meta.profile` is empty), or `None`
/// for a type the DMP does not profile. A List is taken as a submission set.
pub fn dmp_profile_for(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "Patient" => "https://carnet.example.org/fhir/StructureDefinition/dmp-patient",
        "Practitioner" => "https://carnet.example.org/fhir/StructureDefinition/dmp-practitioner",
        "PractitionerRole" => {
            "https://carnet.example.org/fhir/StructureDefinition/dmp-practitionerrole"
        }
        "Organization" => "https://carnet.example.org/fhir/StructureDefinition/dmp-organization",
        "RelatedPerson" => "https://carnet.example.org/fhir/StructureDefinition/dmp-relatedperson",
        "DocumentReference" => {
            "https://carnet.example.org/fhir/StructureDefinition/dmp-documentreference"
        }
        "List" => "https://carnet.example.org/fhir/StructureDefinition/dmp-list-submissionset",
        "Consent" => "https://carnet.example.org/fhir/StructureDefinition/dmp-consent",
        "AllergyIntolerance" => {
            "https://carnet.example.org/fhir/StructureDefinition/dmp-allergyintolerance"
        }
        "MedicationStatement" => {
            "https://carnet.example.org/fhir/StructureDefinition/dmp-medicationstatement"
        }
        "AuditEvent" => "https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent",
        _ => return None,
    })
}

/// The DMP profile that applies to `resource`: its type's ([`dmp_profile_for`]), except that a
/// List coded as an MHD `folder` is a folder, not a submission set.
pub fn dmp_profile_of(resource: &Value) -> Option<&'static str> {
    let rt = resource.get("resourceType").and_then(Value::as_str)?;
    let folder = rt == "List"
        && resource
            .pointer("/code/coding")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["code"] == "folder"));
    if folder {
        return Some("https://carnet.example.org/fhir/StructureDefinition/dmp-list-folder");
    }
    dmp_profile_for(rt)
}

/// Bundle profiles that make a transaction an ITI-65 submission.
pub const PROVIDE_PROFILES: &[&str] = &[
    "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle",
    "https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Comprehensive.ProvideBundle",
    "https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.UnContained.Comprehensive.ProvideBundle",
    "https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.ProvideBundle",
];

/// Adds every resource of [`PROFILE_FILES`] to `set`, after the R4 core StructureDefinitions
/// they need (the core types they are differentials over, and those types' datatype
/// profiles), synthesized from the generated model ([`add_core_definitions_for`]) unless
/// already in the set (official ones added before are kept). `ProfileSet::new()` then this is
/// all the DMP validation needs. Add [`add_core_definitions`](crate::validate::add_core_definitions)
/// first for `meta.profile` claims of core types to be checked too.
pub fn load_profiles(set: &mut ProfileSet) {
    // The files are ours and tested to parse: a broken one is skipped, not a panic.
    let resources: Vec<Value> = PROFILE_FILES
        .iter()
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .collect();
    add_core_definitions_for(set, r4(), &resources);
    for resource in resources {
        set.add(resource);
    }
    // The MHD submission rules are the transaction's own code (interaction::provide).
    for url in PROVIDE_PROFILES {
        set.mark_enforced(url);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    #[test]
    fn the_const_list_is_exactly_the_profiles_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
        let mut on_disk = BTreeSet::new();
        for dir in ["code-systems", "structure-definitions", "value-sets"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                on_disk.insert(format!("{dir}/{name}"));
            }
        }
        let listed: BTreeSet<String> = PROFILE_FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
        assert_eq!(
            listed.len(),
            PROFILE_FILES.len(),
            "duplicates in PROFILE_FILES"
        );
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn the_profiles_compile_without_official_definitions() {
        let mut set = ProfileSet::new();
        load_profiles(&mut set);
        let patient = serde_json::json!({"resourceType": "Patient"});
        let url = dmp_profile_for("Patient").unwrap_or_default();
        let report = crate::validate::validate_profile(&patient, url, &set, None);
        assert!(report.issues.iter().all(|i| i.code != "not-supported"));
        assert!(
            report.has_errors(),
            "the DMP Patient requires an identifier"
        );
    }

    #[test]
    fn every_file_parses_and_has_a_url() {
        for (path, text) in PROFILE_FILES {
            let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(v.get("url").and_then(Value::as_str).is_some(), "{path}");
        }
    }

    #[test]
    fn every_mapped_profile_is_in_the_folder() {
        let urls: Vec<String> = PROFILE_FILES
            .iter()
            .filter_map(|(_, t)| serde_json::from_str::<Value>(t).ok())
            .filter_map(|v| v.get("url").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for rt in [
            "Patient",
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "RelatedPerson",
            "DocumentReference",
            "List",
            "Consent",
            "AllergyIntolerance",
            "MedicationStatement",
            "AuditEvent",
        ] {
            let url = dmp_profile_for(rt).unwrap();
            assert!(url.starts_with(PROFILE_BASE));
            assert!(urls.iter().any(|u| u == url), "{rt}");
        }
        assert_eq!(dmp_profile_for("Observation"), None);
    }
}

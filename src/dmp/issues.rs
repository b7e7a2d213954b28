//! DMP business rules over identifiers that the profiles' `FHIRPath` cannot express well: the
//! NIR key of every INS identifier of a Patient, the `idNat_PS` form of a Practitioner.

use serde_json::Value;

use super::nir::check_nir;
use crate::validate::{Severity, ValidationIssue};

/// The INS identifier systems (NIR, NIA, test NIR, demo NIR) whose value is a NIR.
pub const INS_SYSTEMS: [&str; 4] = [
    "urn:oid:1.2.250.1.213.1.4.8",
    "urn:oid:1.2.250.1.213.1.4.9",
    "urn:oid:1.2.250.1.213.1.4.10",
    "urn:oid:1.2.250.1.213.1.4.11",
];

/// The `idNat_PS` system.
pub const IDNPS_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.1";

/// The DMP identifier issues of `resource` (code `value`, located at
/// `<Type>.identifier[i].value`): for a Patient, each INS identifier whose value is not a
/// valid NIR ([`check_nir`]); for a Practitioner, an IDNPS that is not a prefix 0, 1, 3, 4,
/// 5, 6 or 8 followed by digits, or an `8` + RPPS whose RPPS is not 11 digits. Other
/// resources, and identifiers without a string value (left to base validation), give none.
pub fn dmp_issues(resource: &Value) -> Vec<ValidationIssue> {
    let rt = resource.get("resourceType").and_then(Value::as_str);
    let check: fn(&str, &str) -> Option<String> = match rt {
        Some("Patient") => patient_identifier,
        Some("Practitioner") => practitioner_identifier,
        _ => return Vec::new(),
    };
    let rt = rt.unwrap_or_default();
    let identifiers = resource.get("identifier").and_then(Value::as_array);
    identifiers
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, id)| {
            let system = id.get("system").and_then(Value::as_str)?;
            let value = id.get("value").and_then(Value::as_str)?;
            check(system, value).map(|message| ValidationIssue {
                severity: Severity::Error,
                code: "value",
                location: format!("{rt}.identifier[{i}].value"),
                message,
            })
        })
        .collect()
}

fn patient_identifier(system: &str, value: &str) -> Option<String> {
    if !INS_SYSTEMS.contains(&system) {
        return None;
    }
    check_nir(value)
        .err()
        .map(|e| format!("INS ({system}) is not a valid NIR: {e}"))
}

fn practitioner_identifier(system: &str, value: &str) -> Option<String> {
    if system != IDNPS_SYSTEM {
        return None;
    }
    check_idnps(value).err()
}

/// Checks an `idNat_PS` ([PDSM4DMP] `PSIdNat`): a prefix 0, 1, 3, 4, 5, 6 or 8 followed by
/// digits; after `8` comes an RPPS number, 11 digits. Returns the reason it is not one.
pub fn check_idnps(value: &str) -> Result<(), String> {
    let mut chars = value.chars();
    let prefix = chars.next();
    let rest = chars.as_str();
    if !matches!(prefix, Some('0' | '1' | '3' | '4' | '5' | '6' | '8')) {
        return Err(format!(
            "IDNPS {value:?} does not start with 0, 1, 3, 4, 5, 6 or 8"
        ));
    }
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "IDNPS {value:?} is not a prefix followed by digits"
        ));
    }
    if prefix == Some('8') && rest.len() != 11 {
        return Err(format!("IDNPS {value:?}: 8 + RPPS needs an 11-digit RPPS"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flags_a_bad_nir_key_on_each_ins_system() {
        for (i, system) in INS_SYSTEMS.iter().enumerate() {
            let p = json!({"resourceType": "Patient", "identifier": [
                {"system": "urn:oid:1.2.250.1.213.1.4.13", "value": "x"},
                {"system": system, "value": "185057800608490"}]});
            let issues = dmp_issues(&p);
            assert_eq!(issues.len(), 1, "{i}");
            assert_eq!(issues[0].location, "Patient.identifier[1].value");
            assert_eq!(issues[0].code, "value");
        }
    }

    #[test]
    fn accepts_a_good_nir_and_ignores_other_systems() {
        let p = json!({"resourceType": "Patient", "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "185057800608491"},
            {"system": "urn:oid:1.2.250.1.213.1.4.13", "value": "not a nir"}]});
        assert!(dmp_issues(&p).is_empty());
    }

    #[test]
    fn checks_idnps_form() {
        assert_eq!(check_idnps("810101201234"), Ok(()));
        assert_eq!(check_idnps("0123456789"), Ok(()));
        assert!(check_idnps("210101201234").is_err());
        assert!(check_idnps("8101012012").is_err());
        assert!(check_idnps("81010120123X").is_err());
        let pr = json!({"resourceType": "Practitioner", "identifier": [
            {"system": IDNPS_SYSTEM, "value": "910101201234"}]});
        assert_eq!(
            dmp_issues(&pr)[0].location,
            "Practitioner.identifier[0].value"
        );
    }
}

//! Strict mode (the default of `carnet serve`): the DMP profile of a resource type applies even when the
//! resource declares none, and the NIR key is checked.

use serde_json::{Value, json};

use crate::common::{json, start_strict, start_strict_unknown_profiles_warned};

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/dmp/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn every_valid_fixture_is_accepted() {
    let s = start_strict().await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/dmp/valid");
    // Referenced resources first: an active Consent must name a stored Patient and resolvable actors.
    let rank = |r: &Value| {
        let order = [
            "Organization",
            "Practitioner",
            "PractitionerRole",
            "Patient",
        ];
        let ty = r["resourceType"].as_str().unwrap_or_default();
        order.iter().position(|t| *t == ty).unwrap_or(order.len())
    };
    let mut resources: Vec<Value> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
        .collect();
    resources.sort_by_key(|r| rank(r));
    for r in resources {
        let path = format!(
            "{}/{}",
            r["resourceType"].as_str().unwrap(),
            r["id"].as_str().unwrap()
        );
        // Only the server writes AuditEvents (append-only trail): the fixture is checked by $validate.
        let resp = if r["resourceType"] == "AuditEvent" {
            s.post("AuditEvent/$validate", &r).await
        } else {
            s.put(&path, &r).await
        };
        let status = resp.status();
        let body = resp.text().await.unwrap();
        assert!(status.is_success(), "{path}: {body}");
        assert!(!body.contains("\"severity\":\"error\""), "{path}: {body}");
    }
}

#[tokio::test]
async fn a_patient_without_ins_breaks_the_dmp_profile_even_when_none_is_declared() {
    let s = start_strict().await;
    let r = s
        .post(
            "Patient",
            &json!({"resourceType": "Patient", "gender": "female", "birthDate": "1985"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    assert!(
        oo["issue"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["expression"][0] == "Patient.identifier"),
        "{oo}"
    );
}

#[tokio::test]
async fn a_wrong_nir_key_is_refused_where_it_is() {
    let s = start_strict().await;
    let mut p = fixture("valid/patient.json");
    let nir = p["identifier"][0]["value"].as_str().unwrap().to_owned();
    let bad_key = if nir.ends_with("00") { "01" } else { "00" };
    p["identifier"][0]["value"] = json!(format!("{}{bad_key}", &nir[..13]));
    let r = s.put("Patient/camille-test", &p).await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    assert!(
        oo["issue"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["expression"][0] == "Patient.identifier[0].value"),
        "{oo}"
    );
}

#[tokio::test]
async fn an_unknown_declared_profile_is_refused_unless_configured_as_a_warning() {
    let mut p = fixture("valid/patient.json");
    p["meta"] = json!({"profile": [
        "http://hl7.org/fhir/StructureDefinition/Patient",
        "https://example.org/fhir/StructureDefinition/never-heard-of"
    ]});
    let s = start_strict().await;
    let r = s.put("Patient/camille-test", &p).await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    let issues: Vec<&Value> = oo["issue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .collect();
    assert_eq!(issues.len(), 1, "{oo}");
    assert_eq!(
        issues[0]["expression"][0], "Patient.meta.profile[1]",
        "{oo}"
    );
    assert_eq!(issues[0]["code"], "not-supported", "{oo}");
    assert_eq!(s.get("Patient/camille-test").await.status(), 404);

    let s = start_strict_unknown_profiles_warned().await;
    let r = s.put("Patient/camille-test", &p).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

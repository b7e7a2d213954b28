use serde_json::json;

use crate::common::{json, patient, start};

#[tokio::test]
async fn create_returns_201_with_location_etag_and_last_modified() {
    let s = start().await;
    let r = s.post("Patient", &patient("1850212345678")).await;
    assert_eq!(r.status(), 201);
    let h = r.headers().clone();
    let body = json(r).await;
    let id = body["id"].as_str().unwrap();
    assert_eq!(h["etag"], "W/\"1\"");
    assert!(h.contains_key("last-modified"));
    assert_eq!(
        h["location"].to_str().unwrap(),
        s.url(&format!("Patient/{id}/_history/1"))
    );
    assert_eq!(body["meta"]["versionId"], "1");
    assert!(body["meta"]["lastUpdated"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn create_ignores_a_client_id() {
    let s = start().await;
    let mut p = patient("1");
    p["id"] = json!("mine");
    let body = s.create(&p).await;
    assert_ne!(body["id"], "mine");
}

#[tokio::test]
async fn create_stores_the_json_as_sent() {
    let s = start().await;
    let raw = r#"{"resourceType": "Observation", "status": "final", "code": {"text": "t"},
        "valueQuantity": {"value": 1.50, "unit": "mmol/L"}, "note": [{"text": "n"}]}"#;
    let r = s
        .http
        .post(s.url("Observation"))
        .header("content-type", "application/fhir+json")
        .body(raw)
        .send()
        .await
        .unwrap();
    let created = json(r).await;
    let read = s
        .get(&format!("Observation/{}", created["id"].as_str().unwrap()))
        .await;
    let text = read.text().await.unwrap();
    assert!(
        text.contains("\"value\":1.50"),
        "decimal kept exactly: {text}"
    );
    assert!(text.find("valueQuantity").unwrap() < text.find("\"note\"").unwrap());
}

#[tokio::test]
async fn create_with_a_mismatched_resource_type_is_400() {
    let s = start().await;
    let r = s
        .post("Patient", &json!({"resourceType": "Observation"}))
        .await;
    assert_eq!(r.status(), 400);
    let oo = json(r).await;
    assert_eq!(oo["resourceType"], "OperationOutcome");
    assert_eq!(oo["issue"][0]["expression"][0], "resourceType");
}

#[tokio::test]
async fn create_works_for_every_kind_of_resource_type() {
    let s = start().await;
    let bodies = [
        json!({"resourceType": "DocumentReference", "status": "current",
            "content": [{"attachment": {"contentType": "text/plain"}}]}),
        json!({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/x"},
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]}}),
        json!({"resourceType": "MedicationStatement", "status": "active",
            "medicationCodeableConcept": {"text": "paracetamol"}, "subject": {"reference": "Patient/x"}}),
        json!({"resourceType": "Basic", "code": {"text": "x"}}),
    ];
    for body in bodies {
        let ty = body["resourceType"].as_str().unwrap().to_owned();
        let r = s.post(&ty, &body).await;
        assert_eq!(r.status(), 201, "{ty}");
    }
}

#[tokio::test]
async fn an_invalid_resource_is_422_listing_every_issue() {
    let s = start().await;
    let r = s
        .post("Patient", &json!({"resourceType": "Patient", "gender": "unknown-ish", "birthDate": "1985-13-01", "nickname": "x"}))
        .await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    let issues = oo["issue"].as_array().unwrap();
    assert!(issues.len() >= 3, "{oo}");
    let at: Vec<_> = issues
        .iter()
        .filter_map(|i| i["expression"][0].as_str())
        .collect();
    assert!(
        at.contains(&"Patient.gender") && at.contains(&"Patient.birthDate"),
        "{at:?}"
    );
    assert_eq!(
        json(s.get("Patient/_history").await).await["total"],
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn concurrent_creates_committed_together_each_keep_their_own_index_rows() {
    let s = std::sync::Arc::new(start().await);
    let creates = (0..40).map(|i| {
        let s = s.clone();
        tokio::spawn(async move {
            let r = s.post("Patient", &patient(&format!("ins-{i}"))).await;
            assert_eq!(r.status(), 201);
            json(r).await["id"].as_str().unwrap().to_owned()
        })
    });
    let ids = futures::future::join_all(creates).await;
    for (i, id) in ids.into_iter().enumerate() {
        let id = id.unwrap();
        let path = format!("Patient?identifier=urn:oid:1.2.250.1.213.1.4.10|ins-{i}");
        let bundle = json(s.get(&path).await).await;
        assert_eq!(bundle["total"], 1, "{path}: {bundle}");
        assert_eq!(bundle["entry"][0]["resource"]["id"], id.as_str());
    }
}

//! JSON and XML in both directions: `Accept`, `_format`, `Content-Type`.

use crate::common::{json, patient, start};

const XML_PATIENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <identifier><system value="urn:oid:1.2.250.1.213.1.4.10"/><value value="285047511234560"/></identifier>
  <name><family value="MARTIN-TEST"/><given value="Camille"/><given value="Marie"/></name>
  <gender value="female"/>
  <birthDate value="1985-04-12"><extension url="http://example.org/x"><valueBoolean value="true"/></extension></birthDate>
</Patient>"#;

#[tokio::test]
async fn an_xml_body_is_stored_as_fhir_json() {
    let s = start().await;
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+xml")
        .body(XML_PATIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let p = json(r).await;
    assert_eq!(p["name"][0]["given"][1], "Marie");
    assert_eq!(p["_birthDate"]["extension"][0]["valueBoolean"], true);
}

#[tokio::test]
async fn accept_and_format_choose_xml_responses() {
    let s = start().await;
    let p = s.create(&patient("70")).await;
    let path = format!("Patient/{}", p["id"].as_str().unwrap());
    let r = s
        .http
        .get(s.url(&path))
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/fhir+xml")
    );
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<Patient xmlns=\"http://hl7.org/fhir\">"),
        "{body}"
    );
    assert!(body.contains("<value value=\"70\"/>"), "{body}");
    for f in ["xml", "application/fhir+xml", "application/xml"] {
        let r = s
            .http
            .get(s.url(&path))
            .query(&[("_format", f)])
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().starts_with("<"), "{f}");
    }
    let back = s
        .http
        .get(s.url(&path))
        .query(&[("_format", "json")])
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(json(back).await, p, "_format beats Accept");
}

#[tokio::test]
async fn malformed_xml_is_400_with_line_and_column() {
    let s = start().await;
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+xml")
        .body("<Patient xmlns=\"http://hl7.org/fhir\">\n  <active value=\"true\">\n</Patient>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let d = json(r).await["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(d.contains("line"), "{d}");
}

#[tokio::test]
async fn xml_with_a_doctype_is_refused() {
    let s = start().await;
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
               <Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"&e;\"/></Patient>";
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+xml")
        .body(xxe)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(s.get("Patient/_history").await.status(), 200);
    assert_eq!(json(s.get("Patient/_history").await).await["total"], 0);
}

#[tokio::test]
async fn unknown_xml_elements_are_refused_with_their_location() {
    let s = start().await;
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/xml")
        .body("<Patient xmlns=\"http://hl7.org/fhir\"><nickname value=\"x\"/></Patient>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn bundles_and_errors_come_back_in_xml_too() {
    let s = start().await;
    s.create(&patient("71")).await;
    let r = s
        .http
        .get(s.url("Patient/_history"))
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<Bundle xmlns=\"http://hl7.org/fhir\">")
    );
    let r = s
        .http
        .get(s.url("Patient/missing"))
        .header("accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("<OperationOutcome"));
}

#[tokio::test]
async fn the_capability_statement_lists_both_formats() {
    let s = start().await;
    let cs = json(s.get("metadata").await).await;
    let formats: Vec<_> = cs["format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"application/fhir+xml") && formats.contains(&"application/fhir+json")
    );
}

#[tokio::test]
async fn large_answers_are_gzipped_when_the_client_asks() {
    let s = start().await;
    for i in 0..30 {
        let body = serde_json::json!({"resourceType": "Patient", "id": format!("gz{i}"),
            "name": [{"family": "Compressible", "given": ["Repeated"]}], "gender": "female"});
        let r = s
            .http
            .put(s.url(&format!("Patient/gz{i}")))
            .header("content-type", "application/fhir+json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let url = s.url("Patient?family=Compressible&_count=50&_sort=_id");
    let plain = s.http.get(&url).send().await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain: serde_json::Value = plain.json().await.unwrap();
    let r = s
        .http
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let bytes = r.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    let unzipped: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(unzipped["total"], plain["total"]);
    assert_eq!(unzipped["entry"], plain["entry"]);
    assert!(
        bytes.len() * 3 < text.len(),
        "{} bytes for {}",
        bytes.len(),
        text.len()
    );
    // A small answer is sent as it is.
    let r = s
        .http
        .get(s.url("Patient/gz1"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("content-encoding"), None);
}

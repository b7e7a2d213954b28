//! Document sharing (IHE MHD as PDSm profiles it): simplified publish, attachment checks, Binary
//! retrieval, replacement and logical deletion.

use base64::Engine;
use serde_json::{Value, json};

use crate::common::{json, start};

const PDF: &[u8] = b"%PDF-1.4\n% compte rendu fictif\n%%EOF\n";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sha1(bytes: &[u8]) -> String {
    use sha1::Digest;
    b64(&sha1::Sha1::digest(bytes))
}

fn document(attachment: Value) -> Value {
    json!({"resourceType": "DocumentReference", "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
        "content": [{"attachment": attachment}]})
}

#[tokio::test]
async fn simplified_publish_stores_the_content_as_a_binary() {
    let s = start().await;
    let doc = document(json!({"contentType": "application/pdf", "data": b64(PDF)}));
    let r = s.post("DocumentReference", &doc).await;
    assert_eq!(r.status(), 201);
    let stored = json(r).await;
    let att = &stored["content"][0]["attachment"];
    assert!(att.get("data").is_none());
    assert_eq!(att["size"], PDF.len());
    assert_eq!(att["hash"], sha1(PDF));
    let url = att["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("Binary/"));
    // ITI-68: the raw content with its type, unless a FHIR format is asked for.
    let any = s
        .http
        .get(s.url(&url))
        .header("accept", "*/*")
        .send()
        .await
        .unwrap();
    assert_eq!(
        any.headers()["content-type"],
        "application/pdf",
        "*/* names no FHIR format"
    );
    let raw = s
        .http
        .get(s.url(&url))
        .header("accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.headers()["content-type"], "application/pdf");
    assert_eq!(raw.bytes().await.unwrap().as_ref(), PDF);
    let fhir = json(
        s.http
            .get(s.url(&url))
            .header("accept", "application/fhir+json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(fhir["resourceType"], "Binary");
}

#[tokio::test]
async fn size_and_hash_are_checked_against_the_content() {
    let s = start().await;
    let bin = s
        .create(
            &json!({"resourceType": "Binary", "contentType": "application/pdf", "data": b64(PDF)}),
        )
        .await;
    let url = format!("Binary/{}", bin["id"].as_str().unwrap());
    let good = document(
        json!({"contentType": "application/pdf", "url": url, "size": PDF.len(), "hash": sha1(PDF)}),
    );
    assert_eq!(s.post("DocumentReference", &good).await.status(), 201);
    let bad_hash =
        document(json!({"contentType": "application/pdf", "url": url, "hash": sha1(b"other")}));
    let r = s.post("DocumentReference", &bad_hash).await;
    assert_eq!(r.status(), 422);
    let oo = json(r).await;
    assert_eq!(
        oo["issue"][0]["expression"][0],
        "DocumentReference.content[0].attachment.hash"
    );
    let bad_size = document(json!({"contentType": "application/pdf", "url": url, "size": 3}));
    assert_eq!(s.post("DocumentReference", &bad_size).await.status(), 422);
    let elsewhere =
        document(json!({"contentType": "application/pdf", "url": "Binary/nope", "size": 3}));
    assert_eq!(
        s.post("DocumentReference", &elsewhere).await.status(),
        201,
        "content not held here"
    );
}

#[tokio::test]
async fn a_provide_bundle_checks_contents_written_with_it_and_is_atomic() {
    let s = start().await;
    let bundle = |hash: &str| {
        json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:5b1a7e2c-0000-4000-8000-000000000001",
             "resource": {"resourceType": "Binary", "contentType": "application/pdf", "data": b64(PDF)},
             "request": {"method": "POST", "url": "Binary"}},
            {"fullUrl": "urn:uuid:5b1a7e2c-0000-4000-8000-000000000002",
             "resource": document(json!({"contentType": "application/pdf",
                "url": "urn:uuid:5b1a7e2c-0000-4000-8000-000000000001", "size": PDF.len(), "hash": hash})),
             "request": {"method": "POST", "url": "DocumentReference"}}]})
    };
    let r = s.post("", &bundle(&sha1(b"wrong"))).await;
    assert_eq!(r.status(), 422);
    let before = json(s.get("Binary?_summary=count").await).await;
    assert_eq!(before["total"], 0, "nothing of a refused bundle is written");
    let r = s.post("", &bundle(&sha1(PDF))).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_replacement_supersedes_and_a_deletion_is_logical() {
    let s = start().await;
    s.put(
        "Patient/pm",
        &json!({"resourceType": "Patient", "id": "pm"}),
    )
    .await;
    let document = |att: Value| {
        let mut d = document(att);
        d["subject"] = json!({"reference": "Patient/pm"});
        d
    };
    let old = s
        .create(&document(
            json!({"contentType": "text/plain", "data": b64(b"v1")}),
        ))
        .await;
    let old_id = old["id"].as_str().unwrap().to_owned();
    let mut new = document(json!({"contentType": "text/plain", "data": b64(b"v2")}));
    new["relatesTo"] = json!([{"code": "replaces", "target": {"reference": format!("DocumentReference/{old_id}")}}]);
    let new = s.create(&new).await;
    let old_now = json(s.get(&format!("DocumentReference/{old_id}")).await).await;
    assert_eq!(old_now["status"], "superseded");
    assert_eq!(old_now["meta"]["versionId"], "2");
    let path = format!("DocumentReference/{}", new["id"].as_str().unwrap());
    assert_eq!(
        s.delete(&path).await.status(),
        403,
        "only the author deletes, not an administrator"
    );
}

#[tokio::test]
async fn a_metadata_update_changes_status_labels_and_archiving_only() {
    let s = start().await;
    let mut doc = document(json!({"contentType": "text/plain", "data": b64(b"x")}));
    doc["identifier"] =
        json!([{"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.999.1"}]);
    doc["description"] = json!("CR");
    s.create(&doc).await;
    let patch = |ops: Value| {
        s.http
            .patch(s.url("DocumentReference?identifier=urn:ietf:rfc:3986|urn:oid:1.2.250.1.999.1"))
            .header("content-type", "application/json-patch+json")
            .json(&ops)
            .send()
    };
    let r = patch(json!([{"op": "add", "path": "/extension", "value": [{"url":
        "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived", "valueBoolean": true}]}]))
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = patch(json!([{"op": "replace", "path": "/description", "value": "autre"}]))
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        json(r).await["issue"][0]["expression"][0],
        "DocumentReference.description"
    );
    let r = patch(json!([{"op": "replace", "path": "/status", "value": "superseded"}]))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["meta"]["versionId"], "3");
}

#[tokio::test]
async fn a_large_binary_streams_back_whole_with_its_length() {
    let s = start().await;
    let content: Vec<u8> = (0..700_000u32).map(|i| (i * 31 % 253) as u8).collect();
    let id = s
        .create(&json!({"resourceType": "Binary", "contentType": "application/pdf", "data": b64(&content)}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s.get(&format!("Binary/{id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(
        r.headers()["content-length"],
        content.len().to_string().as_str()
    );
    let back = r.bytes().await.unwrap();
    assert!(
        back.as_ref() == content.as_slice(),
        "{} bytes back",
        back.len()
    );
    // MIME-wrapped base64 (R4 allows whitespace in base64Binary) comes back as the same bytes.
    let wrapped: Vec<String> = b64(&content[..10_000])
        .as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8(l.to_vec()).unwrap())
        .collect();
    let id = s
        .create(&json!({"resourceType": "Binary", "contentType": "text/plain", "data": wrapped.join("\r\n")}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s.get(&format!("Binary/{id}")).await;
    let status = r.status();
    let back = r.bytes().await.unwrap();
    assert!(
        back.as_ref() == &content[..10_000],
        "{status} {} {:?}",
        back.len(),
        String::from_utf8_lossy(&back[..back.len().min(300)])
    );
}

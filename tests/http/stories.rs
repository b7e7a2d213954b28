//! The demo's stories (fixtures/demo/README.md), replayed over HTTP on the demo population in strict
//! mode, each with the persona's own token: feeding by ITI-105 and ITI-65, consultation, masking,
//! the psychiatric synthesis a nurse does not see, the emergency access the patient reads in the
//! trail, the blocked professional, the document hidden from the patient for a month, replacement.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::{Value, json};

use crate::common::{TestServer, start_strict};

const A07: &str = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument";
const PDSM_BUNDLE: &str = "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle";

fn read_fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/demo/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A resource of the demo Bundles, by type and id.
pub(crate) fn demo_resource(rt: &str, id: &str) -> Value {
    let b = read_fixture("04-documents.json");
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == rt && r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{rt}/{id} in the demo"))
}

/// The server with the whole demo loaded, as `carnet serve --demo` does.
pub(crate) async fn demo() -> TestServer {
    let s = start_strict().await;
    for b in crate::demo::demo_bundles() {
        let r = s.post("", &b).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    s
}

/// A client with the token of the persona whose name starts with `name`.
pub(crate) fn persona(s: &TestServer, name: &str) -> reqwest::Client {
    let all = read_fixture("personas/personas.json");
    let p = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().starts_with(name))
        .unwrap_or_else(|| panic!("persona {name}"));
    let args: Vec<&str> = p["token"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    s.client(&s.token(&args))
}

async fn get(s: &TestServer, c: &reqwest::Client, path: &str) -> (u16, Value) {
    let r = c.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn send(s: &TestServer, c: &reqwest::Client, path: &str, body: &Value) -> (u16, Value) {
    let r = c
        .post(s.url(path))
        .header("content-type", "application/fhir+json")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Ids of Camille's documents `c` finds.
async fn camille_docs(s: &TestServer, c: &reqwest::Client) -> BTreeSet<String> {
    let query = "DocumentReference?patient=Patient/camille-test&_count=100";
    crate::consent::population::search(s, c, query).await.0
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn sha1(bytes: &[u8]) -> String {
    use sha1::Digest;
    b64(&sha1::Sha1::digest(bytes))
}

/// A new document like demo document `like`, with fresh identifiers, `content` and no id.
pub(crate) fn new_document(like: &str, n: u32, attachment: Value) -> Value {
    let mut d = demo_resource("DocumentReference", like);
    let o = d.as_object_mut().unwrap();
    o.remove("id");
    o.remove("meta");
    d["masterIdentifier"]["value"] = json!(format!("urn:oid:1.2.250.1.999.2.77.{n}"));
    d["identifier"][0]["value"] =
        json!(format!("urn:uuid:0d6c1e5a-77aa-4c1b-9d3e-0000000000{n:02}"));
    let title = d["content"][0]["attachment"]["title"].clone();
    let mut att = attachment;
    att["language"] = json!("fr-FR");
    att["title"] = title;
    d["content"][0]["attachment"] = att;
    d
}

/// ITI-65: a Binary, its DocumentReference (like `like`) and the SubmissionSet, by `source`.
pub(crate) fn provide_bundle(like: &str, n: u32, content: &[u8], source: &str) -> Value {
    let bin = format!("urn:uuid:7e1f0c2a-65aa-4b1b-8c2d-0000000000{n:02}");
    let doc = format!("urn:uuid:7e1f0c2a-65aa-4b1b-8c2d-0000000001{n:02}");
    let document = new_document(
        like,
        n,
        json!({"contentType": "application/pdf", "url": bin, "size": content.len(),
            "hash": sha1(content)}),
    );
    let mut set = demo_resource("List", "ss-ch-sortie");
    set.as_object_mut().unwrap().remove("id");
    set["identifier"][0]["value"] = json!(format!("urn:oid:1.2.250.1.999.2.78.{n}"));
    set["identifier"][1]["value"] =
        json!(format!("urn:uuid:7e1f0c2a-65aa-4b1b-8c2d-0000000002{n:02}"));
    set["source"] = json!({"reference": source});
    set["entry"] = json!([{"item": {"reference": doc}}]);
    json!({"resourceType": "Bundle", "type": "transaction", "meta": {"profile": [PDSM_BUNDLE]},
        "entry": [
            {"fullUrl": format!("urn:uuid:7e1f0c2a-65aa-4b1b-8c2d-0000000002{n:02}"),
             "resource": set, "request": {"method": "POST", "url": "List"}},
            {"fullUrl": doc, "resource": document,
             "request": {"method": "POST", "url": "DocumentReference"}},
            {"fullUrl": bin, "resource": {"resourceType": "Binary", "contentType": "application/pdf",
                "securityContext": {"reference": doc}, "data": b64(content)},
             "request": {"method": "POST", "url": "Binary"}}]})
}

pub(crate) const DISCHARGE: &[u8] =
    b"%PDF-1.4\n% CR d'hospitalisation fictif, cardiologie\n%%EOF\n";

#[tokio::test]
async fn a_pharmacist_feeds_a_vaccination_note_and_a_medication_review() {
    let s = demo().await;
    let pharmacist = persona(&s, "Inès MOREAU");
    let mut ids = Vec::new();
    for (n, like, text) in [
        (
            1,
            "vaccination-camille",
            &b"Vaccination grippe saisonniere, lot FICTIF-1"[..],
        ),
        (
            2,
            "bilan-medicamenteux",
            &b"%PDF-1.4\n% bilan fictif\n%%EOF\n"[..],
        ),
    ] {
        let mut d = new_document(
            like,
            n,
            json!({"contentType": "application/pdf", "data": b64(text)}),
        );
        d["author"] = json!([{"reference": "Practitioner/ph-moreau"}]);
        d["custodian"] = json!({"reference": "Organization/pharmacie-fictive"});
        let (status, created) = send(&s, &pharmacist, "DocumentReference", &d).await;
        assert_eq!(status, 201, "ITI-105 {like}: {created}");
        let att = &created["content"][0]["attachment"];
        assert!(att.get("data").is_none(), "the content moved to a Binary");
        assert_eq!(att["size"], text.len());
        assert_eq!(att["hash"], sha1(text));
        let url = att["url"].as_str().unwrap().to_owned();
        let raw = pharmacist.get(s.url(&url)).send().await.unwrap();
        assert_eq!(raw.bytes().await.unwrap().as_ref(), text);
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let seen = camille_docs(&s, &persona(&s, "Dr Alix MARTIN")).await;
    assert!(
        ids.iter().all(|id| seen.contains(id)),
        "the médecin traitant sees both"
    );
}

#[tokio::test]
async fn a_hospital_feeds_a_discharge_report_through_iti_65_and_the_gp_consults_it() {
    let s = demo().await;
    let cardiologist = persona(&s, "Dr Hélène BERNARD");
    let bundle = provide_bundle(
        "lettre-liaison-ch",
        3,
        DISCHARGE,
        "PractitionerRole/dr-bernard-role",
    );
    let (status, answer) = send(&s, &cardiologist, "", &bundle).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["type"], "transaction-response");
    let entries = answer["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "one answer per entry, in order");
    let locations: Vec<&str> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["response"]["status"], "201 Created", "{e}");
            let loc = e["response"]["location"].as_str().unwrap();
            let loc = loc.strip_prefix(&format!("{}/", s.base)).unwrap_or(loc);
            loc.split("/_history").next().unwrap()
        })
        .collect();
    assert!(locations[0].starts_with("List/"));
    assert!(locations[1].starts_with("DocumentReference/"));
    assert!(locations[2].starts_with("Binary/"));
    let gp = persona(&s, "Dr Alix MARTIN");
    let doc_id = locations[1].split('/').nth(1).unwrap();
    assert!(camille_docs(&s, &gp).await.contains(doc_id));
    let (_, doc) = get(&s, &gp, &format!("DocumentReference/{doc_id}")).await;
    let url = doc["content"][0]["attachment"]["url"].as_str().unwrap();
    assert_eq!(url, locations[2]);
    let raw = gp.get(s.url(url)).send().await.unwrap();
    assert_eq!(raw.headers()["content-type"], "application/pdf");
    assert_eq!(raw.bytes().await.unwrap().as_ref(), DISCHARGE);
    let (_, sets) = get(
        &s,
        &gp,
        "List?code=https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes|submissionset&patient.identifier=urn:oid:1.2.250.1.213.1.4.10|285027511404277&status=current&_count=100",
    )
    .await;
    assert!(
        sets["entry"].as_array().unwrap().iter().any(|e| format!(
            "List/{}",
            e["resource"]["id"].as_str().unwrap()
        ) == locations[0]
            .split("/_history")
            .next()
            .unwrap()),
        "ITI-66 finds the new submission set"
    );
}

#[tokio::test]
async fn an_iti_65_submission_is_refused_whole_when_its_metadata_disagree() {
    let s = demo().await;
    let admin = s.http.clone();
    let count = || async {
        let (_, b) = get(&s, &admin, "DocumentReference?_summary=count").await;
        b["total"].as_i64().unwrap()
    };
    let before = count().await;
    let good = || {
        provide_bundle(
            "lettre-liaison-ch",
            4,
            DISCHARGE,
            "PractitionerRole/dr-bernard-role",
        )
    };
    let mut other_patient = good();
    other_patient["entry"][1]["resource"]["subject"] = json!({"reference": "Patient/marcel-aine"});
    let mut not_listed = good();
    not_listed["entry"][0]["resource"]["entry"] =
        json!([{"item": {"reference": "DocumentReference/cr-consult-1"}}]);
    let mut dangling = good();
    dangling["entry"][0]["resource"]["entry"][0]["item"]["reference"] =
        json!("DocumentReference/nowhere");
    let mut no_binary = good();
    no_binary["entry"][1]["resource"]["content"][0]["attachment"]["url"] =
        json!("urn:uuid:7e1f0c2a-65aa-4b1b-8c2d-999999999999");
    let mut two_sets = good();
    let second = two_sets["entry"][0].clone();
    two_sets["entry"].as_array_mut().unwrap().push(second);
    let mut bad_hash = good();
    bad_hash["entry"][1]["resource"]["content"][0]["attachment"]["hash"] = json!(sha1(b"other"));
    for (name, bundle, code, location) in [
        (
            "patient",
            other_patient,
            "XDSPatientIdDoesNotMatch",
            "Bundle.entry[1].resource.subject",
        ),
        (
            "not an item",
            not_listed,
            "XDSRegistryMetadataError",
            "Bundle.entry[1].fullUrl",
        ),
        (
            "dangling item",
            dangling,
            "XDSRegistryMetadataError",
            "Bundle.entry[0].resource.entry[0].item",
        ),
        (
            "no binary",
            no_binary,
            "XDSMissingDocument",
            "Bundle.entry[1].resource.content[0].attachment.url",
        ),
        (
            "two sets",
            two_sets,
            "XDSRegistryMetadataError",
            "Bundle.entry",
        ),
        ("hash", bad_hash, "hash", "attachment.hash"),
    ] {
        let (status, outcome) = send(&s, &admin, "", &bundle).await;
        assert_eq!(status, 422, "{name}: {outcome}");
        let issue = &outcome["issue"][0];
        assert!(
            issue["diagnostics"].as_str().unwrap().contains(code),
            "{name}: {issue}"
        );
        assert!(
            issue["expression"][0].as_str().unwrap().ends_with(location),
            "{name}: {issue}"
        );
    }
    assert_eq!(
        count().await,
        before,
        "nothing of a refused submission is written"
    );
    let (status, answer) = send(&s, &admin, "", &good()).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn the_patient_masks_a_document_the_cardiologist_loses_it_the_gp_keeps_it() {
    let s = demo().await;
    let (cardiologist, gp) = (
        persona(&s, "Dr Hélène BERNARD"),
        persona(&s, "Dr Alix MARTIN"),
    );
    assert!(
        camille_docs(&s, &cardiologist)
            .await
            .contains("vsm-camille")
    );
    let camille = persona(&s, "Camille TESTDMP");
    let patch = json!([{"op": "add", "path": "/securityLabel/-",
        "value": {"coding": [{"system": A07, "code": "MASQUE_PS"}]}}]);
    let r = camille
        .patch(s.url("DocumentReference/vsm-camille"))
        .header("content-type", "application/json-patch+json")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(
        !camille_docs(&s, &cardiologist)
            .await
            .contains("vsm-camille")
    );
    let (status, _) = get(&s, &cardiologist, "DocumentReference/vsm-camille").await;
    assert_eq!(status, 404, "hidden means non-existent");
    let (status, _) = get(&s, &cardiologist, "Binary/vsm-camille").await;
    assert_eq!(status, 404, "its content follows it");
    assert!(camille_docs(&s, &gp).await.contains("vsm-camille"));
}

#[tokio::test]
async fn a_nurse_does_not_see_the_psychiatric_synthesis() {
    let s = demo().await;
    let nurse = persona(&s, "Sam PETIT");
    let docs = camille_docs(&s, &nurse).await;
    assert_eq!(docs.len(), 6, "{docs:?}");
    assert!(!docs.contains("synthese-psy"));
    assert_eq!(
        get(&s, &nurse, "DocumentReference/synthese-psy").await.0,
        404
    );
    let psychiatrist = persona(&s, "Dr Noé LEFEVRE");
    assert!(
        camille_docs(&s, &psychiatrist)
            .await
            .contains("synthese-psy")
    );
}

#[tokio::test]
async fn a_samu_regulator_opens_the_record_and_the_patient_reads_it_in_the_trail() {
    let s = demo().await;
    let samu = persona(&s, "Dr Maël FAURE-FICTIF");
    let r = samu
        .get(s.url("DocumentReference?patient=Patient/camille-test"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-carnet-emergency-access"], "regulation");
    let found: Value = r.json().await.unwrap();
    assert_eq!(
        found["entry"].as_array().unwrap().len(),
        7,
        "all but the masked one"
    );
    let camille = persona(&s, "Camille TESTDMP");
    let (status, trail) = get(
        &s,
        &camille,
        "AuditEvent?patient=Patient/camille-test&_count=200",
    )
    .await;
    assert_eq!(status, 200);
    let by_samu = trail["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"].to_string().contains("899700003074"))
        .count();
    assert!(by_samu >= 1, "the patient sees the SAMU's access: {trail}");
    let (_, notices) = get(&s, &camille, "Communication?subject=Patient/camille-test").await;
    let notices = notices["entry"].as_array().map_or(0, Vec::len);
    assert!(
        notices >= 1,
        "the patient is notified of the emergency access"
    );
    let ange = get(
        &s,
        &samu,
        "DocumentReference?patient=Patient/ange-corse-demo",
    )
    .await
    .1;
    assert!(
        ange["entry"].as_array().is_none_or(|e| e.is_empty()),
        "Ange opposed emergency access"
    );
}

#[tokio::test]
async fn a_blocked_professional_sees_nothing_even_in_break_glass() {
    let s = demo().await;
    let durand = persona(&s, "Dr Sacha DURAND");
    assert!(camille_docs(&s, &durand).await.is_empty());
    assert_eq!(
        get(&s, &durand, "DocumentReference/cr-consult-1").await.0,
        404
    );
    assert_eq!(get(&s, &durand, "Binary/cr-consult-1").await.0, 404);
    let (_, others) = get(
        &s,
        &durand,
        "AllergyIntolerance?patient=Patient/camille-test",
    )
    .await;
    assert!(others["entry"].as_array().is_none_or(|e| e.is_empty()));
}

#[tokio::test]
async fn a_document_hidden_from_the_patient_appears_after_a_month() {
    let s = demo().await;
    let camille = persona(&s, "Camille TESTDMP");
    let today = day_before(0);
    let echo = camille_docs(&s, &camille)
        .await
        .contains("cr-imagerie-echo");
    // cr-imagerie-echo (2026-11-19) is hidden from Camille up to 2026-12-18 and shown from 2026-12-19.
    if today.as_str() < "2026-12-18" || today.as_str() > "2026-12-19" {
        assert_eq!(echo, today.as_str() > "2026-12-19", "{today}");
    }
    let mut ids = Vec::new();
    for (n, days) in [(5, 40), (6, 2)] {
        let date = day_before(days);
        let mut d = new_document(
            "cr-imagerie-echo",
            n,
            json!({"contentType": "application/pdf", "data": b64(b"%PDF-1.4\n%%EOF\n")}),
        );
        d["date"] = json!(format!("{date}T10:00:00+01:00"));
        let (status, created) = send(&s, &s.http, "DocumentReference", &d).await;
        assert_eq!(status, 201, "{created}");
        assert!(
            created["securityLabel"]
                .to_string()
                .contains("INVISIBLE_PATIENT")
        );
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let seen = camille_docs(&s, &camille).await;
    assert!(seen.contains(&ids[0]), "dated 40 days ago: lifted");
    assert!(!seen.contains(&ids[1]), "dated 2 days ago: still hidden");
    assert!(
        camille_docs(&s, &persona(&s, "Dr Alix MARTIN"))
            .await
            .contains(&ids[1])
    );
}

#[tokio::test]
async fn a_replacement_supersedes_the_old_report() {
    let s = demo().await;
    let cardiologist = persona(&s, "Dr Hélène BERNARD");
    let mut bundle = provide_bundle(
        "lettre-liaison-ch",
        7,
        DISCHARGE,
        "PractitionerRole/dr-bernard-role",
    );
    bundle["entry"][1]["resource"]["relatesTo"] = json!([{"code": "replaces",
        "target": {"reference": "DocumentReference/lettre-liaison-ch"}}]);
    let (status, answer) = send(&s, &cardiologist, "", &bundle).await;
    assert_eq!(status, 200, "{answer}");
    let (_, old) = get(&s, &cardiologist, "DocumentReference/lettre-liaison-ch").await;
    assert_eq!(old["status"], "superseded");
    let (_, current) = get(
        &s,
        &cardiologist,
        "DocumentReference?patient=Patient/camille-test&status=current&_count=100",
    )
    .await;
    assert!(!current.to_string().contains("\"id\":\"lettre-liaison-ch\""));
}

/// The day `days` before today (UTC), `YYYY-MM-DD`.
fn day_before(days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(days);
    carnet::consent::Date::from(day).to_string()
}

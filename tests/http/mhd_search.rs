//! ITI-67 (Find Document References) and ITI-66 (Find Document Lists) with every PDSm parameter, by
//! GET and by POST `_search`, on the demo population plus one ITI-65 submission that replaces a
//! report and carries the values the demo does not (an end of period, an event, a PDF format code,
//! an archived flag).

use serde_json::{Value, json};

use crate::common::TestServer;
use crate::stories::{DISCHARGE, demo, provide_bundle};

const CAMILLE_INS: &str = "urn:oid:1.2.250.1.213.1.4.10|285027511404277";
const MARCEL_INS: &str = "urn:oid:1.2.250.1.213.1.4.10|138096938311788";

/// The sorted ids `query` finds on `ty`, by GET and by POST `_search` (which must agree).
async fn ids(s: &TestServer, ty: &str, query: &str) -> Vec<String> {
    let collect = |b: Value| {
        let mut ids: Vec<String> = b["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["search"]["mode"] != "outcome" && e["search"]["mode"] != "include")
            .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let query = format!("{query}&_count=200");
    let r = s.get(&format!("{ty}?{query}")).await;
    assert_eq!(r.status(), 200, "GET {ty}?{query}");
    let by_get = collect(r.json().await.unwrap());
    let r = s
        .http
        .post(s.url(&format!("{ty}/_search")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(query.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "POST {ty}/_search {query}");
    let by_post = collect(r.json().await.unwrap());
    assert_eq!(by_get, by_post, "GET and POST of {ty}?{query}");
    by_get
}

fn enc(v: &str) -> String {
    v.replace('|', "%7C")
        .replace(':', "%3A")
        .replace('+', "%2B")
}

#[tokio::test]
async fn iti_67_answers_every_pdsm_parameter_by_get_and_post() {
    let s = demo().await;
    let mut bundle = provide_bundle(
        "lettre-liaison-ch",
        9,
        DISCHARGE,
        "PractitionerRole/dr-bernard-role",
    );
    let doc = &mut bundle["entry"][1]["resource"];
    doc["relatesTo"] = json!([{"code": "replaces",
        "target": {"reference": "DocumentReference/lettre-liaison-ch"}}]);
    doc["extension"][0]["valueBoolean"] = json!(true);
    doc["context"]["period"]["end"] = json!("2026-06-20T12:00:00+01:00");
    doc["context"]["event"] =
        json!([{"coding": [{"system": "urn:oid:1.2.250.1.213.2.5", "code": "DEQP003"}]}]);
    doc["content"][0]["format"] = json!({"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
        "code": "urn:ihe:iti:xds-sd:pdf:2008"});
    let identifier = doc["identifier"][0]["value"].as_str().unwrap().to_owned();
    let r = s.post("", &bundle).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let new_id = ids(
        &s,
        "DocumentReference",
        &format!("identifier={}", enc(&identifier)),
    )
    .await;
    assert_eq!(new_id.len(), 1, "identifier");
    let new = new_id[0].as_str();
    let marcel = ["directives-marcel", "remb-marcel", "vaccination-marcel"];
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("patient=Patient/marcel-aine".into(), marcel.to_vec()),
        (
            format!("patient.identifier={}", enc(MARCEL_INS)),
            marcel.to_vec(),
        ),
        (
            "patient=Patient/marcel-aine&status=current".into(),
            marcel.to_vec(),
        ),
        ("status=superseded".into(), vec!["lettre-liaison-ch"]),
        (
            "type=http://loinc.org%7C18748-4".into(),
            vec!["cr-imagerie-echo"],
        ),
        (
            "patient=Patient/marcel-aine&category=60".into(),
            vec!["remb-marcel"],
        ),
        ("facility=SA33".into(), vec!["bilan-medicamenteux"]),
        (
            "patient=Patient/marcel-aine&setting=ETABLISSEMENT".into(),
            vec![],
        ),
        ("creation=2026-11-19".into(), vec!["cr-imagerie-echo"]),
        ("date=lt2020-01-01".into(), vec!["cr-bio-jeanne"]),
        // Periods without an end are ongoing: they overlap every later range.
        (
            "period=ge2026-04-07&period=lt2026-04-08".into(),
            vec![
                "synthese-psy",
                "directives-marcel",
                "cr-bio-jeanne",
                "vsm-ange",
            ],
        ),
        (
            "period=ge2026-06-19&relatesTo=DocumentReference/lettre-liaison-ch".into(),
            vec![new],
        ),
        (
            "period=ge2026-06-21&relatesTo=DocumentReference/lettre-liaison-ch".into(),
            vec![],
        ),
        (
            "period-start=lt2025-06-01&period-start=gt2020-01-01".into(),
            vec!["directives-marcel"],
        ),
        ("period-end=ge2026-06-19".into(), vec![new]),
        (
            format!(
                "patient.identifier={}&security-label=MASQUE_PS",
                enc(CAMILLE_INS)
            ),
            vec!["cr-bio-serologies"],
        ),
        (
            "format=urn%3Aihe%3Aiti%3Axds-sd%3Apdf%3A2008".into(),
            vec![new],
        ),
        ("event=DEQP003".into(), vec![new]),
        ("isArchived=true".into(), vec![new]),
        (
            "relatesTo=DocumentReference/lettre-liaison-ch".into(),
            vec![new],
        ),
    ];
    for (query, expected) in cases {
        let mut expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
        expected.sort();
        assert_eq!(
            ids(&s, "DocumentReference", &query).await,
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn iti_66_answers_every_list_parameter_by_get_and_post() {
    let s = demo().await;
    let sets = "code=https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes%7Csubmissionset";
    let marcel = ["ss-marcel-da", "ss-marcel-remb", "ss-marcel-vaccination"];
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("{sets}&patient=Patient/marcel-aine"),
            marcel.to_vec(),
        ),
        (
            format!(
                "{sets}&patient.identifier={}&status=current",
                enc(MARCEL_INS)
            ),
            marcel.to_vec(),
        ),
        ("code=folder&patient=Patient/marcel-aine".into(), vec![]),
        (
            "patient=Patient/camille-test&date=ge2026-11-12".into(),
            vec!["ss-1", "ss-bilan-officine", "ss-ch-echo"],
        ),
        (
            "source=PractitionerRole/dr-bernard-role".into(),
            vec!["ss-ch-echo", "ss-ch-sortie"],
        ),
        (
            "source=Device/cnam-remboursements".into(),
            vec!["ss-marcel-remb"],
        ),
        ("designationType=SA33".into(), vec!["ss-bilan-officine"]),
        (
            "sourceId=urn%3Aoid%3A1.2.250.1.999.3.4".into(),
            vec!["ss-marcel-remb"],
        ),
        ("authorOrg=Organization/ch-fictif".into(), vec![]),
        (
            "identifier=urn%3Aoid%3A1.2.250.1.999.2.9.5".into(),
            vec!["ss-bilan-officine"],
        ),
        (
            "patient=Patient/marcel-aine&isArchived=false".into(),
            vec![],
        ),
    ];
    for (query, expected) in cases {
        let mut expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
        expected.sort();
        assert_eq!(ids(&s, "List", &query).await, expected, "{query}");
    }
}

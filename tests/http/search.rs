//! Search: each parameter type and modifier, chains, _has, includes, sorting, paging, result controls.

use serde_json::{Value, json};

use crate::common::{TestServer, json, patient, start};

const INS: &str = "urn:oid:1.2.250.1.213.1.4.10";

async fn ids(s: &TestServer, query: &str) -> Vec<String> {
    let b = search(s, query).await;
    b["entry"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["search"]["mode"] == "match")
                .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn search(s: &TestServer, query: &str) -> Value {
    let r = s.get(query).await;
    assert_eq!(r.status(), 200, "{query}");
    json(r).await
}

async fn put(s: &TestServer, body: Value) {
    let path = format!(
        "{}/{}",
        body["resourceType"].as_str().unwrap(),
        body["id"].as_str().unwrap()
    );
    let r = s.put(&path, &body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

fn named(id: &str, family: &str, given: &str, gender: &str, birth: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "gender": gender, "birthDate": birth,
        "identifier": [{"system": INS, "value": format!("ins-{id}")}],
        "name": [{"family": family, "given": [given]}]})
}

async fn people(s: &TestServer) {
    put(s, named("p1", "Léger", "Élodie", "female", "1985-04-12")).await;
    put(s, named("p2", "Legrand", "Jean", "male", "1972-03-08")).await;
    put(
        s,
        named("p3", "Martin", "Anne-Marie", "female", "1985-11-30"),
    )
    .await;
}

#[tokio::test]
async fn string_search_is_accent_and_case_insensitive_prefix() {
    let s = start().await;
    people(&s).await;
    assert_eq!(ids(&s, "Patient?family=leg&_sort=_id").await, ["p1", "p2"]);
    assert_eq!(ids(&s, "Patient?family=LEGER").await, ["p1"]);
    assert_eq!(ids(&s, "Patient?family:exact=Léger").await, ["p1"]);
    assert!(ids(&s, "Patient?family:exact=leger").await.is_empty());
    assert_eq!(ids(&s, "Patient?name:contains=marie").await, ["p3"]);
    assert_eq!(ids(&s, "Patient?given=elo").await, ["p1"]);
}

#[tokio::test]
async fn phonetic_searches_and_sorts_on_the_name_rows() {
    let s = start().await;
    people(&s).await;
    assert_eq!(
        ids(&s, "Patient?phonetic=leg&_sort=_id").await,
        ["p1", "p2"]
    );
    assert_eq!(ids(&s, "Patient?phonetic=anne").await, ["p3"]);
    assert_eq!(
        ids(&s, "Patient?phonetic:missing=true").await,
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&s, "Patient?phonetic=le&_sort=-phonetic").await,
        ["p2", "p1"]
    );
    // Organization's phonetic is its own: searching both types at once is refused, not wrong.
    let r = s.get("?_type=Patient,Organization&phonetic=leg").await;
    assert_eq!(r.status(), 400);
    let outcome = json(r).await;
    assert!(
        outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains("phonetic")
    );
}

#[tokio::test]
async fn token_search_follows_system_and_code_forms() {
    let s = start().await;
    people(&s).await;
    assert_eq!(
        ids(&s, "Patient?gender=female&_sort=_id").await,
        ["p1", "p3"]
    );
    assert_eq!(
        ids(&s, &format!("Patient?identifier={INS}|ins-p2")).await,
        ["p2"]
    );
    assert_eq!(ids(&s, "Patient?identifier=ins-p2").await, ["p2"]);
    assert!(ids(&s, "Patient?identifier=|ins-p2").await.is_empty());
    assert_eq!(
        ids(&s, &format!("Patient?identifier={INS}|&_sort=_id"))
            .await
            .len(),
        3
    );
    assert_eq!(ids(&s, "Patient?gender:not=female").await, ["p2"]);
    assert_eq!(
        ids(&s, "Patient?gender=male,female&_sort=_id").await.len(),
        3
    );
}

#[tokio::test]
async fn date_search_uses_precision_ranges_and_prefixes() {
    let s = start().await;
    people(&s).await;
    assert_eq!(
        ids(&s, "Patient?birthdate=1985&_sort=_id").await,
        ["p1", "p3"]
    );
    assert_eq!(ids(&s, "Patient?birthdate=1985-04").await, ["p1"]);
    assert_eq!(ids(&s, "Patient?birthdate=1985-04-12").await, ["p1"]);
    assert_eq!(ids(&s, "Patient?birthdate=lt1980").await, ["p2"]);
    assert_eq!(ids(&s, "Patient?birthdate=ge1985-11-30").await, ["p3"]);
    assert_eq!(
        ids(&s, "Patient?birthdate=gt1985-04-12&birthdate=lt1986").await,
        ["p3"]
    );
    assert_eq!(ids(&s, "Patient?birthdate=ne1985&_sort=_id").await, ["p2"]);
    assert_eq!(s.get("Patient?birthdate=notadate").await.status(), 400);
}

#[tokio::test]
async fn date_search_over_periods_and_instants() {
    let s = start().await;
    put(&s, json!({"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "IMP"},
        "period": {"start": "2026-11-02T08:00:00+01:00", "end": "2026-11-05T18:00:00+01:00"}})).await;
    assert_eq!(
        ids(&s, "Encounter?date=2026-11-03").await,
        Vec::<String>::new(),
        "eq needs the period inside the day"
    );
    assert_eq!(ids(&s, "Encounter?date=2026-11").await, ["e1"]);
    assert_eq!(ids(&s, "Encounter?date=ge2026-11-04").await, ["e1"]);
    assert_eq!(ids(&s, "Encounter?date=lt2026-11-03").await, ["e1"]);
    assert!(ids(&s, "Encounter?date=gt2026-11-06").await.is_empty());
    assert_eq!(ids(&s, "Encounter?date=ap2026-11-03").await, ["e1"]);
}

#[tokio::test]
async fn number_and_quantity_search() {
    let s = start().await;
    put(&s, json!({"resourceType": "RiskAssessment", "id": "r1", "status": "final", "subject": {"reference": "Patient/x"},
        "prediction": [{"probabilityDecimal": 0.25}]})).await;
    put(&s, json!({"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "glucose"},
        "valueQuantity": {"value": 5.4, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"}})).await;
    assert_eq!(ids(&s, "RiskAssessment?probability=0.25").await, ["r1"]);
    assert_eq!(ids(&s, "RiskAssessment?probability=gt0.2").await, ["r1"]);
    assert!(ids(&s, "RiskAssessment?probability=lt0.2").await.is_empty());
    assert_eq!(
        ids(
            &s,
            "Observation?value-quantity=5.4|http://unitsofmeasure.org|mmol/L"
        )
        .await,
        ["o1"]
    );
    assert_eq!(
        ids(&s, "Observation?value-quantity=ge5||mmol/L").await,
        ["o1"]
    );
    assert!(
        ids(
            &s,
            "Observation?value-quantity=5.4|http://unitsofmeasure.org|mg"
        )
        .await
        .is_empty()
    );
    assert_eq!(s.get("Observation?value-quantity=abc").await.status(), 400);
}

async fn record(s: &TestServer) {
    people(s).await;
    put(s, json!({"resourceType": "Practitioner", "id": "gp", "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "810000000001"}]})).await;
    let mut p1 = named("p1", "Léger", "Élodie", "female", "1985-04-12");
    p1["generalPractitioner"] = json!([{"reference": "Practitioner/gp"}]);
    put(s, p1).await;
    for (id, pat, date, code) in [
        ("d1", "p1", "2026-10-01", "11490-0"),
        ("d2", "p1", "2026-11-01", "11502-2"),
        ("d3", "p2", "2026-09-01", "11490-0"),
    ] {
        put(s, json!({"resourceType": "DocumentReference", "id": id, "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": format!("Patient/{pat}")}, "date": format!("{date}T10:00:00Z"),
            "author": [{"reference": "Practitioner/gp"}], "content": [{"attachment": {"contentType": "text/plain"}}]})).await;
    }
    put(s, json!({"resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]}, "subject": {"reference": "Patient/p2"}})).await;
}

#[tokio::test]
async fn reference_search_in_every_form() {
    let s = start().await;
    record(&s).await;
    assert_eq!(
        ids(&s, "DocumentReference?subject=Patient/p1&_sort=_id").await,
        ["d1", "d2"]
    );
    assert_eq!(ids(&s, "DocumentReference?patient=p2").await, ["d3"]);
    assert_eq!(
        ids(&s, "DocumentReference?subject:Patient=p2").await,
        ["d3"]
    );
    assert_eq!(
        ids(
            &s,
            &format!("DocumentReference?subject={}", s.url("Patient/p2"))
        )
        .await,
        ["d3"]
    );
    assert!(
        ids(&s, "DocumentReference?subject:Group=p2")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn chains_reach_any_depth() {
    let s = start().await;
    record(&s).await;
    let q = format!("DocumentReference?subject:Patient.identifier={INS}|ins-p2");
    assert_eq!(ids(&s, &q).await, ["d3"]);
    assert_eq!(
        ids(
            &s,
            &format!("DocumentReference?patient.identifier={INS}|ins-p1&_sort=_id")
        )
        .await,
        ["d1", "d2"]
    );
    let deep = "DocumentReference?patient.general-practitioner.identifier=810000000001&_sort=_id";
    assert_eq!(ids(&s, deep).await, ["d1", "d2"]);
    assert_eq!(
        s.get("DocumentReference?patient.nope=1").await.status(),
        400
    );
}

#[tokio::test]
async fn reverse_chaining_with_has() {
    let s = start().await;
    record(&s).await;
    assert_eq!(
        ids(&s, "Patient?_has:Observation:patient:code=1234-5").await,
        ["p2"]
    );
    assert_eq!(
        ids(&s, "Patient?_has:DocumentReference:patient:type=11502-2").await,
        ["p1"]
    );
    let nested = "Practitioner?_has:Patient:general-practitioner:_has:DocumentReference:patient:type=11502-2";
    assert_eq!(ids(&s, nested).await, ["gp"]);
}

#[tokio::test]
async fn includes_and_revincludes() {
    let s = start().await;
    record(&s).await;
    let b = search(
        &s,
        "DocumentReference?_id=d1&_include=DocumentReference:subject",
    )
    .await;
    let modes: Vec<_> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"]["resourceType"].as_str().unwrap().to_owned(),
                e["search"]["mode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("DocumentReference".to_owned(), "match".to_owned()),
            ("Patient".to_owned(), "include".to_owned())
        ]
    );
    assert_eq!(b["total"], 1, "includes are not counted");
    let b = search(&s, "Patient?_id=p1&_revinclude=DocumentReference:subject").await;
    assert_eq!(b["entry"].as_array().unwrap().len(), 3);
    let b = search(&s, "DocumentReference?_id=d1&_include=DocumentReference:subject&_include:iterate=Patient:general-practitioner").await;
    let types: Vec<_> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_owned())
        .collect();
    assert!(types.contains(&"Practitioner".to_owned()), "{types:?}");
}

#[tokio::test]
async fn sort_on_several_keys_with_missing_values_last() {
    let s = start().await;
    record(&s).await;
    assert_eq!(
        ids(&s, "DocumentReference?_sort=-date").await,
        ["d2", "d1", "d3"]
    );
    assert_eq!(
        ids(&s, "DocumentReference?_sort=type,-date").await,
        ["d1", "d3", "d2"]
    );
    put(&s, json!({"resourceType": "Patient", "id": "p0"})).await;
    assert_eq!(
        ids(&s, "Patient?_sort=birthdate").await.last().unwrap(),
        "p0"
    );
    assert_eq!(
        ids(&s, "Patient?_sort=-birthdate").await.last().unwrap(),
        "p0"
    );
}

#[tokio::test]
async fn compartment_search_and_post_search() {
    let s = start().await;
    record(&s).await;
    assert_eq!(
        ids(&s, "Patient/p1/DocumentReference?_sort=_id").await,
        ["d1", "d2"]
    );
    assert_eq!(ids(&s, "Patient/p2/Observation").await, ["o1"]);
    let r = s
        .http
        .post(s.url("DocumentReference/_search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("patient=p1&type=11502-2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b = json(r).await;
    assert_eq!(b["entry"][0]["resource"]["id"], "d2");
}

#[tokio::test]
async fn result_controls() {
    let s = start().await;
    record(&s).await;
    let b = search(&s, "DocumentReference?_summary=count").await;
    assert_eq!(b["total"], 3);
    assert!(b.get("entry").is_none());
    let b = search(&s, "DocumentReference?_total=none&_count=1").await;
    assert!(b.get("total").is_none());
    let b = search(&s, "Patient?_id=p1&_elements=gender").await;
    let p = &b["entry"][0]["resource"];
    assert_eq!(p["gender"], "female");
    assert!(p.get("name").is_none());
    assert_eq!(p["meta"]["tag"][0]["code"], "SUBSETTED");
}

#[tokio::test]
async fn unknown_parameters_are_ignored_or_refused_when_strict() {
    let s = start().await;
    people(&s).await;
    let b = search(&s, "Patient?nickname=x&gender=male").await;
    assert_eq!(b["total"], 1);
    assert!(!b["link"][0]["url"].as_str().unwrap().contains("nickname"));
    let r = s
        .http
        .get(s.url("Patient?nickname=x"))
        .header("prefer", "handling=strict")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(s.get("Patient?gender:exact=male").await.status(), 400);
    assert_eq!(s.get("Patient?_sort=nope").await.status(), 400);
}

#[tokio::test]
async fn missing_modifier_and_meta_parameters() {
    let s = start().await;
    put(&s, json!({"resourceType": "Patient", "id": "m1", "birthDate": "2000",
        "meta": {"tag": [{"system": "urn:t", "code": "vip"}], "profile": ["http://example.org/p"]}})).await;
    put(&s, json!({"resourceType": "Patient", "id": "m2"})).await;
    assert_eq!(ids(&s, "Patient?birthdate:missing=true").await, ["m2"]);
    assert_eq!(ids(&s, "Patient?birthdate:missing=false").await, ["m1"]);
    assert_eq!(ids(&s, "Patient?_tag=urn:t|vip").await, ["m1"]);
    assert_eq!(
        ids(&s, "Patient?_profile=http://example.org/p").await,
        ["m1"]
    );
    assert_eq!(
        ids(&s, "Patient?_lastUpdated=gt2000-01-01&_sort=_id").await,
        ["m1", "m2"]
    );
    assert!(
        ids(&s, "Patient?_lastUpdated=lt2000-01-01")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn system_search_across_types() {
    let s = start().await;
    record(&s).await;
    let b = search(&s, "?_type=Patient,Practitioner&_summary=count").await;
    assert_eq!(b["total"], 4);
    let b = search(&s, "?_type=Practitioner").await;
    assert_eq!(b["entry"][0]["resource"]["id"], "gp");
}

#[tokio::test]
async fn paging_returns_every_match_once_while_others_write() {
    let s = start().await;
    let entries: Vec<Value> = (0..1000)
        .map(|i| json!({"resource": {"resourceType": "Patient", "id": format!("pg{i:04}"), "gender": "other",
            "birthDate": format!("{}-01-01", 1900 + i % 100)}, "request": {"method": "PUT", "url": format!("Patient/pg{i:04}")}}))
        .collect();
    let r = s
        .post(
            "",
            &json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let writer = {
        let (http, base) = (s.http.clone(), s.base.clone());
        tokio::spawn(async move {
            for i in 0..150 {
                let body = json!({"resourceType": "Patient", "id": format!("pg{:04}", (i * 7) % 1000), "gender": "other", "active": true});
                let _ = http
                    .put(format!("{base}/Patient/pg{:04}", (i * 7) % 1000))
                    .header("content-type", "application/fhir+json")
                    .json(&body)
                    .send()
                    .await;
                let _ = http
                    .post(format!("{base}/Patient"))
                    .header("content-type", "application/fhir+json")
                    .json(&patient("new"))
                    .send()
                    .await;
            }
        })
    };
    let mut seen = std::collections::HashMap::new();
    let mut url = Some(s.url("Patient?gender=other&_count=37&_sort=_id"));
    while let Some(u) = url {
        let b = json(s.http.get(&u).send().await.unwrap()).await;
        for e in b["entry"].as_array().into_iter().flatten() {
            *seen
                .entry(e["resource"]["id"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        url = b["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_owned());
    }
    writer.await.unwrap();
    assert_eq!(seen.len(), 1000);
    assert!(seen.values().all(|n| *n == 1));
}

#[tokio::test]
async fn previous_links_walk_back() {
    let s = start().await;
    for i in 0..7 {
        put(
            &s,
            json!({"resourceType": "Patient", "id": format!("w{i}"), "gender": "male"}),
        )
        .await;
    }
    let p1 = search(&s, "Patient?_count=3&_sort=_id").await;
    let next = p1["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let p2 = json(s.http.get(&next).send().await.unwrap()).await;
    let prev = p2["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "previous")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let back = json(s.http.get(&prev).send().await.unwrap()).await;
    let ids = |b: &Value| {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&back), ids(&p1));
    assert_eq!(ids(&p2), ["w3", "w4", "w5"]);
}

fn link(b: &Value, relation: &str) -> Option<String> {
    b["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)
        .map(|l| l["url"].as_str().unwrap().to_owned())
}

fn page_ids(b: &Value) -> Vec<String> {
    b["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The total is the number of matches whatever the page: a first page that holds them all, an
/// exactly full one, one with more after it, and the pages after the first.
#[tokio::test]
async fn every_page_gives_the_total_of_matches() {
    let s = start().await;
    for i in 0..5 {
        put(
            &s,
            json!({"resourceType": "Patient", "id": format!("t{i}"), "gender": "other"}),
        )
        .await;
    }
    put(
        &s,
        json!({"resourceType": "Patient", "id": "u0", "gender": "male"}),
    )
    .await;
    for count in [10, 5, 2] {
        let b = search(
            &s,
            &format!("Patient?gender=other&_count={count}&_sort=_id"),
        )
        .await;
        assert_eq!(b["total"], 5, "_count={count}");
    }
    let p1 = search(&s, "Patient?gender=other&_count=2&_sort=_id").await;
    let p2 = json(s.http.get(link(&p1, "next").unwrap()).send().await.unwrap()).await;
    let p3 = json(s.http.get(link(&p2, "next").unwrap()).send().await.unwrap()).await;
    assert_eq!(page_ids(&p3), ["t4"]);
    assert_eq!(
        (p2["total"].clone(), p3["total"].clone()),
        (json!(5), json!(5))
    );
    let last = json(s.http.get(link(&p1, "last").unwrap()).send().await.unwrap()).await;
    assert_eq!(last["total"], 5);
    assert_eq!(search(&s, "Patient?gender=female").await["total"], 0);
}

#[tokio::test]
async fn last_links_reach_the_final_rows_and_stop_there() {
    let s = start().await;
    for i in 0..7 {
        put(
            &s,
            json!({"resourceType": "Patient", "id": format!("z{i}"), "gender": "female"}),
        )
        .await;
    }
    let p1 = search(&s, "Patient?gender=female&_count=3&_sort=-_id").await;
    assert_eq!(page_ids(&p1), ["z6", "z5", "z4"]);
    let last = json(s.http.get(link(&p1, "last").unwrap()).send().await.unwrap()).await;
    assert_eq!(page_ids(&last), ["z2", "z1", "z0"]);
    assert_eq!(link(&last, "next"), None, "nothing after the last page");
    assert_eq!(
        link(&last, "last").as_deref(),
        link(&last, "self").as_deref()
    );
    let before = json(
        s.http
            .get(link(&last, "previous").unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page_ids(&before), ["z5", "z4", "z3"]);
    // One page, or none: the last page is this one.
    let one = search(&s, "Patient?gender=female&_count=50").await;
    assert_eq!(link(&one, "last"), link(&one, "self"));
    let none = search(&s, "Patient?gender=unknown").await;
    assert_eq!(link(&none, "last"), link(&none, "first"));
}

#[tokio::test]
async fn identifier_of_type_matches_type_and_value() {
    let s = start().await;
    put(&s, json!({"resourceType": "Patient", "id": "ot", "identifier": [{"system": INS, "value": "285047511234560",
        "type": {"coding": [{"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "INS-NIR-TEST"}]}}]})).await;
    let q = "Patient?identifier:of-type=https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203|INS-NIR-TEST|285047511234560";
    assert_eq!(ids(&s, q).await, ["ot"]);
    let wrong = "Patient?identifier:of-type=https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203|INS-NIA|285047511234560";
    assert!(ids(&s, wrong).await.is_empty());
    assert_eq!(
        s.get("Patient?identifier:of-type=justone").await.status(),
        400
    );
}

#[tokio::test]
async fn composite_parameters_match_components_of_the_same_element() {
    let s = start().await;
    let bp = |id: &str, sys: i64, dia: i64| {
        json!({"resourceType": "Observation", "id": id, "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": sys, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
             "valueQuantity": {"value": dia, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}]})
    };
    put(&s, bp("bp1", 150, 85)).await;
    put(&s, bp("bp2", 120, 95)).await;
    let q = "Observation?component-code-value-quantity=http://loinc.org|8480-6$gt140";
    assert_eq!(ids(&s, q).await, ["bp1"]);
    let q = "Observation?component-code-value-quantity=http://loinc.org|8462-4$gt90";
    assert_eq!(
        ids(&s, q).await,
        ["bp2"],
        "the value must belong to the same component as the code"
    );
    put(
        &s,
        json!({"resourceType": "DocumentReference", "id": "old", "status": "current",
        "content": [{"attachment": {"contentType": "text/plain"}}]}),
    )
    .await;
    put(
        &s,
        json!({"resourceType": "DocumentReference", "id": "new", "status": "current",
        "relatesTo": [{"code": "replaces", "target": {"reference": "DocumentReference/old"}}],
        "content": [{"attachment": {"contentType": "text/plain"}}]}),
    )
    .await;
    assert_eq!(
        ids(
            &s,
            "DocumentReference?relationship=replaces$DocumentReference/old"
        )
        .await,
        ["new"]
    );
    assert!(
        ids(
            &s,
            "DocumentReference?relationship=transforms$DocumentReference/old"
        )
        .await
        .is_empty()
    );
    assert_eq!(
        s.get("DocumentReference?relationship=replaces")
            .await
            .status(),
        400
    );
}

//! The trail table over HTTP: an AuditEvent is searchable as soon as its request is answered,
//! newest first, filtered by record, entity, agent, outcome and date, paged by keyset, and read
//! only by the records' holders and administrators.

use serde_json::Value;

use crate::common::{TestServer, json, start};

use super::population::{CARDIO, GP, build, pro};

async fn get(s: &TestServer, c: &reqwest::Client, path: &str) -> (u16, Value) {
    let r = c.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, json(r).await)
}

fn resources(bundle: &Value) -> Vec<Value> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["resource"].clone())
        .collect()
}

fn names(event: &Value, reference: &str) -> bool {
    event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|x| x["what"]["reference"] == reference)
}

#[tokio::test]
async fn an_event_is_searchable_as_soon_as_its_request_is_answered() {
    let s = start().await;
    let record = build(&s).await;
    let gp = pro(&s, GP, "normal");
    assert_eq!(get(&s, &gp, "DocumentReference/d-plain").await.0, 200);
    let cardio = pro(&s, CARDIO, "normal");
    assert_eq!(get(&s, &cardio, "Observation/o1").await.0, 404);
    let holder = s.client(&s.token(&["--patient", &record.ins]));

    // Newest first: the médecin traitant's read, then the cardiologist's denied attempt, are the
    // latest events of the record, with nothing to wait for.
    let (status, b) = get(&s, &holder, "AuditEvent?patient=Patient/p1&_count=2").await;
    assert_eq!(status, 200, "{b}");
    let latest = resources(&b);
    assert_eq!(latest.len(), 2, "{b}");
    assert_eq!(
        latest[0]["agent"][0]["who"]["identifier"]["value"],
        CARDIO.1
    );
    assert_eq!(latest[0]["outcome"], "4");
    assert_eq!(latest[1]["agent"][0]["who"]["identifier"]["value"], GP.1);
    assert!(names(&latest[1], "DocumentReference/d-plain"), "{b}");
    assert_eq!(latest[1]["meta"]["versionId"], "1");

    let gp_system = latest[1]["agent"][0]["who"]["identifier"]["system"]
        .as_str()
        .unwrap()
        .to_owned();
    let filters = [
        ("entity=DocumentReference/d-plain", "entity"),
        ("outcome=4", "outcome"),
        ("subtype=read", "subtype"),
        (
            "subtype=http://hl7.org/fhir/restful-interaction|read",
            "subtype",
        ),
        ("type=rest", "type"),
        (
            "type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest",
            "type",
        ),
        (&*format!("agent:identifier={gp_system}|{}", GP.1), "agent"),
    ];
    for (filter, what) in filters {
        let path = format!("AuditEvent?patient=Patient/p1&{filter}&_count=100");
        let (status, b) = get(&s, &holder, &path).await;
        assert_eq!(status, 200, "{path}: {b}");
        let found = resources(&b);
        assert!(!found.is_empty(), "{path}");
        assert_eq!(b["total"].as_u64(), Some(found.len() as u64), "{path}");
        for e in &found {
            let ok = match what {
                "entity" => names(e, "DocumentReference/d-plain"),
                "outcome" => e["outcome"] == "4",
                "subtype" => e["subtype"][0]["code"] == "read",
                "type" => e["type"]["code"] == "rest",
                _ => e["agent"][0]["who"]["identifier"]["value"] == GP.1,
            };
            assert!(ok, "{path}: {e}");
        }
    }
    let (_, b) = get(
        &s,
        &holder,
        "AuditEvent?patient=Patient/p1&date=lt2020-01-01",
    )
    .await;
    assert_eq!(b["total"], 0);
    for other in ["type=login", "type=urn:x|rest", "subtype=urn:x|read"] {
        let path = format!("AuditEvent?patient=Patient/p1&{other}");
        assert_eq!(get(&s, &holder, &path).await.1["total"], 0, "{path}");
    }
    let (_, b) = get(
        &s,
        &holder,
        "AuditEvent?patient=Patient/p1&date=ge2020-01-01&_summary=count",
    )
    .await;
    assert!(b["total"].as_u64().unwrap() >= 3, "{b}");
}

#[tokio::test]
async fn the_trail_pages_by_keyset_oldest_or_newest_first() {
    let s = start().await;
    let record = build(&s).await;
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    for _ in 0..5 {
        assert_eq!(get(&s, &holder, "Patient/p1").await.0, 200);
    }
    let (_, all) = get(&s, &holder, "AuditEvent?patient=Patient/p1&_count=1000").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 6, "{all}");
    let mut seen: Vec<String> = Vec::new();
    let mut recorded: Vec<String> = Vec::new();
    let mut next = Some(s.url("AuditEvent?patient=Patient/p1&_sort=date&_count=2"));
    while let Some(url) = next {
        let b = json(holder.get(url).send().await.unwrap()).await;
        for e in resources(&b) {
            seen.push(e["id"].as_str().unwrap().to_owned());
            recorded.push(e["recorded"].as_str().unwrap().to_owned());
        }
        next = b["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_owned());
        assert!(seen.len() <= 1000, "paging does not end");
    }
    // Every event once, oldest first; events made while paging come after the pages already read.
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    assert!(seen.len() as u64 >= total, "{} of {total}", seen.len());
    let mut sorted = recorded.clone();
    sorted.sort();
    assert_eq!(recorded, sorted);
    let newest_first: Vec<String> = resources(&all)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        newest_first.iter().rev().collect::<Vec<_>>(),
        seen[..newest_first.len()].iter().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn only_the_holders_and_administrators_read_an_event() {
    let s = start().await;
    let record = build(&s).await;
    assert_eq!(get(&s, &s.http, "Patient/p2").await.0, 200);
    let (_, b) = get(&s, &s.http, "AuditEvent?patient=Patient/p2&_count=1").await;
    let event = resources(&b).remove(0);
    assert!(names(&event, "Patient/p2"), "{event}");
    let id = event["id"].as_str().unwrap();
    for path in [
        format!("AuditEvent/{id}"),
        format!("AuditEvent/{id}/_history/1"),
    ] {
        let (status, read) = get(&s, &s.http, &path).await;
        assert_eq!((status, &read["id"]), (200, &event["id"]), "{path}");
    }
    let (_, history) = get(&s, &s.http, &format!("AuditEvent/{id}/_history")).await;
    assert_eq!(history["total"], 1);
    let (_, history) = get(&s, &s.http, "AuditEvent/_history?_count=3").await;
    assert_eq!(resources(&history).len(), 3, "{history}");

    let holder = s.client(&s.token(&["--patient", &record.ins]));
    assert_eq!(get(&s, &holder, &format!("AuditEvent/{id}")).await.0, 404);
    let (_, b) = get(&s, &holder, "AuditEvent?patient=Patient/p2").await;
    assert_eq!(b["total"], 0, "another record's trail");
    let (_, b) = get(&s, &holder, &format!("AuditEvent?_id={id}")).await;
    assert_eq!(b["total"], 0);
    let gp = pro(&s, GP, "normal");
    let (_, b) = get(&s, &gp, "AuditEvent?_count=1").await;
    assert_eq!(b["total"], 0, "professionals do not read the trail");
}

#[tokio::test]
async fn what_the_trail_does_not_answer_is_refused_or_left_out() {
    let s = start().await;
    let record = build(&s).await;
    let holder = s.client(&s.token(&["--patient", &record.ins]));
    let r = holder
        .get(s.url("AuditEvent?address=127.0.0.1"))
        .header("Prefer", "handling=strict")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b = json(r).await;
    assert!(
        b["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains("address"),
        "{b}"
    );
    let (status, b) = get(
        &s,
        &holder,
        "AuditEvent?patient=Patient/p1&address=127.0.0.1&_count=1",
    )
    .await;
    assert_eq!(status, 200);
    let own = b["link"][0]["url"].as_str().unwrap();
    assert!(
        own.contains("patient=") && !own.contains("address"),
        "{own}"
    );
    assert_eq!(resources(&b).len(), 1);
    let (status, _) = get(&s, &s.http, "?_type=AuditEvent,Patient").await;
    assert_eq!(status, 400);
    let (status, _) = get(&s, &s.http, "AuditEvent?entity=d-plain").await;
    assert_eq!(status, 400, "an entity is Type/id");

    let (_, cs) = get(&s, &s.http, "metadata").await;
    let trail = cs["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "AuditEvent")
        .unwrap();
    let params: Vec<&str> = trail["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        params.contains(&"patient") && !params.contains(&"address"),
        "{params:?}"
    );
    assert!(
        !trail["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "create")
    );
}

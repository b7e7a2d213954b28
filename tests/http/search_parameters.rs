//! SearchParameters beyond R4 core: the project's profile ones, and ones created at run time.

use serde_json::json;

use crate::common::{json, start};

const ARCHIVED: &str =
    "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived";

#[tokio::test]
async fn pdsm_parameters_from_profiles_are_active() {
    let s = start().await;
    let doc = |id: &str, archived: bool, start: &str| {
        json!({"resourceType": "DocumentReference", "id": id,
        "status": "current", "extension": [{"url": ARCHIVED, "valueBoolean": archived}],
        "context": {"period": {"start": start}}, "content": [{"attachment": {"contentType": "text/plain"}}]})
    };
    s.put("DocumentReference/a1", &doc("a1", true, "2026-01-10"))
        .await;
    s.put("DocumentReference/a2", &doc("a2", false, "2026-06-10"))
        .await;
    let b = json(s.get("DocumentReference?isArchived=true").await).await;
    assert_eq!(b["total"], 1);
    assert_eq!(b["entry"][0]["resource"]["id"], "a1");
    let b = json(s.get("DocumentReference?period-start=ge2026-06").await).await;
    assert_eq!(b["entry"][0]["resource"]["id"], "a2");
}

#[tokio::test]
async fn a_search_parameter_created_at_run_time_applies_to_new_writes_and_reindex_covers_old_ones()
{
    let s = start().await;
    let nick = |id: &str, n: &str| json!({"resourceType": "Patient", "id": id, "name": [{"use": "nickname", "given": [n]}]});
    s.put("Patient/old", &nick("old", "Titou")).await;
    let sp = json!({"resourceType": "SearchParameter", "url": "http://example.org/sp/nickname", "name": "nickname",
        "status": "active", "description": "nickname", "code": "nickname", "base": ["Patient"], "type": "string",
        "expression": "Patient.name.where(use='nickname').given"});
    assert_eq!(s.post("SearchParameter", &sp).await.status(), 201);
    s.put("Patient/new", &nick("new", "Titi")).await;
    let b = json(s.get("Patient?nickname=tit").await).await;
    assert_eq!(
        b["total"], 1,
        "only the write after the SearchParameter is indexed"
    );
    let r = s.http.post(s.url("Patient/$reindex")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["parameter"][0]["valueInteger"], 2);
    let b = json(s.get("Patient?nickname=tit").await).await;
    assert_eq!(b["total"], 2);
}

#[tokio::test]
async fn a_search_parameter_that_does_not_compile_is_refused() {
    let s = start().await;
    let sp = json!({"resourceType": "SearchParameter", "url": "http://example.org/sp/bad", "name": "bad",
        "status": "active", "description": "bad", "code": "bad", "base": ["Patient"], "type": "string",
        "expression": "Patient.name.((("});
    assert_eq!(s.post("SearchParameter", &sp).await.status(), 422);
}

use crate::common::{TEST_BODY_LIMIT, json, start};

#[tokio::test]
async fn malformed_json_is_400_with_line_and_column() {
    let s = start().await;
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+json")
        .body("{\n \"resourceType\": \"Patient\",\n \"active\": tru }")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let oo = json(r).await;
    let d = oo["issue"][0]["diagnostics"].as_str().unwrap();
    assert!(d.contains("line 3"), "{d}");
    assert!(d.contains("column"), "{d}");
}

#[tokio::test]
async fn an_unsupported_media_type_is_415() {
    let s = start().await;
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(json(r).await["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let s = start().await;
    let big = format!(
        "{{\"resourceType\":\"Patient\",\"x\":\"{}\"}}",
        "a".repeat(TEST_BODY_LIMIT + 10)
    );
    let r = s
        .http
        .post(s.url("Patient"))
        .header("content-type", "application/fhir+json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(json(r).await["issue"][0]["code"], "too-long");
}

#[tokio::test]
async fn paths_outside_the_api_are_404_operation_outcomes() {
    let s = start().await;
    let r = s
        .http
        .get(s.base.replace("/fhir", "/elsewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(json(r).await["resourceType"], "OperationOutcome");
    let r = s.get("Patient/1/_history/1/extra").await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_method_the_path_does_not_take_is_405() {
    let s = start().await;
    let r = s.http.delete(s.url("metadata")).send().await.unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn an_unsupported_format_parameter_is_400() {
    let s = start().await;
    assert_eq!(s.get("metadata?_format=yaml").await.status(), 400);
}

#[tokio::test]
async fn pretty_printing_is_honoured() {
    let s = start().await;
    let p = s.create(&crate::common::patient("50")).await;
    let r = s
        .get(&format!(
            "Patient/{}?_pretty=true",
            p["id"].as_str().unwrap()
        ))
        .await;
    assert!(r.text().await.unwrap().contains("\n  \"id\""));
}

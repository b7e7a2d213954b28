use super::*;
use crate::conformance::exchange::{Request, Response};
use serde_json::json;

fn state() -> State {
    let mut s = State {
        base: "http://h/fhir".into(),
        ..State::default()
    };
    s.fixtures.insert(
        "min".into(),
        json!({"resourceType": "Patient", "name": [{"family": "Dupont"}]}),
    );
    let request = Request {
        method: "GET".into(),
        url: "http://h/fhir/Patient/p1".into(),
        ..Request::default()
    };
    let response = Response {
        status: 200,
        headers: vec![
            (
                "content-type".into(),
                "application/fhir+json; charset=utf-8".into(),
            ),
            ("etag".into(), "W/\"1\"".into()),
        ],
        body: String::new(),
        resource: Some(
            json!({"resourceType": "Patient", "id": "p1", "name": [{"family": "Dupont", "given": ["Marie"]}]}),
        ),
    };
    s.record(Exchange { request, response }, &[Some("read")]);
    s
}

fn ok(a: Value) -> bool {
    evaluate(&state(), &a).is_ok()
}

#[test]
fn response_codes_and_status_operators() {
    assert!(ok(json!({"response": "okay"})));
    assert!(!ok(json!({"response": "created"})));
    assert!(ok(json!({"response": "created", "operator": "notEquals"})));
    assert!(ok(json!({"responseCode": "200,201", "operator": "in"})));
    assert!(ok(json!({"responseCode": "300", "operator": "lessThan"})));
    assert!(evaluate(&state(), &json!({"response": "teapot"})).is_err());
}

#[test]
fn resource_content_type_and_headers() {
    assert!(ok(json!({"resource": "Patient"})));
    assert!(!ok(json!({"resource": "Bundle"})));
    assert!(ok(json!({"contentType": "json"})));
    assert!(ok(json!({"contentType": "application/fhir+json"})));
    assert!(!ok(json!({"contentType": "xml"})));
    assert!(ok(json!({"headerField": "ETag", "value": "W/\"1\""})));
    assert!(ok(json!({"headerField": "etag"})));
    assert!(!ok(json!({"headerField": "Location"})));
    assert!(ok(json!({"headerField": "Location", "operator": "empty"})));
}

#[test]
fn expressions_paths_and_source_comparison() {
    assert!(ok(json!({"expression": "Patient.name.family = 'Dupont'"})));
    assert!(!ok(json!({"expression": "Patient.name.family = 'Martin'"})));
    assert!(ok(
        json!({"expression": "Patient.name.given", "value": "Marie"})
    ));
    assert!(ok(
        json!({"path": "fhir:Patient/fhir:id/@value", "value": "p1"})
    ));
    assert!(ok(
        json!({"expression": "name.family", "compareToSourceId": "min", "compareToSourceExpression": "name.family"})
    ));
    assert!(ok(
        json!({"compareToSourceId": "read", "compareToSourcePath": "Patient/id"})
    ));
    assert!(!ok(
        json!({"expression": "name.given", "compareToSourceId": "min", "compareToSourceExpression": "name.family"})
    ));
    let err = evaluate(
        &state(),
        &json!({"expression": "name.family", "value": "X", "description": "d"}),
    )
    .unwrap_err();
    assert!(err.contains("expected equals 'X'"), "{err}");
}

#[test]
fn minimum_id_request_checks_and_unknown_rules() {
    assert!(ok(json!({"minimumId": "min"})));
    assert!(ok(json!({"requestMethod": "get"})));
    assert!(ok(json!({"requestURL": "Patient/p1"})));
    assert!(ok(json!({"requestURL": "Patient", "operator": "contains"})));
    assert!(ok(json!({"navigationLinks": false})));
    assert!(!ok(json!({"navigationLinks": true})));
    assert!(!ok(json!({"label": "nothing to check"})));
    assert!(!ok(json!({"response": "okay", "operator": "bogus"})));
    assert!(!ok(json!({"sourceId": "missing", "response": "okay"})));
}

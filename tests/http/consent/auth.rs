//! Bearer tokens: who may call at all, and SMART scopes.

use crate::common::start;

use super::population::{GP, build};

#[tokio::test]
async fn requests_without_a_valid_token_are_401_with_a_challenge() {
    let s = start().await;
    let anonymous = reqwest::Client::new();
    let r = anonymous.get(s.url("Patient")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged = s.client("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
    let r = forged.get(s.url("Patient")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let r = anonymous.get(s.url("metadata")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = anonymous
        .get(s.url(".well-known/smart-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn smart_scopes_limit_the_resource_types() {
    let s = start().await;
    build(&s).await;
    let t = s.token(&[
        "--professional",
        GP.1,
        "--profession",
        GP.2,
        "--scope",
        "user/Patient.rs",
    ]);
    let c = s.client(&t);
    assert_eq!(
        c.get(s.url("Patient/p1")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        c.get(s.url("Observation/o1"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        c.get(s.url("Observation?subject=Patient/p1"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

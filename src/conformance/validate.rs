//! `validateProfileId`: asks the server's `$validate` operation
//! (<https://hl7.org/fhir/R4/resource-operation-validate.html>) whether the target
//! resource conforms to the profile.

use super::exchange::{FHIR_JSON, Request, send};
use super::state::{State, text};
use serde_json::Value;

/// `Ok` when `$validate?profile=…` answers 200 with no `error`/`fatal` issue.
///
/// # Errors
/// Unknown profile id, no resource to validate, transport failure, or the issues found.
pub async fn validate_profile(
    client: &reqwest::Client,
    state: &State,
    a: &Value,
) -> Result<String, String> {
    let id = text(a, "validateProfileId").unwrap_or_default();
    let profile = state
        .profiles
        .get(id)
        .ok_or(format!("profile {id} is not declared by the script"))?;
    let resource = match text(a, "sourceId") {
        Some(src) => state.resource(src).cloned(),
        None => state
            .last
            .as_ref()
            .and_then(|ex| ex.response.resource.clone()),
    };
    let resource = resource.ok_or("no resource to validate")?;
    let rtype = text(&resource, "resourceType").unwrap_or_default();
    let request = Request {
        method: "POST".into(),
        url: format!("{}/{rtype}/$validate?profile={profile}", state.base),
        headers: vec![
            ("content-type".into(), FHIR_JSON.into()),
            ("accept".into(), FHIR_JSON.into()),
        ],
        body: Some(resource.to_string()),
        resource: Some(resource),
    };
    let ex = send(client, request).await?;
    let issues = errors(ex.response.resource.as_ref());
    if ex.response.status == 200 && issues.is_empty() {
        Ok(format!("conforms to {profile}"))
    } else {
        Err(format!(
            "$validate against {profile}: HTTP {} {}",
            ex.response.status,
            issues.join("; ")
        ))
    }
}

/// The diagnostics of the `error` and `fatal` issues of an OperationOutcome.
fn errors(outcome: Option<&Value>) -> Vec<String> {
    outcome
        .and_then(|r| r.get("issue"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| matches!(text(i, "severity"), Some("error" | "fatal")))
        .map(|i| {
            text(i, "diagnostics")
                .unwrap_or("(no diagnostics)")
                .to_owned()
        })
        .collect()
}

//! FHIR capabilities: https://hl7.org/fhir/R4/http.html#capabilities — a CapabilityStatement generated from
//! what the server implements, so it cannot drift from the code.

use serde_json::{Value, json};

use super::{Body, Context, Outcome};
use crate::fhir::Instant;

/// The formats the server reads and writes.
pub const FORMATS: &[&str] = &[
    "json",
    "xml",
    "application/fhir+json",
    "application/fhir+xml",
];

const TYPE_INTERACTIONS: &[&str] = &[
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history-instance",
    "history-type",
    "create",
];

/// The CapabilityStatement as an outcome.
pub fn outcome(ctx: &Context) -> Outcome {
    Outcome::new(200, Body::Json(statement(ctx)))
}

fn statement(ctx: &Context) -> Value {
    let model = crate::model::r4();
    let resources: Vec<Value> = model.resource_types().map(resource_entry).collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": Instant::now().to_fhir(),
        "publisher": "Carnet",
        "kind": "instance",
        "software": {"name": "Carnet", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "Carnet FHIR server for the DMP", "url": ctx.base_url},
        "fhirVersion": "4.0.1",
        "format": FORMATS,
        "patchFormat": ["application/json-patch+json"],
        "rest": [{
            "mode": "server",
            "resource": resources,
            "interaction": [
                {"code": "transaction"}, {"code": "batch"}, {"code": "history-system"}
            ]
        }]
    })
}

fn resource_entry(ty: &str) -> Value {
    let interactions: Vec<Value> = TYPE_INTERACTIONS
        .iter()
        .map(|c| json!({"code": c}))
        .collect();
    let mut params = vec![json!({"name": "_id", "type": "token",
        "documentation": "Logical id (conditional interactions)"})];
    if crate::model::r4().element(ty, "identifier").is_some() {
        params.push(json!({"name": "identifier", "type": "token",
            "documentation": "Business identifier, system|value (conditional interactions)"}));
    }
    json!({
        "type": ty,
        "interaction": interactions,
        "versioning": "versioned-update",
        "readHistory": true,
        "updateCreate": true,
        "conditionalCreate": true,
        "conditionalUpdate": true,
        "conditionalDelete": "single",
        "searchParam": params,
    })
}

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
    "search-type",
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
            "security": {
                "cors": false,
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "SMART-on-FHIR"}]}],
                "description": "Bearer JWTs (RS256/ES256) with SMART v1/v2 scopes; every read and write is decided by the DMP consent engine and traced (AuditEvent). See .well-known/smart-configuration."
            },
            "resource": resources,
            "interaction": [
                {"code": "transaction"}, {"code": "batch"}, {"code": "search-system"},
                {"code": "history-system"}
            ]
        }]
    })
}

fn resource_entry(ty: &str) -> Value {
    if ty == crate::search::trail::TYPE {
        return trail_entry();
    }
    let interactions: Vec<Value> = TYPE_INTERACTIONS
        .iter()
        .map(|c| json!({"code": c}))
        .collect();
    let mut params = vec![
        json!({"name": "_id", "type": "token", "documentation": "Logical id of the resource"}),
        json!({"name": "_lastUpdated", "type": "date", "documentation": "When the resource last changed"}),
    ];
    let mut references = Vec::new();
    for p in crate::model::r4().search_params(ty) {
        if matches!(p.code.as_str(), "_id" | "_lastUpdated") {
            continue;
        }
        let kind = serde_json::to_value(p.kind).unwrap_or(Value::Null);
        if kind == "reference" {
            references.push(format!("{ty}:{}", p.code));
        }
        params.push(json!({
            "name": p.code,
            "definition": p.url,
            "type": kind,
            "documentation": format!("FHIRPath: {}", p.expression.as_deref().unwrap_or("(special)")),
        }));
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
        "searchInclude": references,
        "searchRevInclude": ["*"],
        "searchParam": params,
    })
}

/// The trail: written by the server only, read and searched from the trail table.
fn trail_entry() -> Value {
    let interactions: Vec<Value> = [
        "read",
        "vread",
        "search-type",
        "history-instance",
        "history-type",
    ]
    .iter()
    .map(|c| json!({"code": c}))
    .collect();
    let model = crate::model::r4();
    let params: Vec<Value> = crate::search::trail::PARAMS
        .iter()
        .map(|(code, kind)| {
            let definition = model
                .search_params(crate::search::trail::TYPE)
                .iter()
                .find(|p| p.code == *code)
                .map(|p| p.url.clone());
            json!({"name": code, "type": kind, "definition": definition})
        })
        .collect();
    json!({
        "type": crate::search::trail::TYPE,
        "documentation": "The access trail: one AuditEvent per request, written by the server (append-only), read by the patient, their legal representatives and administrators; newest first unless _sort=date.",
        "interaction": interactions,
        "versioning": "versioned",
        "readHistory": true,
        "updateCreate": false,
        "searchParam": params,
    })
}

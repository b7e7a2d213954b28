//! AuditEvent and emergency-notice construction, pure. Shape after the ANS "traces" (TdE)
//! profile as the project's `dmp-auditevent` states it: type `rest` with the RESTful interaction as
//! subtype, action C/R/U/D/E, period and recorded, outcome 0/4/8, the requester as agent (IDNPS,
//! INS or client id, with the access mode as `purposeOfUse` for emergencies), the server as
//! source, and the patients and resources concerned as entities.

use serde_json::{Value, json};

use crate::consent::{AccessMode, Actor, IDNPS_SYSTEM};

/// What happened, for the event's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx/3xx.
    Success,
    /// A refusal or a client error (4xx): denied attempts are traced too.
    Denied,
    /// A server fault (5xx).
    Failed,
}

/// One audited request.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The requester.
    pub actor: &'a Actor,
    /// RESTful interaction code (`read`, `search-type`, `create`, `update`, `patch`, `delete`,
    /// `history-instance`, `batch`, `transaction`, `operation`, `capabilities`, `vread`).
    pub interaction: &'a str,
    /// The Patient ids of the records concerned.
    pub patients: &'a [String],
    /// `Type/id` of the resources concerned (at most a few dozen).
    pub resources: &'a [String],
    /// What happened.
    pub outcome: Outcome,
    /// The HTTP status answered.
    pub status: u16,
    /// When, as a FHIR instant.
    pub at: &'a str,
    /// The access relied on an emergency mode (break-glass or regulation).
    pub emergency: bool,
}

fn action_of(interaction: &str) -> &'static str {
    match interaction {
        "create" => "C",
        "update" | "patch" => "U",
        "delete" => "D",
        "batch" | "transaction" | "operation" => "E",
        _ => "R",
    }
}

fn agent(actor: &Actor, emergency: bool) -> Value {
    let (who, role) = match actor {
        Actor::Professional(p) => (
            json!({"identifier": {"system": IDNPS_SYSTEM, "value": p.idnps.as_str()}}),
            p.profession.as_str().to_owned(),
        ),
        Actor::Patient(ins) => (
            json!({"identifier": {"system": ins.system().uri(), "value": ins.value()}}),
            "patient".to_owned(),
        ),
        Actor::LegalRepresentative { related_person, .. } => (
            json!({"reference": format!("RelatedPerson/{related_person}")}),
            "representative".to_owned(),
        ),
        Actor::System { client_id, .. } => (json!({"display": client_id}), "system".to_owned()),
        Actor::Administrator { operator } => {
            (json!({"display": operator}), "administrator".to_owned())
        }
    };
    let mut a = json!({"who": who, "requestor": true, "role": [{"text": role}]});
    if let Actor::Professional(p) = actor
        && (emergency || p.mode != AccessMode::Normal)
    {
        let mode = if p.mode == AccessMode::Regulation {
            "regulation"
        } else {
            "bris-de-glace"
        };
        a["purposeOfUse"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
            "code": if p.mode == AccessMode::Regulation { "ETREAT" } else { "BTG" }}], "text": mode}]);
    }
    a
}

/// The AuditEvent of `e`, with id `id`.
pub fn audit_event(id: &str, e: &Entry<'_>) -> Value {
    let outcome = match e.outcome {
        Outcome::Success => "0",
        Outcome::Denied => "4",
        Outcome::Failed => "8",
    };
    let mut entities: Vec<Value> = e
        .patients
        .iter()
        .map(|p| {
            json!({"what": {"reference": format!("Patient/{p}")},
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"},
                "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1"}})
        })
        .collect();
    entities.extend(
        e.resources
            .iter()
            .filter(|r| !r.starts_with("Patient/"))
            .map(|r| json!({"what": {"reference": r}})),
    );
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": id,
        "meta": {"profile": ["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"]},
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": e.interaction}],
        "action": action_of(e.interaction),
        "period": {"start": e.at, "end": e.at},
        "recorded": e.at,
        "outcome": outcome,
        "outcomeDesc": format!("HTTP {}", e.status),
        "agent": [agent(e.actor, e.emergency)],
        "source": {"observer": {"display": "Carnet"},
            "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4"}]},
    });
    if !entities.is_empty() {
        event["entity"] = Value::Array(entities);
    }
    if e.emergency {
        event["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}]);
    }
    event
}

/// The a-posteriori notice of an emergency access to `patient`'s record, for the patient and the
/// médecin traitant (`gps`, IDNPS): a Communication about the AuditEvent `audit_id`.
pub fn emergency_notice(
    id: &str,
    patient: &str,
    gps: &[String],
    audit_id: &str,
    e: &Entry<'_>,
) -> Value {
    let who = match e.actor {
        Actor::Professional(p) => p.idnps.as_str().to_owned(),
        _ => String::new(),
    };
    let mode = match e.actor {
        Actor::Professional(p) if p.mode == AccessMode::Regulation => {
            "régulation (SAMU - centre 15)"
        }
        _ => "bris de glace",
    };
    let mut recipients = vec![json!({"reference": format!("Patient/{patient}")})];
    recipients.extend(
        gps.iter()
            .map(|g| json!({"identifier": {"system": IDNPS_SYSTEM, "value": g}})),
    );
    json!({
        "resourceType": "Communication",
        "id": id,
        "status": "completed",
        "category": [{"text": crate::consent::EMERGENCY_NOTICE}],
        "subject": {"reference": format!("Patient/{patient}")},
        "about": [{"reference": format!("AuditEvent/{audit_id}")}],
        "sent": e.at,
        "recipient": recipients,
        "sender": {"identifier": {"system": IDNPS_SYSTEM, "value": who}},
        "payload": [{"contentString": format!(
            "Accès en mode {mode} à votre DMP le {} par le professionnel IDNPS {who}.", e.at)}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Idnps, ProfessionCode, Professional};

    #[test]
    fn events_name_the_requester_the_records_and_the_mode() {
        let actor = Actor::Professional(Professional {
            idnps: Idnps::parse("810000000006").unwrap(),
            profession: ProfessionCode::parse("10").unwrap(),
            specialty: None,
            organisation: None,
            mode: AccessMode::Regulation,
        });
        let e = Entry {
            actor: &actor,
            interaction: "search-type",
            patients: &["p1".to_owned()],
            resources: &["DocumentReference/d1".to_owned()],
            outcome: Outcome::Success,
            status: 200,
            at: "2026-12-01T10:00:00.000Z",
            emergency: true,
        };
        let ev = audit_event("a1", &e);
        assert_eq!(ev["action"], "R");
        assert_eq!(ev["entity"][0]["what"]["reference"], "Patient/p1");
        assert_eq!(ev["agent"][0]["who"]["identifier"]["value"], "810000000006");
        assert_eq!(
            ev["agent"][0]["purposeOfUse"][0]["coding"][0]["code"],
            "ETREAT"
        );
        let n = emergency_notice("c1", "p1", &["810000000001".into()], "a1", &e);
        assert_eq!(n["recipient"][1]["identifier"]["value"], "810000000001");
    }
}

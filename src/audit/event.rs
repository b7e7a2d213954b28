//! AuditEvent and emergency-notice construction, pure. Shape after the ANS "traces" (TdE)
//! profile as the project's `dmp-auditevent` states it: type `rest` with the RESTful interaction as
//! subtype, action C/R/U/D/E, period and recorded, outcome 0/4/8, the requester as agent (IDNPS,
//! INS or client id, with the access mode as `purposeOfUse` for emergencies), the server as
//! source, and the patients and resources concerned as entities.

use std::borrow::Cow;

use serde::Serialize;
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

pub(super) fn action_of(interaction: &str) -> &'static str {
    match interaction {
        "create" => "C",
        "update" | "patch" => "U",
        "delete" => "D",
        "batch" | "transaction" | "operation" => "E",
        _ => "R",
    }
}

/// JSON shape of the event: serialised field by field, in this order, without building a
/// `Value` tree (one event per request: the trail's hot path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: Meta<'a>,
    #[serde(rename = "type")]
    kind: Coding<'a>,
    subtype: [Coding<'a>; 1],
    action: &'static str,
    period: Period<'a>,
    recorded: &'a str,
    outcome: &'static str,
    outcome_desc: String,
    agent: [Agent<'a>; 1],
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    entity: Vec<Entity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose_of_event: Option<[Concept<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta<'a> {
    profile: [&'static str; 1],
    version_id: &'static str,
    last_updated: &'a str,
}

#[derive(Serialize)]
struct Coding<'a> {
    system: &'static str,
    code: &'a str,
}

#[derive(Serialize)]
struct Period<'a> {
    start: &'a str,
    end: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Agent<'a> {
    who: Who<'a>,
    requestor: bool,
    role: [Text<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose_of_use: Option<[Concept<'a>; 1]>,
}

/// `Agent.who`: an identifier, a reference or a display.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Who<'a> {
    Identifier(Identifier<'a>),
    Reference(String),
    Display(&'a str),
}

#[derive(Serialize)]
pub(super) struct Identifier<'a> {
    pub(super) system: &'a str,
    pub(super) value: &'a str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Concept<'a> {
    coding: [Coding<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

#[derive(Serialize)]
struct Source {
    observer: Display,
    #[serde(rename = "type")]
    kind: [Coding<'static>; 1],
}

#[derive(Serialize)]
struct Display {
    display: &'static str,
}

#[derive(Serialize)]
struct Entity<'a> {
    what: Reference<'a>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Coding<'static>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Coding<'static>>,
}

#[derive(Serialize)]
struct Reference<'a> {
    reference: Cow<'a, str>,
}

pub(super) const PROFILE: &str =
    "https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent";
/// The code system of `AuditEvent.type` (every event of the trail is a `rest` one).
pub const EVENT_TYPES: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
/// The code system of `AuditEvent.subtype` (the RESTful interaction).
pub const INTERACTIONS: &str = "http://hl7.org/fhir/restful-interaction";
pub(super) const ENTITY_TYPES: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
pub(super) const OBJECT_ROLES: &str = "http://terminology.hl7.org/CodeSystem/object-role";
pub(super) const SOURCE_TYPES: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
pub(super) const ACT_REASONS: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// The requester as the event's agent: who, and the role's text.
pub(super) fn who(actor: &Actor) -> (Who<'_>, &str) {
    match actor {
        Actor::Professional(p) => (
            Who::Identifier(Identifier {
                system: IDNPS_SYSTEM,
                value: p.idnps.as_str(),
            }),
            p.profession.as_str(),
        ),
        Actor::Patient(ins) => (
            Who::Identifier(Identifier {
                system: ins.system().uri(),
                value: ins.value(),
            }),
            "patient",
        ),
        Actor::LegalRepresentative { related_person, .. } => (
            Who::Reference(format!("RelatedPerson/{related_person}")),
            "representative",
        ),
        Actor::System { client_id, .. } => (Who::Display(client_id), "system"),
        Actor::Administrator { operator } => (Who::Display(operator), "administrator"),
    }
}

/// The agent's `purposeOfUse` (code, text) when a professional acts in an emergency mode.
pub(super) fn purpose_of_use(
    actor: &Actor,
    emergency: bool,
) -> Option<(&'static str, &'static str)> {
    match actor {
        Actor::Professional(p) if p.mode == AccessMode::Regulation => {
            Some(("ETREAT", "regulation"))
        }
        Actor::Professional(p) if emergency || p.mode != AccessMode::Normal => {
            Some(("BTG", "bris-de-glace"))
        }
        _ => None,
    }
}

fn agent(actor: &Actor, emergency: bool) -> Agent<'_> {
    let (who, role) = who(actor);
    let purpose_of_use = purpose_of_use(actor, emergency).map(|(code, text)| {
        [Concept {
            coding: [Coding {
                system: ACT_REASONS,
                code,
            }],
            text: Some(text),
        }]
    });
    Agent {
        who,
        requestor: true,
        role: [Text { text: role }],
        purpose_of_use,
    }
}

pub(super) fn outcome_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "0",
        Outcome::Denied => "4",
        Outcome::Failed => "8",
    }
}

fn event<'a>(id: &'a str, e: &'a Entry<'a>) -> Event<'a> {
    let patients = e.patients.iter().map(|p| Entity {
        what: Reference {
            reference: format!("Patient/{p}").into(),
        },
        kind: Some(Coding {
            system: ENTITY_TYPES,
            code: "1",
        }),
        role: Some(Coding {
            system: OBJECT_ROLES,
            code: "1",
        }),
    });
    let others = e
        .resources
        .iter()
        .filter(|r| !r.starts_with("Patient/"))
        .map(|r| Entity {
            what: Reference {
                reference: r.as_str().into(),
            },
            kind: None,
            role: None,
        });
    let emergency = [Concept {
        coding: [Coding {
            system: ACT_REASONS,
            code: "BTG",
        }],
        text: None,
    }];
    Event {
        resource_type: "AuditEvent",
        id,
        meta: Meta {
            profile: [PROFILE],
            version_id: "1",
            last_updated: e.at,
        },
        kind: Coding {
            system: EVENT_TYPES,
            code: "rest",
        },
        subtype: [Coding {
            system: INTERACTIONS,
            code: e.interaction,
        }],
        action: action_of(e.interaction),
        period: Period {
            start: e.at,
            end: e.at,
        },
        recorded: e.at,
        outcome: outcome_code(e.outcome),
        outcome_desc: format!("HTTP {}", e.status),
        agent: [agent(e.actor, e.emergency)],
        source: Source {
            observer: Display { display: "Carnet" },
            kind: [Coding {
                system: SOURCE_TYPES,
                code: "4",
            }],
        },
        entity: patients.chain(others).collect(),
        purpose_of_event: e.emergency.then_some(emergency),
    }
}

pub use super::event_text::audit_event_json;

/// The AuditEvent of `e`, with id `id`, stamped as version 1 of `e.at`, through serde (the
/// shape [`audit_event_json`] writes as text).
pub fn audit_event(id: &str, e: &Entry<'_>) -> Value {
    serde_json::to_value(event(id, e)).unwrap_or_default()
}

/// The search values of `e`'s event as ` key:value ` terms, exactly as
/// [`super::terms::terms`] reads them from its JSON (a test holds the two together), without
/// the JSON: its type (always `rest`) and its subtype's system are implied, not stored.
pub fn entry_terms(e: &Entry<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push(' ');
    let mut push = |key: &str, parts: &[&str]| {
        let empty = parts.iter().all(|p| p.is_empty());
        if !empty && !parts.iter().any(|p| p.contains(char::is_whitespace)) {
            out.push_str(key);
            out.push(':');
            parts.iter().for_each(|p| out.push_str(p));
            out.push(' ');
        }
    };
    push("outcome", &[outcome_code(e.outcome)]);
    push("action", &[action_of(e.interaction)]);
    push("subtype", &[e.interaction]);
    for p in e.patients {
        push("entity", &["Patient/", p]);
    }
    for r in e.resources.iter().filter(|r| !r.starts_with("Patient/")) {
        push("entity", &[r]);
    }
    match who(e.actor).0 {
        Who::Reference(r) => push("agent", &[&r]),
        Who::Identifier(id) => push("agent-identifier", &[id.system, "|", id.value]),
        Who::Display(_) => {}
    }
    out
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

    #[test]
    fn the_stored_text_is_the_one_earlier_versions_stored() {
        // An administrator's read as the trail stored it before the event was serialised
        // without a JSON tree (2026-12-07): the same bytes.
        let actor = Actor::Administrator {
            operator: "dev-admin".into(),
        };
        let e = Entry {
            actor: &actor,
            interaction: "read",
            patients: &["ins233086955719315".to_owned()],
            resources: &["Patient/ins233086955719315".to_owned()],
            outcome: Outcome::Success,
            status: 200,
            at: "2026-12-07T11:13:44.632Z",
            emergency: false,
        };
        let text = audit_event_json("01a25035-acb8-75c7-be3a-a0086293bcae", &e);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"{"resourceType":"AuditEvent","id":"01a25035-acb8-75c7-be3a-a0086293bcae","meta":{"profile":["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"],"versionId":"1","lastUpdated":"2026-12-07T11:13:44.632Z"},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},"subtype":[{"system":"http://hl7.org/fhir/restful-interaction","code":"read"}],"action":"R","period":{"start":"2026-12-07T11:13:44.632Z","end":"2026-12-07T11:13:44.632Z"},"recorded":"2026-12-07T11:13:44.632Z","outcome":"0","outcomeDesc":"HTTP 200","agent":[{"who":{"display":"dev-admin"},"requestor":true,"role":[{"text":"administrator"}]}],"source":{"observer":{"display":"Carnet"},"type":[{"system":"http://terminology.hl7.org/CodeSystem/security-source-type","code":"4"}]},"entity":[{"what":{"reference":"Patient/ins233086955719315"},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-entity-type","code":"1"},"role":{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"1"}}]}"#
        );
    }

    #[test]
    fn an_event_without_entities_has_no_entity_list() {
        let actor = Actor::Administrator {
            operator: "ops".into(),
        };
        let e = Entry {
            actor: &actor,
            interaction: "capabilities",
            patients: &[],
            resources: &[],
            outcome: Outcome::Denied,
            status: 403,
            at: "2026-12-01T10:00:00.000Z",
            emergency: true,
        };
        let text = String::from_utf8(audit_event_json("a1", &e)).unwrap();
        assert_eq!(text, serde_json::to_string(&event("a1", &e)).unwrap());
        assert!(!text.contains("entity"), "{text}");
    }

    #[test]
    fn terms_from_the_entry_are_the_terms_read_from_the_event() {
        let professional = |mode| {
            Actor::Professional(Professional {
                idnps: Idnps::parse("810000000006").unwrap(),
                profession: ProfessionCode::parse("10").unwrap(),
                specialty: None,
                organisation: None,
                mode,
            })
        };
        let ins =
            crate::consent::Ins::parse("urn:oid:1.2.250.1.213.1.4.10", "279035121518989").unwrap();
        let actors = [
            professional(AccessMode::Normal),
            professional(AccessMode::BreakGlass),
            professional(AccessMode::Regulation),
            Actor::Patient(ins.clone()),
            Actor::LegalRepresentative {
                related_person: "rp1".into(),
                patient: ins,
            },
            Actor::System {
                client_id: "lab \"client\"\\\u{7}é".into(),
                scopes: Vec::new(),
            },
            Actor::Administrator {
                operator: "ops".into(),
            },
        ];
        let patients = ["p1".to_owned(), "p2".to_owned()];
        let resources = [
            "DocumentReference/d1".to_owned(),
            "Patient/p1".to_owned(),
            "Binary/b 2".to_owned(),
            "Binary/\"b\"\t".to_owned(),
        ];
        for actor in &actors {
            for (interaction, outcome, emergency) in [
                ("read", Outcome::Success, false),
                ("search-type", Outcome::Denied, true),
                ("transaction", Outcome::Failed, false),
                ("update", Outcome::Success, true),
            ] {
                for n in [0, 2, 1] {
                    let e = Entry {
                        actor,
                        interaction,
                        patients: &patients[..n],
                        resources: &resources[..n + 1 + n / 2],
                        outcome,
                        status: 200,
                        at: "2026-12-01T10:00:00.000Z",
                        emergency,
                    };
                    let event = audit_event("a1", &e);
                    assert_eq!(
                        entry_terms(&e),
                        super::super::terms::terms(&event),
                        "{event}"
                    );
                    let text = audit_event_json("a1", &e);
                    assert_eq!(serde_json::from_slice::<Value>(&text).unwrap(), event);
                    assert_eq!(
                        String::from_utf8(text).unwrap(),
                        serde_json::to_string(&super::event("a1", &e)).unwrap(),
                        "the text as serde writes it"
                    );
                }
            }
        }
    }
}

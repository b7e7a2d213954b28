//! What the trail table keeps of an AuditEvent besides its JSON, pure: the records it concerns
//! (`audit_patients`) and its other search values (`terms`), from the event itself, so that
//! events of every origin (this version's, earlier versions' moved at start) are searched alike.

use serde_json::Value;

use super::event::{EVENT_TYPES, Entry, INTERACTIONS, audit_event_json, entry_terms};
use crate::fhir::Instant;
use crate::store::LoggedEvent;

/// The trail row of the event of `e` with id `id`, recorded `at` (`e.at` is its text): its
/// JSON, records and terms made straight from the entry.
pub fn logged_entry(id: String, e: &Entry<'_>, at: Instant) -> LoggedEvent {
    let mut patients = e.patients.to_vec();
    patients.sort();
    patients.dedup();
    LoggedEvent {
        content: audit_event_json(&id, e),
        id,
        at,
        patients,
        terms: entry_terms(e),
    }
}

/// The trail row of `event` (stamped), recorded `at`.
pub fn logged(event: &Value, at: Instant) -> LoggedEvent {
    LoggedEvent {
        id: event["id"].as_str().unwrap_or_default().to_owned(),
        at,
        patients: patients(event),
        terms: terms(event),
        content: serde_json::to_vec(event).unwrap_or_default(),
    }
}

/// The Patient ids among the event's entities and agents (the R4 `patient` parameter), sorted,
/// without repeats.
pub fn patients(event: &Value) -> Vec<String> {
    let entities = event["entity"].as_array().into_iter().flatten();
    let whats = entities.map(|e| &e["what"]);
    let agents = event["agent"].as_array().into_iter().flatten();
    let whos = agents.map(|a| &a["who"]);
    let mut out: Vec<String> = whats
        .chain(whos)
        .filter_map(|r| r["reference"].as_str()?.strip_prefix("Patient/"))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The search values of `event` as ` key:value ` terms: `outcome`, `action`, `type` and
/// `subtype` (`code` and `system|code`), `entity` and `agent` (`Type/id`), `agent-identifier`
/// (`system|value`) and `altid`. Values with whitespace are left out (a search value cannot
/// match them as one term).
pub fn terms(event: &Value) -> String {
    let mut out = vec![String::new()];
    let mut push = |key: &str, value: &str| {
        if !value.is_empty() && !value.contains(char::is_whitespace) {
            out.push(format!("{key}:{value}"));
        }
    };
    for key in ["outcome", "action"] {
        if let Some(v) = event[key].as_str() {
            push(key, v);
        }
    }
    let codings = std::iter::once(("type", &event["type"])).chain(
        event["subtype"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| ("subtype", c)),
    );
    for (key, coding) in codings {
        let Some(code) = coding["code"].as_str() else {
            continue;
        };
        // Implied, not stored: the `rest` type and the subtype's usual system (the search
        // answers them without terms, see `search/trail.rs`).
        match (key, coding["system"].as_str()) {
            ("type", Some(EVENT_TYPES) | None) if code == "rest" => {}
            ("subtype", Some(INTERACTIONS) | None) => push(key, code),
            (_, system) => {
                push(key, code);
                if let Some(system) = system {
                    push(key, &format!("{system}|{code}"));
                }
            }
        }
    }
    for e in event["entity"].as_array().into_iter().flatten() {
        if let Some(r) = e["what"]["reference"].as_str() {
            push("entity", r);
        }
    }
    for a in event["agent"].as_array().into_iter().flatten() {
        if let Some(r) = a["who"]["reference"].as_str() {
            push("agent", r);
        }
        let id = &a["who"]["identifier"];
        if let (Some(s), Some(v)) = (id["system"].as_str(), id["value"].as_str()) {
            push("agent-identifier", &format!("{s}|{v}"));
        }
        if let Some(v) = a["altId"].as_str() {
            push("altid", v);
        }
    }
    out.push(String::new());
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_gives_its_records_and_its_terms() {
        let event = json!({"resourceType": "AuditEvent", "id": "e1",
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
            "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
            "action": "R", "outcome": "4",
            "agent": [{"who": {"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "810001"}},
                "requestor": true}],
            "entity": [{"what": {"reference": "Patient/p2"}}, {"what": {"reference": "Patient/p1"}},
                {"what": {"reference": "DocumentReference/d1"}}, {"what": {"display": "a query"}}]});
        assert_eq!(patients(&event), ["p1", "p2"]);
        let t = terms(&event);
        for term in [
            " outcome:4 ",
            " action:R ",
            " subtype:read ",
            " entity:Patient/p2 ",
            " entity:DocumentReference/d1 ",
            " agent-identifier:urn:oid:1.2.250.1.71.4.2.1|810001 ",
        ] {
            assert!(t.contains(term), "{term} in {t}");
        }
        // Implied: every event is a `rest` one, and its subtypes are RESTful interactions.
        assert!(
            !t.contains("type:rest") && !t.contains("restful-interaction"),
            "{t}"
        );
        assert!(t.starts_with(' ') && t.ends_with(' '));
        let other = json!({"type": {"system": "urn:x", "code": "login"}});
        assert_eq!(terms(&other), " type:login type:urn:x|login ");
        let row = logged(&event, Instant(5));
        assert_eq!((row.id.as_str(), row.at), ("e1", Instant(5)));
    }

    #[test]
    fn agents_that_are_patients_are_records_too() {
        let event = json!({"agent": [{"who": {"reference": "Patient/p9"}}]});
        assert_eq!(patients(&event), ["p9"]);
        assert_eq!(terms(&event), " agent:Patient/p9 ");
    }
}

//! The AuditEvent's JSON text, written directly: one event per request is the trail's hot path,
//! and serde's serialiser spent ~17k instructions on it (escaping every byte of the long fixed
//! strings, one small write per token); this writer copies the fixed parts and escapes only the
//! values. It writes exactly the bytes serde writes for [`super::event`]'s shape (a test holds
//! the two together for every kind of requester, interaction and entity).

use super::event::{
    ACT_REASONS, ENTITY_TYPES, EVENT_TYPES, Entry, INTERACTIONS, OBJECT_ROLES, PROFILE,
    SOURCE_TYPES, Who, action_of, outcome_code, purpose_of_use, who,
};

/// The AuditEvent of `e`, with id `id`, stamped as version 1 of `e.at` (its `meta`), as the
/// JSON text the trail stores and serves.
pub fn audit_event_json(id: &str, e: &Entry<'_>) -> Vec<u8> {
    let mut out = Text(Vec::with_capacity(1024));
    out.raw(r#"{"resourceType":"AuditEvent","id":"#);
    out.string(id);
    out.raw(r#","meta":{"profile":[""#);
    out.raw(PROFILE);
    out.raw(r#""],"versionId":"1","lastUpdated":"#);
    out.string(e.at);
    out.raw(r#"},"type":{"system":""#);
    out.raw(EVENT_TYPES);
    out.raw(r#"","code":"rest"},"subtype":[{"system":""#);
    out.raw(INTERACTIONS);
    out.raw(r#"","code":"#);
    out.string(e.interaction);
    out.raw(r#"}],"action":""#);
    out.raw(action_of(e.interaction));
    out.raw(r#"","period":{"start":"#);
    out.string(e.at);
    out.raw(r#","end":"#);
    out.string(e.at);
    out.raw(r#"},"recorded":"#);
    out.string(e.at);
    out.raw(r#","outcome":""#);
    out.raw(outcome_code(e.outcome));
    out.raw(r#"","outcomeDesc":"HTTP "#);
    out.raw(itoa::Buffer::new().format(e.status));
    out.raw(r#"","agent":[{"who":{"#);
    let (who, role) = who(e.actor);
    match who {
        Who::Identifier(id) => {
            out.raw(r#""identifier":{"system":"#);
            out.string(id.system);
            out.raw(r#","value":"#);
            out.string(id.value);
            out.raw("}");
        }
        Who::Reference(r) => {
            out.raw(r#""reference":"#);
            out.string(&r);
        }
        Who::Display(d) => {
            out.raw(r#""display":"#);
            out.string(d);
        }
    }
    out.raw(r#"},"requestor":true,"role":[{"text":"#);
    out.string(role);
    out.raw("}]");
    if let Some((code, text)) = purpose_of_use(e.actor, e.emergency) {
        out.raw(r#","purposeOfUse":[{"coding":[{"system":""#);
        out.raw(ACT_REASONS);
        out.raw(r#"","code":""#);
        out.raw(code);
        out.raw(r#""}],"text":""#);
        out.raw(text);
        out.raw(r#""}]"#);
    }
    out.raw(r#"}],"source":{"observer":{"display":"Carnet"},"type":[{"system":""#);
    out.raw(SOURCE_TYPES);
    out.raw(r#"","code":"4"}]}"#);
    let others = || e.resources.iter().filter(|r| !r.starts_with("Patient/"));
    let mut sep = r#","entity":["#;
    for p in e.patients {
        out.raw(sep);
        sep = ",";
        out.raw(r#"{"what":{"reference":"Patient/"#);
        out.contents(p);
        out.raw(r#""},"type":{"system":""#);
        out.raw(ENTITY_TYPES);
        out.raw(r#"","code":"1"},"role":{"system":""#);
        out.raw(OBJECT_ROLES);
        out.raw(r#"","code":"1"}}"#);
    }
    for r in others() {
        out.raw(sep);
        sep = ",";
        out.raw(r#"{"what":{"reference":"#);
        out.string(r);
        out.raw("}}");
    }
    if !e.patients.is_empty() || others().next().is_some() {
        out.raw("]");
    }
    if e.emergency {
        out.raw(r#","purposeOfEvent":[{"coding":[{"system":""#);
        out.raw(ACT_REASONS);
        out.raw(r#"","code":"BTG"}]}]"#);
    }
    out.raw("}");
    out.0
}

/// JSON text being written.
struct Text(Vec<u8>);

impl Text {
    /// Text copied as it is (fixed parts, which need no escaping).
    fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// `s` as a JSON string, quotes included.
    fn string(&mut self, s: &str) {
        self.0.push(b'"');
        self.contents(s);
        self.0.push(b'"');
    }

    /// `s` as the inside of a JSON string, escaped as serde_json escapes it.
    fn contents(&mut self, s: &str) {
        if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.raw(s);
        } else {
            let quoted = serde_json::to_string(s).unwrap_or_default();
            self.raw(&quoted[1..quoted.len() - 1]);
        }
    }
}

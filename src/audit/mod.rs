//! The access trail: an AuditEvent per request, built purely ([`event`], with what the trail table
//! keeps of it from [`terms`]) and written durably by the [`sink`] through the store's group
//! commit (many requests, one transaction and one fsync; each request waits for its own event to
//! be committed before its response leaves). Events are read and searched from the trail table
//! at once: there is no indexing step.

pub mod event;
mod event_text;
pub mod sink;
pub mod terms;

pub use event::{
    EVENT_TYPES, Entry, INTERACTIONS, Outcome as AuditOutcome, audit_event, emergency_notice,
};
pub use sink::AuditSink;

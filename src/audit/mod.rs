//! The access trail: an AuditEvent per request, built purely ([`event`]) and queued durably by
//! the [`sink`] through the store's group commit (many requests, one transaction and one fsync;
//! each request waits for its own event to be committed before its response leaves), then
//! indexed as a resource in the background.

pub mod event;
pub mod sink;

pub use event::{Entry, Outcome as AuditOutcome, audit_event, emergency_notice};
pub use sink::{AuditSink, Indexing};

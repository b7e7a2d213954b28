//! The durable audit sink.
//!
//! A request's AuditEvent goes to the trail table (`audit_trail`: one compact row, filed under the
//! records it concerns) through the store's group commit (many requests, one transaction and one
//! fsync); emergency notices are written as resources in the same commit. The response waits
//! until its trail is durable, and from then on the event is read and searched like any other.

use crate::store::{LegacyEvent, LoggedEvent, Store, WriteOp};

/// Handle to the trail; cheap to clone.
#[derive(Clone, Debug)]
pub struct AuditSink {
    store: Store,
}

impl AuditSink {
    /// A sink on `store`.
    pub fn start(store: Store) -> Self {
        Self { store }
    }

    /// Commits `ops` (resources: emergency notices) and appends `events` (AuditEvents)
    /// durably; returns once they are.
    ///
    /// Fails with the database error text when the commit fails.
    pub async fn record(&self, ops: Vec<WriteOp>, events: Vec<LoggedEvent>) -> Result<(), String> {
        self.store
            .commit_with_events(ops, events)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Moves the AuditEvents an earlier version stored (indexed as resources, or queued for
/// indexing) into the trail table; returns how many moved.
///
/// # Errors
/// The database error text.
pub async fn upgrade(store: &Store) -> Result<u64, String> {
    store
        .upgrade_trail(legacy_row)
        .await
        .map_err(|e| e.to_string())
}

/// The trail row of an event an earlier version stored: an indexed one was stamped already, a
/// queued one is stamped as version 1 now.
fn legacy_row(e: LegacyEvent) -> LoggedEvent {
    match serde_json::from_slice::<serde_json::Value>(&e.content) {
        Ok(mut event) => {
            if event["meta"]["versionId"].is_null()
                && let Some(meta) = event
                    .as_object_mut()
                    .map(|o| o.entry("meta").or_insert_with(|| serde_json::json!({})))
                && let Some(meta) = meta.as_object_mut()
            {
                meta.insert("versionId".into(), "1".into());
                meta.insert("lastUpdated".into(), e.at.to_fhir().into());
            }
            let mut row = super::terms::logged(&event, e.at);
            row.id = e.id;
            row
        }
        // Kept as it was, found by id and date only.
        Err(_) => LoggedEvent {
            id: e.id,
            at: e.at,
            patients: Vec::new(),
            terms: " ".to_owned(),
            content: e.content,
        },
    }
}

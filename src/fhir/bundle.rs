//! Bundles the server produces (history, search, batch/transaction responses):
//! https://hl7.org/fhir/R4/bundle.html

use serde_json::{Map, Value, json};

/// One entry of a Bundle under construction.
#[derive(Debug, Clone, Default)]
pub struct BundleEntry {
    /// `entry.fullUrl`.
    pub full_url: Option<String>,
    /// `entry.resource`, as a JSON value.
    pub resource: Option<Value>,
    /// `entry.resource` as stored JSON bytes (a JSON object), written into the Bundle as they
    /// are by [`BundleBuilder::to_bytes`]: a page of stored resources is never parsed.
    pub stored: Option<Vec<u8>>,
    /// `entry.search.mode`.
    pub search_mode: Option<&'static str>,
    /// `entry.request` (method, url).
    pub request: Option<(String, String)>,
    /// `entry.response`: status, location, etag, lastModified, outcome.
    pub response: Option<Value>,
}

/// Builds a Bundle of a given type with entries and links.
#[derive(Debug, Clone)]
pub struct BundleBuilder {
    kind: &'static str,
    total: Option<i64>,
    links: Vec<(String, String)>,
    entries: Vec<BundleEntry>,
    timestamp: Option<String>,
}

impl BundleBuilder {
    /// A Bundle of type `kind` (`history`, `searchset`, `batch-response`, `transaction-response`).
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            total: None,
            links: Vec::new(),
            entries: Vec::new(),
            timestamp: None,
        }
    }

    /// Set `Bundle.total`.
    #[must_use]
    pub fn total(mut self, total: i64) -> Self {
        self.total = Some(total);
        self
    }

    /// Set `Bundle.timestamp`.
    #[must_use]
    pub fn timestamp(mut self, ts: String) -> Self {
        self.timestamp = Some(ts);
        self
    }

    /// Add a link with `relation` (`self`, `next`, `previous`, `first`).
    #[must_use]
    pub fn link(mut self, relation: &str, url: String) -> Self {
        self.links.push((relation.to_owned(), url));
        self
    }

    /// Append an entry.
    pub fn push(&mut self, entry: BundleEntry) {
        self.entries.push(entry);
    }

    /// The Bundle as JSON, with a fresh id.
    pub fn build(mut self) -> Value {
        let entries = std::mem::take(&mut self.entries);
        let mut b = self.envelope();
        if !entries.is_empty() {
            let entries = entries.into_iter().map(entry_json).collect();
            b.insert("entry".into(), Value::Array(entries));
        }
        Value::Object(b)
    }

    /// The Bundle as JSON bytes, with a fresh id: the same document as [`Self::build`], with
    /// the entries' stored resources copied in as they are.
    pub fn to_bytes(mut self) -> Vec<u8> {
        let entries = std::mem::take(&mut self.entries);
        let mut out = object_bytes(Value::Object(self.envelope()));
        if entries.is_empty() {
            return out;
        }
        out.pop();
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(b"\"entry\":[");
        for (i, mut e) in entries.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let stored = e.stored.take();
            let full_url = e.full_url.take();
            out.push(b'{');
            let mut first = true;
            if let Some(u) = full_url {
                out.extend_from_slice(b"\"fullUrl\":");
                out.extend_from_slice(&object_bytes(Value::String(u)));
                first = false;
            }
            if let Some(bytes) = stored {
                if !first {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"resource\":");
                out.extend_from_slice(&bytes);
                first = false;
            }
            let rest = object_bytes(entry_json(e));
            if rest.len() > 2 {
                if !first {
                    out.push(b',');
                }
                out.extend_from_slice(&rest[1..rest.len() - 1]);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        out
    }

    fn envelope(self) -> Map<String, Value> {
        let mut b = Map::new();
        b.insert("resourceType".into(), json!("Bundle"));
        b.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
        b.insert("type".into(), json!(self.kind));
        if let Some(ts) = self.timestamp {
            b.insert("timestamp".into(), json!(ts));
        }
        if let Some(t) = self.total {
            b.insert("total".into(), json!(t));
        }
        if !self.links.is_empty() {
            let links: Vec<Value> = self
                .links
                .into_iter()
                .map(|(r, u)| json!({"relation": r, "url": u}))
                .collect();
            b.insert("link".into(), Value::Array(links));
        }
        b
    }
}

/// Serialises a value built here (strings, numbers, objects: never fails).
fn object_bytes(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap_or_else(|_| b"{}".to_vec())
}

fn entry_json(e: BundleEntry) -> Value {
    let mut m = Map::new();
    if let Some(u) = e.full_url {
        m.insert("fullUrl".into(), json!(u));
    }
    if let Some(r) = e.resource {
        m.insert("resource".into(), r);
    } else if let Some(bytes) = e.stored {
        let r = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        m.insert("resource".into(), r);
    }
    if let Some(mode) = e.search_mode {
        m.insert("search".into(), json!({ "mode": mode }));
    }
    if let Some((method, url)) = e.request {
        m.insert("request".into(), json!({"method": method, "url": url}));
    }
    if let Some(resp) = e.response {
        m.insert("response".into(), resp);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(stored: bool) -> BundleBuilder {
        let mut b = BundleBuilder::new("searchset")
            .total(2)
            .link("self", "http://x/Patient".into());
        for (id, mode) in [("a", "match"), ("b", "include")] {
            let resource = json!({"resourceType": "Patient", "id": id, "active": true});
            let bytes = serde_json::to_vec(&resource).unwrap_or_default();
            b.push(BundleEntry {
                full_url: Some(format!("http://x/Patient/{id}")),
                resource: (!stored).then_some(resource),
                stored: stored.then_some(bytes),
                search_mode: Some(mode),
                ..BundleEntry::default()
            });
        }
        b.push(BundleEntry {
            response: Some(json!({"status": "204 No Content"})),
            ..BundleEntry::default()
        });
        b
    }

    fn without_id(mut v: Value) -> Value {
        if let Some(m) = v.as_object_mut() {
            m.remove("id");
        }
        v
    }

    #[test]
    fn stored_entries_make_the_same_bundle_as_values() {
        let bytes = sample(true).to_bytes();
        let parsed: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(without_id(parsed), without_id(sample(false).build()));
        assert_eq!(
            without_id(sample(true).build()),
            without_id(sample(false).build())
        );
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.contains(r#"{"fullUrl":"http://x/Patient/a","resource":{"resourceType""#));
    }

    #[test]
    fn a_bundle_without_entries_is_its_envelope() {
        let bytes = BundleBuilder::new("searchset").total(0).to_bytes();
        let parsed: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(parsed["total"], 0);
        assert!(parsed.get("entry").is_none());
    }
}

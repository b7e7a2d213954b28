//! Bundles the server produces (history, search, batch/transaction responses):
//! https://hl7.org/fhir/R4/bundle.html

use serde_json::{Map, Value, json};

/// One entry of a Bundle under construction.
#[derive(Debug, Clone, Default)]
pub struct BundleEntry {
    /// `entry.fullUrl`.
    pub full_url: Option<String>,
    /// `entry.resource`, as stored JSON.
    pub resource: Option<Value>,
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
    pub fn build(self) -> Value {
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
        if !self.entries.is_empty() {
            let entries = self.entries.into_iter().map(entry_json).collect();
            b.insert("entry".into(), Value::Array(entries));
        }
        Value::Object(b)
    }
}

fn entry_json(e: BundleEntry) -> Value {
    let mut m = Map::new();
    if let Some(u) = e.full_url {
        m.insert("fullUrl".into(), json!(u));
    }
    if let Some(r) = e.resource {
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

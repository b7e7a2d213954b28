//! Newtypes parsed once at the boundary: resource types, logical ids and version ids.
//! Rules: https://hl7.org/fhir/R4/datatypes.html#id and https://hl7.org/fhir/R4/resource.html#id

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// A concrete R4 resource type name, e.g. `Patient`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceType(String);

impl ResourceType {
    /// Parse a type name; an unknown name is `NotFound` (FHIR answers 404 for an unknown type).
    pub fn parse(name: &str) -> Result<Self> {
        if crate::model::r4().is_resource_type(name) {
            Ok(Self(name.to_owned()))
        } else {
            Err(Error::new(
                ErrorKind::NotFound,
                format!("unknown resource type '{name}'"),
            ))
        }
    }

    /// The type name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A logical id: 1 to 64 characters of `[A-Za-z0-9-.]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// Parse a logical id; anything else is `Invalid`.
    pub fn parse(raw: &str) -> Result<Self> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::invalid(format!(
                "invalid id '{}': 1-64 characters of A-Z a-z 0-9 - .",
                raw.chars().take(80).collect::<String>()
            )))
        }
    }

    /// A fresh server-assigned id: a UUID v7 (a valid FHIR id), whose leading timestamp makes
    /// the ids of successive creates neighbours in every index keyed by id, so a group commit
    /// of many creates dirties (and writes to the WAL) a few index pages instead of one per
    /// create and index. It reveals no more than `meta.lastUpdated` does.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A version id as the server assigns them: 1, 2, 3…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionId(pub i64);

impl VersionId {
    /// Parse a version id from a URL segment or an ETag (`W/"3"`, `"3"` or `3`); anything else is `Invalid`.
    pub fn parse(raw: &str) -> Result<Self> {
        let t = raw.trim();
        let t = t.strip_prefix("W/").unwrap_or(t);
        let t = t.trim_matches('"');
        match t.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(Error::invalid(format!("invalid version id '{raw}'"))),
        }
    }

    /// The weak ETag for this version, `W/"n"`.
    pub fn etag(self) -> String {
        format!("W/\"{}\"", self.0)
    }
}

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid_and_follow_creation_order() {
        let ids: Vec<Id> = (0..200)
            .map(|i| {
                if i % 50 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                Id::generate()
            })
            .collect();
        assert!(ids.iter().all(|id| Id::parse(id.as_str()).is_ok()));
        // Ids of different milliseconds sort in creation order (index locality of creates).
        assert!(ids[0].as_str() < ids[50].as_str() && ids[50].as_str() < ids[199].as_str());
        let distinct: std::collections::HashSet<&str> = ids.iter().map(Id::as_str).collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn id_accepts_spec_characters_and_rejects_others() {
        assert!(Id::parse("abc-1.2").is_ok());
        assert!(Id::parse(&"a".repeat(64)).is_ok());
        assert!(Id::parse(&"a".repeat(65)).is_err());
        assert!(Id::parse("a b").is_err());
        assert!(Id::parse("").is_err());
        assert!(Id::parse("a_b").is_err());
    }

    #[test]
    fn version_parses_etags() {
        assert_eq!(VersionId::parse("W/\"3\"").unwrap(), VersionId(3));
        assert_eq!(VersionId::parse("\"4\"").unwrap(), VersionId(4));
        assert_eq!(VersionId::parse("5").unwrap(), VersionId(5));
        assert!(VersionId::parse("W/\"x\"").is_err());
        assert!(VersionId::parse("0").is_err());
    }

    #[test]
    fn resource_type_unknown_is_not_found() {
        assert_eq!(
            ResourceType::parse("Patientt").unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert!(ResourceType::parse("Patient").is_ok());
    }
}

//! Expanded value sets of required bindings (<https://hl7.org/fhir/R4/valueset.html>).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// The codes a value set takes from one code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSetSystem {
    /// Code system canonical.
    pub system: String,
    /// `(code, display)` pairs in expansion order.
    pub concepts: Vec<(String, Option<String>)>,
}

/// One line of `value-sets.jsonl`: an expansion, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ValueSetRow {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<ValueSetSystem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unexpanded: Option<String>,
}

/// One code of an expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concept<'a> {
    /// Code system canonical.
    pub system: &'a str,
    /// The code.
    pub code: &'a str,
    /// Display text, when the definitions give one.
    pub display: Option<&'a str>,
}

/// An expanded value set.
#[derive(Debug, Clone)]
pub struct ValueSetDef {
    /// Canonical URL (without version).
    pub url: String,
    /// Computable name.
    pub name: Option<String>,
    /// The codes, grouped by code system.
    pub include: Vec<ValueSetSystem>,
    index: HashSet<(String, String)>,
}

impl ValueSetDef {
    pub(crate) fn new(url: String, name: Option<String>, include: Vec<ValueSetSystem>) -> Self {
        let index = include
            .iter()
            .flat_map(|s| {
                s.concepts
                    .iter()
                    .map(|(c, _)| (s.system.clone(), c.clone()))
            })
            .collect();
        ValueSetDef {
            url,
            name,
            include,
            index,
        }
    }

    /// `true` when `system|code` is in the expansion.
    pub fn contains(&self, system: &str, code: &str) -> bool {
        self.index.contains(&(system.to_owned(), code.to_owned()))
    }

    /// `true` when `code` is in the expansion for any system (for `code`-typed elements, whose
    /// system is implied by the binding).
    pub fn contains_code(&self, code: &str) -> bool {
        self.concepts().any(|c| c.code == code)
    }

    /// All codes, in expansion order.
    pub fn concepts(&self) -> impl Iterator<Item = Concept<'_>> {
        self.include.iter().flat_map(|s| {
            s.concepts.iter().map(move |(code, display)| Concept {
                system: &s.system,
                code,
                display: display.as_deref(),
            })
        })
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// `true` when the expansion has no code.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

//! What is asked: the action and the object it applies to.

use super::facts::{ConsentRule, DocumentFacts};

/// The kind of resource an action touches, as far as access rules distinguish them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// The Patient resource (identity and DMP status).
    Patient,
    /// A DocumentReference.
    DocumentReference,
    /// The Binary content of a document.
    Binary,
    /// A List (submission set, folder); its entries follow document visibility.
    List,
    /// A Consent.
    Consent,
    /// An AuditEvent.
    AuditEvent,
    /// Any other resource of the Patient compartment (Observation, Condition…).
    Clinical,
}

impl ResourceKind {
    /// The FHIR resource type name used in SMART scopes (`Clinical` maps to `*` only).
    pub fn scope_name(self) -> &'static str {
        match self {
            Self::Patient => "Patient",
            Self::DocumentReference => "DocumentReference",
            Self::Binary => "Binary",
            Self::List => "List",
            Self::Consent => "Consent",
            Self::AuditEvent => "AuditEvent",
            Self::Clinical => "*",
        }
    }

    /// True for the kinds whose instances follow a document's visibility.
    pub fn is_document_part(self) -> bool {
        matches!(self, Self::DocumentReference | Self::Binary | Self::List)
    }
}

/// The action requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// read / vread / history of one resource (with [`Target::Document`] for a document, its
    /// Binary content or its List entry), or, with [`Target::Record`], the right to read that
    /// kind in the record at all.
    Read(ResourceKind),
    /// search of a kind within the record; per-document visibility then comes from
    /// `document_filter`, applied inside the SQL.
    Search(ResourceKind),
    /// create or update (feeding). For `Consent`, give [`Target::Consent`].
    Write(ResourceKind),
    /// Deletion: logical for a DocumentReference (status change), the Consent's withdrawal.
    Delete(ResourceKind),
    /// Add `MASQUE_PS` to a document.
    Mask,
    /// Remove `MASQUE_PS` from a document.
    Unmask,
}

/// How a Consent is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentChange {
    /// A new Consent.
    Create,
    /// A change to an existing Consent (the draft is the new content).
    Update,
}

/// A Consent about to be written, reduced to its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDraft {
    /// Create or update.
    pub change: ConsentChange,
    /// The provision it carries.
    pub rule: ConsentRule,
}

/// The object of the action, within the record given to `decide`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The record as a whole, or a resource with no per-resource rule.
    Record,
    /// One document (DocumentReference, its Binary, or its List entry).
    Document(&'a DocumentFacts),
    /// A Consent being written.
    Consent(&'a ConsentDraft),
}

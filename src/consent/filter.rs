//! The bridge to SQL: which documents of one record an actor may see, as data.
//!
//! [`DocumentFilter`] is a disjunction of conjunctions of [`Atom`]s over the indexed document
//! facts. The store translates it into its search SQL (`WHERE` on the record's documents), so
//! paging and totals only count visible documents; [`DocumentFilter::matches`] is the reference
//! semantics, and `visible()` agrees with it (property-tested).
//!
//! Index columns the store must keep per DocumentReference, extracted with
//! `DocumentFacts::from_document_reference` at write time: the type (system, code), the author
//! IDNPS set, the normalised TRE_A07 label set, and the date (day). The same filter applies to the
//! document's Binary and to List entries pointing at it.

use std::collections::BTreeSet;

use super::actor::Actor;
use super::date::Date;
use super::facts::{DocumentFacts, Label, RecordFacts};
use super::ids::{Idnps, TypeCode};
use super::matrix::{Matrix, Row};
use super::record_rules::record_access;

/// One condition on a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// The IDNPS is among the document's authors.
    AuthorIs(Idnps),
    /// The document has a type and it is in the set (SQL: `(type_system, type_code) IN (...)`).
    TypeIn(BTreeSet<TypeCode>),
    /// The document does not carry the label (SQL: `NOT EXISTS` on the label index).
    LacksLabel(Label),
    /// The document has a date and it is on or before this day (SQL: `date <= ?`). Used for the
    /// INVISIBLE_PATIENT lift: the day is the latest date whose one-month delay has passed.
    DatedOnOrBefore(Date),
}

impl Atom {
    /// True if `doc` satisfies the condition.
    pub fn matches(&self, doc: &DocumentFacts) -> bool {
        match self {
            Self::AuthorIs(id) => doc.authors.contains(id),
            Self::TypeIn(set) => doc.type_code.as_ref().is_some_and(|t| set.contains(t)),
            Self::LacksLabel(label) => !doc.has(*label),
            Self::DatedOnOrBefore(day) => doc.date.is_some_and(|d| d <= *day),
        }
    }
}

/// A conjunction of atoms; never empty (an empty clause is normalised to [`DocumentFilter::All`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause(pub Vec<Atom>);

/// Which documents are visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentFilter {
    /// Every document of the record.
    All,
    /// No document (the record itself is not accessible, or nothing is visible).
    None,
    /// Documents matching at least one clause (each clause non-empty, the list non-empty).
    AnyOf(Vec<Clause>),
}

impl DocumentFilter {
    /// Normalising constructor: no clause gives `None`, an empty clause gives `All`.
    pub fn any_of(clauses: Vec<Clause>) -> Self {
        if clauses.is_empty() {
            Self::None
        } else if clauses.iter().any(|c| c.0.is_empty()) {
            Self::All
        } else {
            Self::AnyOf(clauses)
        }
    }

    /// True if `doc` passes the filter.
    pub fn matches(&self, doc: &DocumentFacts) -> bool {
        match self {
            Self::All => true,
            Self::None => false,
            Self::AnyOf(clauses) => clauses.iter().any(|c| c.0.iter().all(|a| a.matches(doc))),
        }
    }
}

/// The documents of `record` that `actor` may see on `now`, with the compiled-in matrix.
pub fn document_filter(actor: &Actor, record: &RecordFacts, now: Date) -> DocumentFilter {
    document_filter_with(Matrix::dmp(), actor, record, now)
}

/// [`document_filter`] with an explicit matrix.
pub fn document_filter_with(
    matrix: &Matrix,
    actor: &Actor,
    record: &RecordFacts,
    now: Date,
) -> DocumentFilter {
    use Label::{InvisiblePatient, InvisibleRepresentantsLegaux, MasquePs};
    let lifted = || Atom::DatedOnOrBefore(now.latest_passed(1));
    match actor {
        Actor::Professional(pro) => match record_access(pro, record, now) {
            Err(_) => DocumentFilter::None,
            Ok(_) if record.is_medecin_traitant(pro) => DocumentFilter::All,
            Ok(_) => {
                let author = Clause(vec![Atom::AuthorIs(pro.idnps.clone())]);
                let habilitated = matrix_clause(matrix.row(&pro.profession));
                DocumentFilter::any_of(std::iter::once(author).chain(habilitated).collect())
            }
        },
        Actor::Patient(ins) if record.is_holder(ins) => DocumentFilter::any_of(vec![
            Clause(vec![Atom::LacksLabel(InvisiblePatient)]),
            Clause(vec![lifted()]),
        ]),
        Actor::LegalRepresentative { patient, .. } if record.is_holder(patient) => {
            let not_for_reps = || Atom::LacksLabel(InvisibleRepresentantsLegaux);
            DocumentFilter::any_of(vec![
                Clause(vec![Atom::LacksLabel(InvisiblePatient), not_for_reps()]),
                Clause(vec![lifted(), not_for_reps()]),
            ])
        }
        Actor::System { scopes, .. }
            if !record.closed && Actor::system_may(scopes, "DocumentReference", false) =>
        {
            DocumentFilter::any_of(vec![Clause(vec![Atom::LacksLabel(MasquePs)])])
        }
        Actor::Administrator { .. } => DocumentFilter::All,
        _ => DocumentFilter::None,
    }
}

/// The matrix clause of a profession: allowed type and not `MASQUE_PS`; none if nothing allowed.
fn matrix_clause(row: Option<&Row>) -> Option<Clause> {
    let unmasked = Atom::LacksLabel(Label::MasquePs);
    match row {
        Some(Row::AllTypes) => Some(Clause(vec![unmasked])),
        Some(Row::Only(set)) if !set.is_empty() => {
            Some(Clause(vec![Atom::TypeIn(set.clone()), unmasked]))
        }
        _ => None,
    }
}

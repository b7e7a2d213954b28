//! Document visibility (access-rules.md "Decisions", second and last paragraphs), per requester.
//! A document's Binary content and its List entries follow the same answer.

use super::actor::Professional;
use super::date::Date;
use super::decision::{Basis, Decision, Permit, Rule};
use super::facts::{DocumentFacts, Label, RecordFacts};
use super::matrix::Matrix;

/// One professional document rule: `Some(basis)` if it makes the document visible.
type DocumentRule = fn(&Professional, &RecordFacts, &DocumentFacts, &Matrix) -> Option<Basis>;

/// The professional document rules, in order; visible if any applies.
pub(crate) const PROFESSIONAL_DOCUMENT_RULES: [DocumentRule; 3] =
    [author, medecin_traitant, matrix_and_not_masked];

/// Visibility of `doc` to `pro`, whose record access was granted by `record_permit`. The
/// emergency flag of the record access is carried over.
pub(crate) fn professional_document(
    pro: &Professional,
    record: &RecordFacts,
    doc: &DocumentFacts,
    matrix: &Matrix,
    record_permit: Permit,
) -> Decision {
    match PROFESSIONAL_DOCUMENT_RULES
        .iter()
        .find_map(|rule| rule(pro, record, doc, matrix))
    {
        Some(basis) => Decision::Permit(Permit {
            basis,
            emergency: record_permit.emergency,
        }),
        None if !matrix.allows(&pro.profession, doc.type_code.as_ref()) => {
            Decision::Deny(Rule::NotHabilitated)
        }
        None => Decision::Deny(Rule::MaskedForProfessionals),
    }
}

/// Authors always see their documents (R.1111-49: data stays accessible to who deposited it).
fn author(pro: &Professional, _: &RecordFacts, doc: &DocumentFacts, _: &Matrix) -> Option<Basis> {
    doc.is_author(pro).then_some(Basis::Author)
}

/// The médecin traitant sees every document, masked ones included.
fn medecin_traitant(
    pro: &Professional,
    record: &RecordFacts,
    _: &DocumentFacts,
    _: &Matrix,
) -> Option<Basis> {
    record
        .is_medecin_traitant(pro)
        .then_some(Basis::MedecinTraitant)
}

/// The matrix allows the profession for the type, and the document is not `MASQUE_PS`
/// (emergency modes included: the project keeps masked documents hidden).
fn matrix_and_not_masked(
    pro: &Professional,
    _: &RecordFacts,
    doc: &DocumentFacts,
    matrix: &Matrix,
) -> Option<Basis> {
    (matrix.allows(&pro.profession, doc.type_code.as_ref()) && !doc.has(Label::MasquePs))
        .then_some(Basis::Matrix)
}

/// True once the `INVISIBLE_PATIENT` label no longer hides `doc` on `now`: one calendar month
/// after its date (R.1111-53). An undated document stays hidden while labelled.
pub(crate) fn invisibility_lifted(doc: &DocumentFacts, now: Date) -> bool {
    doc.date.is_some_and(|d| d.plus_months(1) <= now)
}

/// Visibility of `doc` to the holder: all but `INVISIBLE_PATIENT` documents less than a month old.
pub(crate) fn holder_document(doc: &DocumentFacts, now: Date) -> Result<(), Rule> {
    if doc.has(Label::InvisiblePatient) && !invisibility_lifted(doc, now) {
        Err(Rule::InvisibleToPatient)
    } else {
        Ok(())
    }
}

/// Visibility of `doc` to a legal representative: what the holder sees, minus
/// `INVISIBLE_REPRESENTANTS_LEGAUX` documents.
pub(crate) fn representative_document(doc: &DocumentFacts, now: Date) -> Result<(), Rule> {
    holder_document(doc, now)?;
    if doc.has(Label::InvisibleRepresentantsLegaux) {
        Err(Rule::InvisibleToRepresentatives)
    } else {
        Ok(())
    }
}

/// Visibility of `doc` to a system client with read scope: masked documents stay hidden, since
/// such clients feed professionals' software (project decision).
pub(crate) fn system_document(doc: &DocumentFacts) -> Result<(), Rule> {
    if doc.has(Label::MasquePs) {
        Err(Rule::MaskedForProfessionals)
    } else {
        Ok(())
    }
}

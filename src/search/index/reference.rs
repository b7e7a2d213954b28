//! Reference values (<https://hl7.org/fhir/R4/search.html#reference>): relative
//! (`Patient/1`), absolute (`http://x/fhir/Patient/1`, `urn:uuid:…`) and canonical URLs.

use super::IndexValue;
use super::convert::{Data, Out, field, text};
use super::token::identifier_value;
use crate::model::r4;

/// Reference search over Reference (its `reference`, and its `identifier` as a Token under
/// `<code>:identifier`) and over canonical/uri/url texts. Local references (`#id`) and
/// contained or resolved resources give nothing.
pub(super) fn reference(data: &Data<'_>, out: &mut Out<'_>) {
    let json = data.json.as_ref();
    match data.ty {
        "Reference" => {
            if let Some(r) = field(json, "reference") {
                push_reference(r, out);
            }
            if let Some(token) = json.get("identifier").and_then(identifier_value) {
                out.push_named(format!("{}:identifier", out.code), token);
            }
        }
        "Resource" => {}
        ty if r4().is_resource_type(ty) => {}
        _ => {
            if let Some(url) = text(json) {
                push_reference(url, out);
            }
        }
    }
}

fn push_reference(reference: &str, out: &mut Out<'_>) {
    if let Some(value) = reference_value(reference) {
        out.push(value);
    }
}

/// The value of a reference text; `None` for an empty or local (`#id`) one.
pub(super) fn reference_value(reference: &str) -> Option<IndexValue> {
    if reference.is_empty() || reference.starts_with('#') {
        return None;
    }
    let absolute = reference.contains("://") || reference.starts_with("urn:");
    let (target_type, target_id) = type_and_id(reference).unwrap_or_default();
    if !absolute && !target_type.is_empty() {
        return Some(IndexValue::Reference {
            target_type,
            target_id,
            url: String::new(),
        });
    }
    Some(IndexValue::Reference {
        target_type,
        target_id,
        url: reference.to_owned(),
    })
}

/// `(Type, id)` when the text ends in `Type/id` (optionally `/_history/v`, or `|version`
/// for a canonical) with a known resource type and a valid id.
fn type_and_id(reference: &str) -> Option<(String, String)> {
    let path = reference.split(['|', '#']).next().unwrap_or(reference);
    let path = match path.split_once("/_history/") {
        Some((before, _)) => before,
        None => path,
    };
    let mut segments = path.rsplit('/');
    let id = segments.next()?;
    let ty = segments.next()?;
    let id_ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    (id_ok && r4().is_resource_type(ty)).then(|| (ty.to_owned(), id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::tests_util::{rows_of, token};
    use serde_json::json;

    fn reference(ty: &str, id: &str, url: &str) -> IndexValue {
        IndexValue::Reference {
            target_type: ty.into(),
            target_id: id.into(),
            url: url.into(),
        }
    }

    #[test]
    fn relative_references_give_type_and_id() {
        assert_eq!(
            reference_value("Patient/1"),
            Some(reference("Patient", "1", ""))
        );
        assert_eq!(
            reference_value("Patient/1/_history/2"),
            Some(reference("Patient", "1", ""))
        );
        assert_eq!(reference_value("#p1"), None);
    }

    #[test]
    fn absolute_and_canonical_urls_keep_the_url() {
        let url = "http://example.org/fhir/Patient/p-1";
        assert_eq!(reference_value(url), Some(reference("Patient", "p-1", url)));
        let uuid = "urn:uuid:1d3b7d4e-07f6-4b5f-9d7f-2b3a9f0c1e2d";
        assert_eq!(reference_value(uuid), Some(reference("", "", uuid)));
        let canonical = "http://hl7.org/fhir/StructureDefinition/Patient|4.0.1";
        assert_eq!(
            reference_value(canonical),
            Some(reference("StructureDefinition", "Patient", canonical))
        );
        let vs = "http://x.org/ValueSet/vs1|2";
        assert_eq!(reference_value(vs), Some(reference("ValueSet", "vs1", vs)));
    }

    #[test]
    fn reference_identifiers_are_tokens_under_a_marked_name() {
        let o = json!({"resourceType": "Observation", "status": "final", "code": {},
            "subject": {"reference": "Patient/7", "identifier": {"system": "urn:s", "value": "v"}}});
        assert_eq!(rows_of(&o, "subject"), [reference("Patient", "7", "")]);
        assert_eq!(rows_of(&o, "subject:identifier"), [token("urn:s", "v", "")]);
    }

    #[test]
    fn canonical_elements_are_references() {
        let q = json!({"resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": "http://x.org/Questionnaire/q1"});
        assert_eq!(
            rows_of(&q, "questionnaire"),
            [reference(
                "Questionnaire",
                "q1",
                "http://x.org/Questionnaire/q1"
            )]
        );
    }
}

//! FHIR XML ⇄ JSON, following <https://hl7.org/fhir/R4/xml.html> and
//! <https://hl7.org/fhir/R4/json.html>; pure functions driven by the R4 [`model`](crate::model).
//!
//! - The document element is the resource type, in the namespace `http://hl7.org/fhir`.
//! - Elements are written in definition order, whatever the JSON order; repeating elements are
//!   repeated XML elements and JSON arrays (exactly where the definition's max is above 1).
//! - A primitive is `<x id=".." value=".."/>` with its extensions as children; in JSON, `x`
//!   holds the value and `_x` the id and extensions (`null`-padded arrays for repeats).
//! - `Element.id` and `Extension.url` are attributes; `Resource.id` is an element.
//! - `contained`, `Bundle.entry.resource`, `Parameters.parameter.resource` wrap the resource's
//!   own element.
//! - The narrative `div` is carried verbatim (XHTML markup in a JSON string).
//! - Numbers keep their exact text (`1.50`); booleans and numbers become JSON scalars by the
//!   primitive's JSON kind.
//!
//! Reading refuses DOCTYPEs (and so entity declarations: no XXE), reports malformed XML with
//! line and column, rejects unknown elements and attributes with their FHIR location, ignores
//! comments, processing instructions and prefixed foreign attributes (`xsi:schemaLocation`).
//! Literal line breaks and tabs in attribute values are kept (as FHIR tools do; strict XML
//! attribute normalization would turn them into spaces); writing escapes them as character
//! references. The XML element order is not checked on reading.

mod error;
mod events;
mod read;
mod text;
mod write;
mod xhtml;

pub use error::{XmlError, XmlErrorKind};

use serde_json::Value;

/// The FHIR XML of a JSON resource; `pretty` indents it (two spaces, one element per line).
///
/// # Errors
/// [`XmlErrorKind::Structure`] for JSON that is not a FHIR R4 resource (unknown
/// `resourceType` or property, array where the element does not repeat, ...),
/// [`XmlErrorKind::Value`] for a primitive of the wrong JSON kind or a character XML cannot
/// carry, [`XmlErrorKind::Malformed`] for a narrative that is not well-formed XHTML; all with
/// the FHIR location.
pub fn json_to_xml(resource: &Value, pretty: bool) -> Result<String, XmlError> {
    write::Writer::new(crate::model::r4(), pretty).document(resource)
}

/// The JSON form of a FHIR XML resource (UTF-8).
///
/// # Errors
/// [`XmlErrorKind::Malformed`] for input that is not UTF-8 or not well-formed,
/// [`XmlErrorKind::Forbidden`] for a DOCTYPE, [`XmlErrorKind::Structure`] for an unknown or
/// misplaced element or attribute, [`XmlErrorKind::Value`] for a bad boolean or number; with
/// line, column and FHIR location where known.
pub fn xml_to_json(xml: &[u8]) -> Result<Value, XmlError> {
    let input = std::str::from_utf8(xml).map_err(|e| {
        let prefix = std::str::from_utf8(&xml[..e.valid_up_to()]).unwrap_or_default();
        XmlError::new(XmlErrorKind::Malformed, "the document is not UTF-8")
            .pos(prefix, prefix.len())
    })?;
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    read::Reader::new(crate::model::r4(), input).document()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NS: &str = "xmlns=\"http://hl7.org/fhir\"";

    fn round_trip(v: &Value) -> String {
        let xml = json_to_xml(v, false).unwrap();
        assert_eq!(&xml_to_json(xml.as_bytes()).unwrap(), v, "{xml}");
        xml
    }

    fn body(xml: &str) -> &str {
        xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .unwrap()
    }

    fn read_err(xml: &str) -> XmlError {
        xml_to_json(xml.as_bytes()).unwrap_err()
    }

    #[test]
    fn elements_follow_definition_order_and_primitives_use_value_attributes() {
        let p = json!({"resourceType": "Patient", "gender": "male", "id": "p1", "active": true});
        let xml = round_trip(&p);
        assert_eq!(
            body(&xml),
            format!(
                "<Patient {NS}><id value=\"p1\"/><active value=\"true\"/><gender value=\"male\"/></Patient>"
            )
        );
    }

    #[test]
    fn primitive_extensions_and_ids_come_from_the_underscore_companion() {
        let p = json!({"resourceType": "Patient", "birthDate": "1970-03-30",
            "_birthDate": {"id": "b1", "extension": [{"url": "http://x.org/e", "valueString": "y"}]}});
        let xml = round_trip(&p);
        assert!(xml.contains("<birthDate id=\"b1\" value=\"1970-03-30\"><extension url=\"http://x.org/e\"><valueString value=\"y\"/></extension></birthDate>"), "{xml}");
    }

    #[test]
    fn a_primitive_may_have_extensions_and_no_value() {
        let p = json!({"resourceType": "Patient",
            "_birthDate": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]}});
        let xml = round_trip(&p);
        assert!(xml.contains("<birthDate><extension url="), "{xml}");
    }

    #[test]
    fn repeated_primitives_pair_values_and_extensions_with_nulls() {
        let p = json!({"resourceType": "Patient", "name": [{
            "given": ["a", null, "c"],
            "_given": [null, {"id": "g2", "extension": [{"url": "http://x.org/e", "valueBoolean": false}]}, null]}]});
        let xml = round_trip(&p);
        assert!(xml.contains("<given value=\"a\"/><given id=\"g2\"><extension url=\"http://x.org/e\"><valueBoolean value=\"false\"/></extension></given><given value=\"c\"/>"), "{xml}");
        let shorter = json!({"resourceType": "Patient", "name": [{"given": ["a", "b"], "_given": [{"id": "g1"}]}]});
        let back = xml_to_json(json_to_xml(&shorter, false).unwrap().as_bytes()).unwrap();
        assert_eq!(back["name"][0]["_given"], json!([{"id": "g1"}, null]));
    }

    #[test]
    fn element_ids_and_extension_urls_are_attributes() {
        let p = json!({"resourceType": "Patient", "name": [{"id": "n1", "family": "F"}],
            "extension": [{"id": "e1", "url": "http://x.org/e", "valueInteger": 3}]});
        let xml = round_trip(&p);
        assert!(xml.contains("<extension id=\"e1\" url=\"http://x.org/e\"><valueInteger value=\"3\"/></extension>"), "{xml}");
        assert!(
            xml.contains("<name id=\"n1\"><family value=\"F\"/></name>"),
            "{xml}"
        );
    }

    #[test]
    fn the_narrative_div_is_kept_verbatim() {
        let div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">\n  <p class=\"x\">a &lt; b &amp; &#233;<br/></p>\n</div>";
        let p = json!({"resourceType": "Patient", "text": {"status": "generated", "div": div}});
        let xml = round_trip(&p);
        assert!(xml.contains(div), "{xml}");
        let bad = json!({"resourceType": "Patient", "text": {"status": "generated", "div": "<div><p></div>"}});
        assert_eq!(
            json_to_xml(&bad, false).unwrap_err().location.as_deref(),
            Some("Patient.text.div")
        );
    }

    #[test]
    fn contained_and_bundled_resources_are_wrapped() {
        let p = json!({"resourceType": "Patient", "contained": [{"resourceType": "Organization", "id": "o1", "name": "Org"}],
            "managingOrganization": {"reference": "#o1"}});
        let xml = round_trip(&p);
        assert!(xml.contains("<contained><Organization><id value=\"o1\"/><name value=\"Org\"/></Organization></contained>"), "{xml}");
        let b = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:uuid:1", "resource": p}]});
        round_trip(&b);
        let params = json!({"resourceType": "Parameters", "parameter": [{"name": "r", "resource": {"resourceType": "Patient", "id": "x"}}]});
        round_trip(&params);
    }

    #[test]
    fn decimals_keep_their_text_and_kinds_follow_the_model() {
        let o = json!({"resourceType": "Observation", "status": "final", "code": {"text": "w"},
            "valueQuantity": {"value": serde_json::from_str::<Value>("1.50").unwrap(), "unit": "kg"}});
        let xml = round_trip(&o);
        assert!(
            xml.contains(
                "<valueQuantity><value value=\"1.50\"/><unit value=\"kg\"/></valueQuantity>"
            ),
            "{xml}"
        );
        let bad = json!({"resourceType": "Patient", "active": "true"});
        assert_eq!(
            json_to_xml(&bad, false).unwrap_err().kind,
            XmlErrorKind::Value
        );
        let e = read_err(&format!(
            "<Patient {NS}><multipleBirthInteger value=\"01\"/></Patient>"
        ));
        assert_eq!(
            (e.kind, e.location.as_deref()),
            (XmlErrorKind::Value, Some("Patient.multipleBirthInteger"))
        );
    }

    #[test]
    fn text_is_escaped_both_ways() {
        let p = json!({"resourceType": "Patient", "name": [{"text": "a<b & \"c\"\nd\te"}]});
        let xml = round_trip(&p);
        assert!(
            xml.contains("value=\"a&lt;b &amp; &quot;c&quot;&#10;d&#9;e\""),
            "{xml}"
        );
    }

    #[test]
    fn arrays_appear_exactly_where_elements_repeat() {
        let v = xml_to_json(
            format!(
                "<Patient {NS}><name><family value=\"F\"/></name><gender value=\"male\"/></Patient>"
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"resourceType": "Patient", "name": [{"family": "F"}], "gender": "male"})
        );
        let e = read_err(&format!(
            "<Patient {NS}><gender value=\"male\"/><gender value=\"male\"/></Patient>"
        ));
        assert_eq!(
            (e.kind, e.line, e.column),
            (XmlErrorKind::Structure, Some(1), Some(60))
        );
    }

    #[test]
    fn doctypes_and_entities_are_refused() {
        let xxe = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Patient {NS}><id value=\"&x;\"/></Patient>"
        );
        let e = read_err(&xxe);
        assert_eq!((e.kind, e.line), (XmlErrorKind::Forbidden, Some(2)));
        let lower = read_err(&format!("<!doctype Patient><Patient {NS}/>"));
        assert_ne!(lower.kind, XmlErrorKind::Structure, "{lower}");
        assert!(xml_to_json(format!("<!ENTITY x \"y\"><Patient {NS}/>").as_bytes()).is_err());
        let e = read_err(&format!("<Patient {NS}><id value=\"&x;\"/></Patient>"));
        assert_eq!(e.kind, XmlErrorKind::Malformed);
    }

    #[test]
    fn malformed_xml_is_reported_with_line_and_column() {
        let e = read_err(&format!("<Patient {NS}>\n  <id value=\"x\">\n</Patient>"));
        assert_eq!((e.kind, e.line), (XmlErrorKind::Malformed, Some(3)), "{e}");
        let e = read_err(&format!(
            "<Patient {NS}>\n  <active value=\"true\"/>\n  <foo value=\"x\"/>\n</Patient>"
        ));
        assert_eq!(
            (e.kind, e.line, e.column),
            (XmlErrorKind::Structure, Some(3), Some(3))
        );
        assert_eq!(e.location.as_deref(), Some("Patient"));
        assert!(e.to_string().contains("unknown element <foo>"), "{e}");
        assert_eq!(
            xml_to_json(&[0xff, 0xfe]).unwrap_err().kind,
            XmlErrorKind::Malformed
        );
    }

    #[test]
    fn errors_carry_the_fhir_location() {
        let p = json!({"resourceType": "Patient", "name": [{"given": ["a"]}, {"given": ["b"], "foo": 1}]});
        assert_eq!(
            json_to_xml(&p, false).unwrap_err().location.as_deref(),
            Some("Patient.name[1].foo")
        );
        let e = read_err(&format!(
            "<Patient {NS}><name><given value=\"a\" bad=\"1\"/></name></Patient>"
        ));
        assert_eq!(e.location.as_deref(), Some("Patient.name[0].given[0]"));
        assert!(json_to_xml(&json!({"resourceType": "Nope"}), false).is_err());
        assert!(
            json_to_xml(
                &json!({"resourceType": "Patient", "gender": ["male"]}),
                false
            )
            .is_err()
        );
    }

    #[test]
    fn comments_declarations_and_schema_locations_are_ignored() {
        let xml = format!(
            "\u{feff}<?xml version=\"1.0\"?><!-- c --><Patient {NS} xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://hl7.org/fhir patient.xsd\"><!-- c --><id value=\"x\"/></Patient><!-- c -->"
        );
        assert_eq!(
            xml_to_json(xml.as_bytes()).unwrap(),
            json!({"resourceType": "Patient", "id": "x"})
        );
    }

    #[test]
    fn wrong_namespaces_and_roots_are_refused() {
        assert!(xml_to_json(b"<Patient><id value=\"x\"/></Patient>").is_err());
        assert!(xml_to_json(format!("<HumanName {NS}/>").as_bytes()).is_err());
        assert!(
            xml_to_json(
                format!("<Patient {NS}><id value=\"x\"/></Patient><Patient {NS}/>").as_bytes()
            )
            .is_err()
        );
        assert!(xml_to_json(format!("<Patient {NS}>text</Patient>").as_bytes()).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let open = "<extension url=\"u\">".repeat(200);
        let close = "</extension>".repeat(200);
        let e = read_err(&format!("<Patient {NS}>{open}{close}</Patient>"));
        assert_eq!(e.kind, XmlErrorKind::Structure);
    }
}

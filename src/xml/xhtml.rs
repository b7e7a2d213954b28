//! The narrative `div` (<https://hl7.org/fhir/R4/narrative.html#xhtml>): XHTML markup carried
//! verbatim, as a JSON string and as an element of the XML document.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use super::error::{XmlError, XmlErrorKind};
use super::events::{Events, Node, Ns, XHTML_NS, local_name};

/// Reads the `div` whose start tag `ev` just returned and gives its markup exactly as written,
/// adding `xmlns="http://www.w3.org/1999/xhtml"` when the namespace was declared elsewhere.
///
/// # Errors
/// Not a `div` in the XHTML namespace, a prefixed div, malformed markup, or an entity other
/// than the predefined ones and character references.
pub(super) fn read_div(
    ev: &mut Events<'_>,
    tag: &BytesStart<'_>,
    ns: Ns,
    empty: bool,
) -> Result<String, XmlError> {
    if ns != Ns::Xhtml || local_name(tag) != "div" {
        return Err(ev.error(
            XmlErrorKind::Structure,
            format!("the narrative must be a div in the {XHTML_NS} namespace"),
        ));
    }
    capture(ev, tag, empty).map(Cow::into_owned)
}

/// Checks the JSON form of a narrative: a single well-formed XHTML `div` element. Returns it,
/// with the XHTML namespace declaration added when missing.
///
/// # Errors
/// As [`read_div`], plus anything before or after the div other than whitespace and comments.
pub(super) fn check_div(markup: &str) -> Result<Cow<'_, str>, XmlError> {
    let mut ev = Events::new(markup);
    let (tag, ns, empty) = match ev.next()? {
        Node::Start { tag, ns, empty } => (tag, ns, empty),
        _ => {
            return Err(ev.error(
                XmlErrorKind::Malformed,
                "the narrative div is not an XHTML element",
            ));
        }
    };
    let undeclared = ns == Ns::Other && !has_default_ns(&tag);
    if !(ns == Ns::Xhtml || undeclared) || local_name(&tag) != "div" {
        return Err(ev.error(
            XmlErrorKind::Structure,
            format!("the narrative must be a div in the {XHTML_NS} namespace"),
        ));
    }
    let div = capture(&mut ev, &tag, empty)?;
    match ev.next()? {
        Node::Eof => Ok(div),
        _ => Err(ev.error(XmlErrorKind::Malformed, "content after the narrative div")),
    }
}

/// The markup from the start tag `ev` just returned to its end tag.
fn capture<'i>(
    ev: &mut Events<'i>,
    tag: &BytesStart<'_>,
    empty: bool,
) -> Result<Cow<'i, str>, XmlError> {
    if tag.name().prefix().is_some() {
        return Err(ev.error(
            XmlErrorKind::Structure,
            "a prefixed XHTML div is not supported: declare xmlns=\"http://www.w3.org/1999/xhtml\" on the div",
        ));
    }
    let start = ev.last_start();
    let mut depth = usize::from(!empty);
    while depth > 0 {
        match ev.raw()? {
            (_, Event::Start(_)) => depth += 1,
            (_, Event::End(_)) => depth -= 1,
            (_, Event::GeneralRef(r)) => ev.check_reference(&r)?,
            (_, Event::Eof) => {
                return Err(ev.error(XmlErrorKind::Malformed, "unclosed narrative div"));
            }
            _ => {}
        }
    }
    let markup = ev.input().get(start..ev.position()).unwrap_or_default();
    if has_default_ns(tag) {
        return Ok(Cow::Borrowed(markup));
    }
    let rest = markup.strip_prefix("<div").unwrap_or(markup);
    Ok(Cow::Owned(format!("<div xmlns=\"{XHTML_NS}\"{rest}")))
}

/// `true` when the tag declares a default namespace itself.
fn has_default_ns(tag: &BytesStart<'_>) -> bool {
    tag.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == b"xmlns")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIV: &str =
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; b<br/>&#160;</p></div>";

    #[test]
    fn a_json_div_is_kept_verbatim() {
        assert_eq!(check_div(DIV).unwrap(), DIV);
    }

    #[test]
    fn a_missing_namespace_is_added() {
        assert_eq!(
            check_div("<div>x</div>").unwrap(),
            "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"
        );
    }

    #[test]
    fn bad_narratives_are_refused() {
        assert!(check_div("<p xmlns=\"http://www.w3.org/1999/xhtml\">x</p>").is_err());
        assert!(check_div("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</div>").is_err());
        assert!(check_div("<div xmlns=\"http://www.w3.org/1999/xhtml\">&nbsp;</div>").is_err());
        assert!(check_div("<div xmlns=\"http://www.w3.org/1999/xhtml\"/><div/>").is_err());
        assert!(check_div("plain text").is_err());
    }
}

//! The XML event stream as the FHIR reader needs it: declarations, comments and processing
//! instructions skipped, whitespace between elements skipped, DTDs refused, namespaces resolved,
//! and every error positioned.

use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::error::{XmlError, XmlErrorKind};

/// The FHIR namespace.
pub(super) const FHIR_NS: &str = "http://hl7.org/fhir";
/// The XHTML namespace of the narrative.
pub(super) const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The namespace an element is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Fhir,
    Xhtml,
    Other,
}

/// An element-level event.
pub(super) enum Node<'i> {
    /// A start tag; `empty` for `<x/>`.
    Start {
        tag: BytesStart<'i>,
        ns: Ns,
        empty: bool,
    },
    /// An end tag.
    End,
    /// End of input.
    Eof,
}

/// Reader over a UTF-8 document held in memory.
pub(super) struct Events<'i> {
    reader: NsReader<&'i [u8]>,
    input: &'i str,
    /// Byte offset where the last returned event starts.
    last_start: usize,
}

impl<'i> Events<'i> {
    pub fn new(input: &'i str) -> Self {
        let mut reader = NsReader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        Events {
            reader,
            input,
            last_start: 0,
        }
    }

    /// The document.
    pub fn input(&self) -> &'i str {
        self.input
    }

    /// Byte offset of the start of the last event returned.
    pub fn last_start(&self) -> usize {
        self.last_start
    }

    /// Byte offset just after the last event read.
    pub fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    /// An error positioned at the start of the last event.
    pub fn error(&self, kind: XmlErrorKind, message: impl Into<String>) -> XmlError {
        XmlError::new(kind, message).pos(self.input, self.last_start)
    }

    /// The next start tag, end tag or end of input. Text other than whitespace is an error
    /// (FHIR elements have no text content), and so is a DOCTYPE.
    pub fn next(&mut self) -> Result<Node<'i>, XmlError> {
        loop {
            match self.raw()? {
                (_, Event::Start(tag)) => return Ok(self.start(tag, false)),
                (_, Event::Empty(tag)) => return Ok(self.start(tag, true)),
                (_, Event::End(_)) => return Ok(Node::End),
                (_, Event::Eof) => return Ok(Node::Eof),
                (_, Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
                (_, Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                    return Err(
                        self.error(XmlErrorKind::Structure, "text content is not allowed here")
                    );
                }
                // A DOCTYPE never gets here: `raw` refuses it.
                (_, Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_)) => {}
            }
        }
    }

    /// The next raw event with the namespace of start tags resolved; DOCTYPE refused.
    pub fn raw(&mut self) -> Result<(Ns, Event<'i>), XmlError> {
        self.last_start = self.position();
        match self.reader.read_resolved_event() {
            Ok((_, Event::DocType(_))) => Err(self.error(
                XmlErrorKind::Forbidden,
                "DOCTYPE and entity declarations are not allowed (XXE protection)",
            )),
            Ok((ns, event)) => Ok((classify(&ns), event)),
            Err(e) => {
                let at = usize::try_from(self.reader.error_position()).unwrap_or(self.last_start);
                Err(
                    XmlError::new(XmlErrorKind::Malformed, format!("malformed XML: {e}"))
                        .pos(self.input, at),
                )
            }
        }
    }

    fn start(&self, tag: BytesStart<'i>, empty: bool) -> Node<'i> {
        let (ns, _) = self.reader.resolve_element(tag.name());
        Node::Start {
            ns: classify(&ns),
            tag,
            empty,
        }
    }

    /// Checks that an entity reference met in XHTML is a character reference or one of the
    /// five predefined entities (XML without a DTD knows no other).
    pub fn check_reference(&self, r: &BytesRef<'_>) -> Result<(), XmlError> {
        let known = match r.resolve_char_ref() {
            Ok(Some(_)) => true,
            Ok(None) => matches!(&r[..], b"lt" | b"gt" | b"amp" | b"apos" | b"quot"),
            Err(_) => false,
        };
        if known {
            return Ok(());
        }
        let name = String::from_utf8_lossy(&r[..]).into_owned();
        Err(self.error(
            XmlErrorKind::Malformed,
            format!("undeclared entity &{name};"),
        ))
    }
}

fn classify(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == FHIR_NS.as_bytes() => Ns::Fhir,
        ResolveResult::Bound(n) if n.as_ref() == XHTML_NS.as_bytes() => Ns::Xhtml,
        _ => Ns::Other,
    }
}

/// The local name of a tag as text (input is UTF-8, so this only fails on a malformed name).
pub(super) fn local_name<'a>(tag: &'a BytesStart<'_>) -> &'a str {
    std::str::from_utf8(tag.local_name().into_inner()).unwrap_or("")
}

//! XML text handling: escaping for output, line-end normalization and unescaping of attribute
//! values for input.

use std::borrow::Cow;

use super::error::{XmlError, XmlErrorKind};

/// `true` for characters XML 1.0 can carry (<https://www.w3.org/TR/xml/#charsets>).
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for a double-quoted attribute value. Tabs and line breaks become character
/// references so that they survive attribute-value normalization.
///
/// # Errors
/// When `s` holds a character XML 1.0 cannot represent (e.g. U+0001).
pub(super) fn escape_attr(s: &str) -> Result<Cow<'_, str>, XmlError> {
    if let Some(c) = s.chars().find(|c| !is_xml_char(*c)) {
        return Err(XmlError::new(
            XmlErrorKind::Value,
            format!("character U+{:04X} cannot be written in XML", c as u32),
        ));
    }
    if !s.contains(['&', '<', '>', '"', '\t', '\n', '\r']) {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

/// The value of an attribute: line ends normalized to LF
/// (<https://www.w3.org/TR/xml/#sec-line-ends>), then character and predefined entity
/// references resolved.
///
/// Literal tabs and line breaks are kept rather than turned into spaces as strict
/// attribute-value normalization (<https://www.w3.org/TR/xml/#AVNormalize>) would: FHIR tools
/// keep them (the official R4 JSON examples carry the line breaks of the XML ones, e.g. in
/// `CodeSystem.description`), and markdown depends on them.
///
/// # Errors
/// An unknown entity or malformed reference.
pub(super) fn attr_value(raw: &str) -> Result<String, String> {
    let normalized: Cow<'_, str> = if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    };
    match quick_xml::escape::unescape(&normalized) {
        Ok(v) => Ok(v.into_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Output buffer with optional indentation (two spaces per level, one tag per line).
pub(super) struct Out {
    buf: String,
    pretty: bool,
    depth: usize,
}

impl Out {
    /// A buffer starting with the XML declaration.
    pub fn new(pretty: bool) -> Self {
        let mut buf = String::with_capacity(4096);
        buf.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        if pretty {
            buf.push('\n');
        }
        Out {
            buf,
            pretty,
            depth: 0,
        }
    }

    /// Writes `<name a="v" ...>` (or `.../>` when `empty`); values are escaped.
    pub fn start(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        empty: bool,
    ) -> Result<(), XmlError> {
        self.indent();
        self.buf.push('<');
        self.buf.push_str(name);
        for (k, v) in attrs {
            self.buf.push(' ');
            self.buf.push_str(k);
            self.buf.push_str("=\"");
            self.buf.push_str(&escape_attr(v)?);
            self.buf.push('"');
        }
        self.buf.push_str(if empty { "/>" } else { ">" });
        self.newline();
        if !empty {
            self.depth += 1;
        }
        Ok(())
    }

    /// Writes `</name>`.
    pub fn end(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self.newline();
    }

    /// Writes already well-formed markup as is (the narrative `div`).
    pub fn raw(&mut self, markup: &str) {
        self.indent();
        self.buf.push_str(markup);
        self.newline();
    }

    /// The document.
    pub fn finish(self) -> String {
        self.buf
    }

    fn indent(&mut self) {
        if self.pretty {
            self.buf.extend(std::iter::repeat_n("  ", self.depth));
        }
    }

    fn newline(&mut self) {
        if self.pretty {
            self.buf.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_escape_markup_quotes_and_line_breaks() {
        assert_eq!(
            escape_attr("a<b>&\"c\"").unwrap(),
            "a&lt;b&gt;&amp;&quot;c&quot;"
        );
        assert_eq!(escape_attr("l1\nl2\tx\r").unwrap(), "l1&#10;l2&#9;x&#13;");
        assert_eq!(escape_attr("it's é").unwrap(), "it's é");
        assert!(escape_attr("bell\u{7}").is_err());
    }

    #[test]
    fn attribute_values_keep_line_breaks_and_are_unescaped() {
        assert_eq!(attr_value("a\r\nb\tc\rd\n").unwrap(), "a\nb\tc\nd\n");
        assert_eq!(attr_value("a&#10;b&amp;&lt;&#x41;").unwrap(), "a\nb&<A");
        assert!(attr_value("&nbsp;").is_err());
    }

    #[test]
    fn pretty_output_indents_one_tag_per_line() {
        let mut out = Out::new(true);
        out.start("a", &[("x", "1")], false).unwrap();
        out.start("b", &[], true).unwrap();
        out.end("a");
        assert_eq!(
            out.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1\">\n  <b/>\n</a>\n"
        );
    }
}

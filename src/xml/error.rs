//! [`XmlError`] and the FHIR-style location it carries.

use std::fmt;

/// What kind of problem an [`XmlError`] reports, for mapping to an OperationOutcome issue code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// Not well-formed XML, not UTF-8, or XHTML that does not parse (issue code `structure`).
    Malformed,
    /// A DOCTYPE or entity declaration, refused to prevent XXE (issue code `security`).
    Forbidden,
    /// Valid XML or JSON that is not a FHIR resource: unknown element or property, wrong
    /// namespace, repeated element that does not repeat, ... (issue code `structure`).
    Structure,
    /// A primitive value of the wrong kind: `value="abc"` for an integer, a JSON string for a
    /// boolean (issue code `value`).
    Value,
}

/// A conversion failure, with the position in the XML input (1-based line and column, in
/// characters) when reading XML, and the FHIR path of the offending element when known
/// (`Patient.name[0].given[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// What went wrong.
    pub kind: XmlErrorKind,
    /// Human-readable description.
    pub message: String,
    /// Line in the XML input.
    pub line: Option<u64>,
    /// Column in the XML input.
    pub column: Option<u64>,
    /// FHIR path of the element concerned.
    pub location: Option<String>,
}

impl XmlError {
    /// An error without position or location.
    pub fn new(kind: XmlErrorKind, message: impl Into<String>) -> Self {
        XmlError {
            kind,
            message: message.into(),
            line: None,
            column: None,
            location: None,
        }
    }

    /// Sets the FHIR location.
    pub(crate) fn at(mut self, loc: &Loc<'_>) -> Self {
        self.location = Some(loc.render());
        self
    }

    /// Sets line and column from a byte offset into `input`.
    pub(crate) fn pos(mut self, input: &str, offset: usize) -> Self {
        let (line, column) = line_column(input, offset);
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for XmlError {}

/// 1-based line and column (in characters) of byte `offset` of `input`.
fn line_column(input: &str, offset: usize) -> (u64, u64) {
    let mut end = offset.min(input.len());
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let before = &input[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u64, column as u64)
}

/// A FHIR path under construction, as a chain of borrowed segments (cheap to extend; rendered
/// only when an error is reported).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loc<'a> {
    parent: Option<&'a Loc<'a>>,
    name: &'a str,
    index: Option<usize>,
}

impl<'a> Loc<'a> {
    /// The root: a resource type.
    pub fn root(name: &'a str) -> Self {
        Loc {
            parent: None,
            name,
            index: None,
        }
    }

    /// A child element, with its index when it repeats.
    pub fn child(&'a self, name: &'a str, index: Option<usize>) -> Loc<'a> {
        Loc {
            parent: Some(self),
            name,
            index,
        }
    }

    /// `Patient.name[0].given[1]`.
    pub fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut current = Some(self);
        while let Some(loc) = current {
            segments.push(match loc.index {
                Some(i) => format!("{}[{i}]", loc.name),
                None => loc.name.to_owned(),
            });
            current = loc.parent;
        }
        segments.reverse();
        segments.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_render_as_fhir_paths() {
        let root = Loc::root("Patient");
        let name = root.child("name", Some(0));
        assert_eq!(
            name.child("given", Some(1)).render(),
            "Patient.name[0].given[1]"
        );
        assert_eq!(root.child("birthDate", None).render(), "Patient.birthDate");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncdé\nf", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé\nf", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé\nf", 8), (3, 1));
        assert_eq!(line_column("ab\ncdé\nf", 7), (2, 4));
    }

    #[test]
    fn display_includes_location_and_position() {
        let e = XmlError::new(XmlErrorKind::Structure, "unknown element foo")
            .at(&Loc::root("Patient"))
            .pos("x\ny", 2);
        assert_eq!(
            e.to_string(),
            "unknown element foo at Patient (line 2, column 1)"
        );
    }
}

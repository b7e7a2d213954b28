//! Reads `tests-fhir-r4.xml` (schema: `testSchema.xsd` of the suite) with quick-xml.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// One expected output value.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedOutput {
    /// The `type` attribute (`boolean`, `date`, `Quantity`, …), if any.
    pub kind: Option<String>,
    /// The text as written (`@` prefix on dates, `1 '1'` for quantities).
    pub text: String,
}

/// One `<test>` of the suite.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuiteTest {
    /// Name of the enclosing `<group>`.
    pub group: String,
    /// The `name` attribute.
    pub name: String,
    /// The `inputfile` attribute.
    pub input_file: Option<String>,
    /// The expression text.
    pub expression: String,
    /// `invalid="syntax|semantic|execution"`: an error is expected.
    pub invalid: Option<String>,
    /// `predicate="true"`: the result is converted to a boolean.
    pub predicate: bool,
    /// `mode="strict"` on the test or the expression.
    pub strict: bool,
    /// `ordered="false"`: outputs may come in any order.
    pub unordered: bool,
    /// Expected outputs, in order.
    pub outputs: Vec<ExpectedOutput>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Which element's text is being collected.
enum Target {
    None,
    Expression,
    Output,
}

/// Parses the suite XML into tests; `Err` with a message for malformed XML.
pub fn parse_suite(xml: &str) -> Result<Vec<SuiteTest>, String> {
    let mut reader = Reader::from_str(xml);
    let mut tests = Vec::new();
    let mut group = String::new();
    let mut current: Option<SuiteTest> = None;
    let mut target = Target::None;
    let mut text = String::new();
    loop {
        let event = reader.read_event().map_err(|e| format!("XML error: {e}"))?;
        match event {
            Event::Eof => return Ok(tests),
            Event::Start(e) | Event::Empty(e) => {
                start_element(&e, &mut group, &mut current, &mut target);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml_content().map_err(|e| e.to_string())?),
            Event::CData(t) => text.push_str(&t.decode().map_err(|e| e.to_string())?),
            Event::GeneralRef(r) => text.push_str(&entity(&r)?),
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                end_element(&name, &mut current, &mut target, &mut text, &mut tests);
            }
            _ => {}
        }
    }
}

fn entity(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    Ok(match &*name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(format!("unknown entity &{other};")),
    }
    .to_owned())
}

fn start_element(
    e: &BytesStart<'_>,
    group: &mut String,
    current: &mut Option<SuiteTest>,
    target: &mut Target,
) {
    match e.name().as_ref() {
        b"group" => *group = attr(e, "name").unwrap_or_default(),
        b"test" => {
            *current = Some(SuiteTest {
                group: group.clone(),
                name: attr(e, "name").unwrap_or_default(),
                input_file: attr(e, "inputfile"),
                predicate: attr(e, "predicate").as_deref() == Some("true"),
                strict: attr(e, "mode").as_deref() == Some("strict"),
                unordered: attr(e, "ordered").as_deref() == Some("false"),
                ..SuiteTest::default()
            });
        }
        b"expression" => {
            if let Some(test) = current.as_mut() {
                test.invalid = attr(e, "invalid");
                test.strict |= attr(e, "mode").as_deref() == Some("strict");
            }
            *target = Target::Expression;
        }
        b"output" => {
            if let Some(test) = current.as_mut() {
                test.outputs.push(ExpectedOutput {
                    kind: attr(e, "type"),
                    text: String::new(),
                });
            }
            *target = Target::Output;
        }
        _ => {}
    }
}

fn end_element(
    name: &str,
    current: &mut Option<SuiteTest>,
    target: &mut Target,
    text: &mut String,
    tests: &mut Vec<SuiteTest>,
) {
    match (name, current.as_mut()) {
        ("expression", Some(test)) if matches!(target, Target::Expression) => {
            test.expression = std::mem::take(text);
        }
        ("output", Some(test)) if matches!(target, Target::Output) => {
            if let Some(out) = test.outputs.last_mut() {
                out.text = std::mem::take(text);
            }
        }
        ("test", Some(_)) => tests.extend(current.take()),
        _ => {}
    }
    *target = Target::None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tests_outputs_and_entities() {
        let xml = r#"<tests><group name="g"><test name="t" inputfile="p.xml" predicate="true">
            <expression invalid="semantic">1 &lt; 2</expression><output type="boolean">true</output></test>
            <test name="u"><expression mode="strict">a</expression></test></group></tests>"#;
        let tests = parse_suite(xml).unwrap();
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[0].expression, "1 < 2");
        assert_eq!(tests[0].invalid.as_deref(), Some("semantic"));
        assert!(tests[0].predicate);
        assert_eq!(tests[0].outputs[0].text, "true");
        assert!(tests[1].strict);
        assert!(parse_suite("<a><b></a>").is_err());
    }
}

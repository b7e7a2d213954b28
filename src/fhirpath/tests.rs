//! End-to-end unit tests of the engine (pure, no model).

use super::*;
use serde_json::json;

fn eval_strings(src: &str, root: &Value) -> Vec<String> {
    let expr = compile(src).unwrap();
    let ctx = Context::default();
    evaluate(&expr, root, &ctx)
        .unwrap()
        .iter()
        .map(|i| match i.value() {
            Some(SystemValue::String(s)) => s.into_owned(),
            Some(SystemValue::Boolean(b)) => b.to_string(),
            Some(SystemValue::Integer(n)) => n.to_string(),
            Some(SystemValue::Decimal(d)) => d.to_string(),
            Some(other) => format!("{other:?}"),
            None => "<node>".to_owned(),
        })
        .collect()
}

fn patient() -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [
            {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "123"},
            {"system": "other", "value": "456"}
        ],
        "birthDate": "1974-12-25",
        "_birthDate": {"extension": [{"url": "http://x", "valueString": "t"}]},
        "deceasedBoolean": false,
        "name": [{"given": ["Peter", "James"], "family": "Chalmers"}]
    })
}

#[test]
fn navigates_and_filters() {
    let p = patient();
    assert_eq!(
        eval_strings(
            "Patient.identifier.where(system='urn:oid:1.2.250.1.213.1.4.8').value",
            &p
        ),
        ["123"]
    );
    assert_eq!(eval_strings("name.given", &p), ["Peter", "James"]);
    assert_eq!(
        eval_strings("Patient.birthDate.extension.url", &p),
        ["http://x"]
    );
    assert_eq!(eval_strings("Patient.deceased", &p), ["false"]);
    assert_eq!(eval_strings("Observation.id", &p), Vec::<String>::new());
}

#[test]
fn computes_values() {
    let p = Value::Null;
    assert_eq!(eval_strings("1 + 2 * 3", &p), ["7"]);
    assert_eq!(eval_strings("(1.2 / 1.8).round(2)", &p), ["0.67"]);
    assert_eq!(eval_strings("'abc'.upper() & 'd'", &p), ["ABCd"]);
    assert_eq!(eval_strings("(1 | 2 | 2).count()", &p), ["2"]);
    assert_eq!(eval_strings("@2015-01-01 < @2016", &p), ["true"]);
    assert_eq!(eval_strings("{} and true", &p), Vec::<String>::new());
}

#[test]
fn collections_report_types_for_indexers() {
    let p = patient();
    let expr = compile("Patient.name").unwrap();
    let ctx = Context::default();
    let out = evaluate(&expr, &p, &ctx).unwrap();
    assert_eq!(out.len(), 1);
    assert!(out.items()[0].json().is_some());
}

#[test]
fn garbage_never_panics() {
    let p = patient();
    let ctx = Context::default();
    let pieces = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ".",
        ",",
        "'",
        "`",
        "@",
        "%",
        "$",
        "-",
        "+",
        "*",
        "/",
        "|",
        "=",
        "!",
        "~",
        "<",
        ">",
        "a",
        "Patient",
        "name",
        "where(",
        "1",
        "1.5",
        "'x'",
        "@2015",
        "@T12",
        "true",
        "is",
        "as",
        "and",
        "div",
        "0",
        "ofType(",
        "iif(",
        "repeat(",
        "$this",
        "$total",
        "%resource",
        "descendants()",
        "'\\u00",
        "/*",
        "//",
        "mod",
        " ",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..20_000u64 {
        let mut src = String::new();
        for _ in 0..(round % 9) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            src.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        if let Ok(expr) = compile(&src) {
            let _ = evaluate(&expr, &p, &ctx);
        }
    }
    for bad in [
        "\u{0}",
        "é.ü",
        "'\u{1F525}'.matches('\u{1F525}+')",
        "1.5e5",
        "@2015-02-30",
        "9999999999999999999999",
    ] {
        if let Ok(expr) = compile(bad) {
            let _ = evaluate(&expr, &p, &ctx);
        }
    }
}

#[test]
fn garbage_data_never_panics() {
    let ctx = Context::default();
    let data = [
        json!(null),
        json!(1),
        json!("x"),
        json!([1, [2, {"a": null}]]),
        json!({"resourceType": 5, "_a": [null, 1], "a": "b", "valueQuantity": {"value": "x"}}),
    ];
    let exprs = [
        "a",
        "value",
        "descendants()",
        "children().toString()",
        "a.extension",
        "value + 1",
        "%resource.a",
        "resolve()",
    ];
    for root in &data {
        for src in exprs {
            let expr = compile(src).unwrap();
            let _ = evaluate(&expr, root, &ctx);
        }
    }
}

struct Store(Value);

impl ReferenceResolver for Store {
    fn resolve(&self, reference: &str) -> Option<&Value> {
        (reference == "Practitioner/9").then_some(&self.0)
    }
}

struct Vs;

impl Terminology for Vs {
    fn member_of(&self, value: &Value, _: Option<&str>, value_set: &str) -> Option<bool> {
        Some(value_set.ends_with("gender") && value == "female")
    }
}

struct Collect(std::sync::Mutex<Vec<String>>);

impl TraceSink for Collect {
    fn trace(&self, name: &str, items: &[Item<'_>]) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{name}:{}", items.len()));
    }
}

fn run(src: &str, root: &Value, ctx: &Context<'_>) -> Vec<String> {
    let expr = compile(src).unwrap();
    evaluate(&expr, root, ctx)
        .unwrap()
        .iter()
        .map(|i| {
            i.as_str()
                .map_or_else(|| format!("{:?}", i.value()), str::to_owned)
        })
        .collect()
}

#[test]
fn resolve_uses_contained_bundle_hook_and_type_stub() {
    let obs = json!({
        "resourceType": "Observation",
        "contained": [{"resourceType": "Device", "id": "d1", "modelNumber": "X"}],
        "device": {"reference": "#d1"},
        "performer": [{"reference": "Practitioner/9"}, {"reference": "Patient/1"}]
    });
    let store = Store(json!({"resourceType": "Practitioner", "id": "9", "gender": "female"}));
    let ctx = Context::default().with_resolver(&store);
    assert_eq!(run("device.resolve().modelNumber", &obs, &ctx), ["X"]);
    assert_eq!(run("performer.resolve().gender", &obs, &ctx), ["female"]);
    assert_eq!(
        run(
            "performer.where(resolve() is Patient).reference",
            &obs,
            &ctx
        ),
        ["Patient/1"]
    );
}

#[test]
fn hooks_and_variables_are_consulted() {
    let p = json!({"resourceType": "Patient", "gender": "female"});
    let vs = Vs;
    let sink = Collect(std::sync::Mutex::new(Vec::new()));
    let ctx = Context::default()
        .with_terminology(&vs)
        .with_tracer(&sink)
        .with_variable("greeting", json!("hi"));
    assert_eq!(
        run("gender.memberOf(%`vs-administrative-gender`)", &p, &ctx),
        ["Some(Boolean(true))"]
    );
    assert_eq!(run("%greeting & '!'", &p, &ctx), ["hi!"]);
    assert_eq!(
        run("gender.trace('g').count()", &p, &ctx),
        ["Some(Integer(1))"]
    );
    assert_eq!(sink.0.lock().unwrap().as_slice(), ["g:1"]);
    let expr = compile("%undefined").unwrap();
    assert!(matches!(
        evaluate(&expr, &p, &ctx),
        Err(FhirPathError::Semantic(_))
    ));
}

#[test]
fn conforms_to_without_validator_is_empty() {
    let p = json!({"resourceType": "Patient"});
    assert!(
        run(
            "conformsTo('http://hl7.org/fhir/StructureDefinition/Patient')",
            &p,
            &Context::default()
        )
        .is_empty()
    );
}

#[test]
fn fixed_clock_drives_now_and_today() {
    let now = DateTime::parse_datetime("2024-02-29T10:00:00.000Z").unwrap();
    let ctx = Context::default().with_now(now);
    assert_eq!(
        run("today().toString()", &Value::Null, &ctx),
        ["2024-02-29"]
    );
    assert_eq!(
        run("(today() + 1 year).toString()", &Value::Null, &ctx),
        ["2025-02-28"]
    );
}

#[test]
fn compiled_expressions_and_contexts_are_shareable() {
    fn assert_traits<T: Send + Sync + Clone>() {}
    assert_traits::<Expr>();
    assert_traits::<Context<'static>>();
    let expr = compile("name.given.first()").unwrap();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let expr = expr.clone();
            std::thread::spawn(move || {
                let p = json!({"name": [{"given": ["A"]}]});
                evaluate(&expr, &p, &Context::default()).unwrap().len()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 1);
    }
}

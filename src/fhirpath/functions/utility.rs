//! Utility functions (<https://hl7.org/fhirpath/N1/#utility-functions>).

use super::{Inv, Spec, spec, string_arg};
use crate::fhirpath::datetime::{DateTime, Precision};
use crate::fhirpath::error::Result;
use crate::fhirpath::item::{Item, SystemValue};

pub(crate) const SPECS: &[Spec] = &[
    spec("trace", 1, 2, trace),
    spec("now", 0, 0, now),
    spec("today", 0, 0, today),
    spec("timeOfDay", 0, 0, time_of_day),
];

/// Passes the input through, reporting it (or a projection) to the trace sink.
fn trace<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let name = string_arg(inv.env, &inv.arg(0)?, "trace name")?.unwrap_or_default();
    if let Some(sink) = inv.env.ctx.tracer {
        if inv.arg_ast(1).is_some() {
            let mut projected = Vec::new();
            for (i, item) in inv.input.iter().enumerate() {
                projected.extend(inv.lambda(1, item, i)?);
            }
            sink.trace(&name, &projected);
        } else {
            sink.trace(&name, &inv.input);
        }
    }
    Ok(inv.input.to_vec())
}

fn now<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(vec![Item::System(SystemValue::DateTime(inv.env.now()))])
}

fn today<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let now = inv.env.now();
    let date = DateTime {
        precision: Precision::Day,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        tz_minutes: None,
        ..now
    };
    Ok(vec![Item::System(SystemValue::Date(date))])
}

fn time_of_day<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    Ok(inv
        .env
        .now()
        .time()
        .map(|t| Item::System(SystemValue::Time(t)))
        .into_iter()
        .collect())
}

//! Temporary stand-in for the shared value normalisation (replaced by the full module).

use crate::fhir::Instant;

/// Case- and accent-insensitive normal form (stand-in: lowercase only).
pub fn normalize_string(s: &str) -> String {
    s.to_lowercase()
}

/// The instant range a date text covers (stand-in: a point).
pub fn date_range(text: &str) -> Option<(i64, i64)> {
    Instant::parse_fhir(text).ok().map(|i| (i.0, i.0))
}

/// The implicit range of a decimal text (stand-in: a point).
pub fn number_range(text: &str) -> Option<(f64, f64, f64)> {
    text.parse::<f64>().ok().map(|v| (v, v, v))
}

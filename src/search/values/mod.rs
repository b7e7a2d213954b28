//! Value normal forms shared by index extraction (write time) and query parsing (read time),
//! so that both sides compare like with like (<https://hl7.org/fhir/R4/search.html>).
//!
//! * [`normalize_string`]: case- and accent-insensitive form of string search.
//! * [`date_range`]: the instant range a date/dateTime/instant text covers by its precision.
//! * [`number_range`]: the implicit range of a decimal text by its precision.

mod date;
mod number;
mod string;

pub use date::date_range;
pub use number::number_range;
pub use string::normalize_string;

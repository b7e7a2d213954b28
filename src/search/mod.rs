//! FHIR search (https://hl7.org/fhir/R4/search.html): index rows extracted at write time ([`index`]), value
//! normalisation shared by writes and queries ([`values`]), query parsing ([`query`]) and its compilation to
//! SQL run by the store ([`sql`]).

pub mod index;
pub mod values;

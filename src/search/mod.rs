//! FHIR search (https://hl7.org/fhir/R4/search.html): index rows extracted at write time ([`index`]), value
//! normalisation shared by writes and queries ([`values`]), query parsing ([`query`], [`chain`]), and its
//! compilation to SQL ([`compile`], [`predicate`], [`page`], with the requester's visibility from [`access`]) that the store runs; [`shape`] applies
//! `_summary`/`_elements`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access;
pub mod chain;
pub mod compile;
pub mod include;
pub mod index;
pub mod page;
pub mod predicate;
pub mod query;
pub mod registry;
pub mod shape;
pub mod trail;
pub mod values;

pub use index::{Extractor, IndexRow, IndexValue, ParamInfo, ParamKind};
pub use values::{date_range, normalize_string, number_range};

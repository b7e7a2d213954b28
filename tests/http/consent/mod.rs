//! The DMP consent engine over HTTP: one test per rule (each fails if the rule is removed), with
//! tokens for the personas of access-rules.md, on every read path.

mod auth;
pub(crate) mod population;
mod properties;
mod reads;
mod trail;
mod trail_search;
mod writes;

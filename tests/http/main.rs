//! Black-box behaviour tests over the real app on a real database, driven over HTTP.
//! SQLite by default; set `CARNET_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres` to run the same
//! suite on PostgreSQL (each test gets a fresh database).

mod batch;
mod capabilities;
mod common;
mod conditional;
mod consent;
mod create;
mod delete;
mod demo;
mod dmp_validation;
mod errors;
mod formats;
mod history;
mod mhd;
mod mhd_search;
mod patch;
mod prefer;
mod read;
mod runner;
mod sdk_client;
mod search;
mod search_parameters;
mod stories;
mod transaction;
mod update;
mod validate;

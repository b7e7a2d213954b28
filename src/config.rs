//! The only place that reads command-line flags and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use crate::interaction::validation::{Mode, UnknownProfile};

/// Carnet: an HL7 FHIR R4 server for the French Dossier Médical Partagé.
#[derive(Debug, Parser)]
#[command(name = "carnet", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the FHIR server.
    Serve(ServeConfig),
    /// Validate resource files offline against base R4 and profiles; exit 1 when any has errors.
    Validate(ValidateArgs),
    /// Conformance: run TestScripts against a live server.
    #[command(subcommand)]
    Conformance(ConformanceCommand),
    /// Mint a development bearer token with the keys of `--dev-keys DIR` (printed alone on stdout).
    Token(crate::auth::TokenArgs),
    /// Benchmark a fresh server (or `--base-url`) on read, create, update, transaction… workloads.
    Bench(crate::bench::BenchArgs),
    /// Regenerate the committed R4 tables (`src/model/tables`) from the official definitions.
    GenerateModel {
        /// Folder with profiles-resources.json.gz, profiles-types.json, search-parameters.json, valuesets.json.gz.
        #[arg(long)]
        definitions: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "src/model/tables")]
        out: PathBuf,
    },
}

/// `carnet conformance …`.
#[derive(Debug, Subcommand)]
pub enum ConformanceCommand {
    /// Execute R4 TestScripts (JSON or XML files or folders); writes TestReports; exit 1 on a failure.
    Run(crate::conformance::RunArgs),
}

/// `carnet serve` settings.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Public base URL of the FHIR endpoint (default `http://<listen>/fhir`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Database URL: `sqlite://path` (default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "CARNET_DATABASE_URL",
        default_value = "sqlite://./carnet-data/carnet.db"
    )]
    pub database: String,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Load the demo record from this folder of Bundles when the database is empty.
    #[arg(long)]
    pub demo: Option<PathBuf>,
    /// Whether profile errors block writes (`strict`), are answered as warnings (`warn`), or profiles are
    /// not checked (`off`); base R4 errors always block.
    #[arg(long, value_enum, default_value_t = Mode::Strict)]
    pub validation: Mode,
    /// Whether a profile in `meta.profile` that the server does not know is an `error` (default: like any
    /// profile error, it blocks the write in strict mode) or a `warning` (not checked).
    #[arg(long, value_enum, default_value_t = UnknownProfile::Error)]
    pub unknown_profile: UnknownProfile,
    /// A FHIR NPM package (`.tgz` or folder) whose profiles, value sets and code systems apply, with its
    /// dependencies: among the other `--package`s, else in `$FHIR_PACKAGE_CACHE` or `~/.fhir/packages` (repeatable).
    #[arg(long = "package")]
    pub packages: Vec<PathBuf>,
    /// Trust the development key pair in DIR (created on first use), as `carnet token --dev-keys DIR` mints.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["jwks", "no_auth"])]
    pub dev_keys: Option<PathBuf>,
    /// Trust the keys of this JWKS (a file, or an http(s) URL fetched at start).
    #[arg(
        long,
        value_name = "FILE|URL",
        env = "CARNET_JWKS",
        conflicts_with = "no_auth"
    )]
    pub jwks: Option<String>,
    /// Expected `iss` of tokens checked against `--jwks`.
    #[arg(long, env = "CARNET_JWT_ISSUER", default_value = "carnet-dev")]
    pub jwt_issuer: String,
    /// Expected `aud` of tokens checked against `--jwks`.
    #[arg(long, env = "CARNET_JWT_AUDIENCE", default_value = "carnet")]
    pub jwt_audience: String,
    /// No authentication at all: every request acts as an administrator (local experiments only).
    #[arg(long)]
    pub no_auth: bool,
    /// No access trail (to measure its cost; a DMP always runs with it).
    #[arg(long)]
    pub no_audit: bool,
}

/// `carnet validate` settings.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Resource files (JSON or XML).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Validate against this profile too (repeatable).
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// A FHIR NPM package (`.tgz` or folder), with its dependencies as for `serve` (repeatable).
    #[arg(long = "package")]
    pub packages: Vec<PathBuf>,
    /// Whether a profile in `meta.profile` that is not known is an `error` (default) or a `warning`.
    #[arg(long, value_enum, default_value_t = UnknownProfile::Error)]
    pub unknown_profile: UnknownProfile,
    /// `text` (default) or `json`: one OperationOutcome per file, one per line, in the order given.
    #[arg(long, default_value = "text")]
    pub output: String,
    /// Benchmark: validate each file this many times and print validations per second (to
    /// stderr with `--output json`).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub repeat: u32,
}

impl ServeConfig {
    /// The public base URL, without trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}/fhir", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The path part of the base URL (`/fhir`), where the routes are mounted.
    pub fn base_path(&self) -> String {
        let url = self.base_url();
        let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        after_scheme
            .find('/')
            .map_or(String::new(), |i| after_scheme[i..].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_listen_address() {
        let cli = Cli::parse_from(["carnet", "serve"]);
        let Command::Serve(c) = cli.command else {
            panic!("serve")
        };
        assert_eq!(c.base_url(), "http://127.0.0.1:8080/fhir");
        assert_eq!(c.base_path(), "/fhir");
        let cli = Cli::parse_from([
            "carnet",
            "serve",
            "--base-url",
            "https://dmp.example/api/fhir/",
        ]);
        let Command::Serve(c) = cli.command else {
            panic!("serve")
        };
        assert_eq!(c.base_path(), "/api/fhir");
    }
}

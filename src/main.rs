//! `carnet` binary: parse the CLI, connect the store, serve the app.

use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use carnet::config::{Cli, Command, ConformanceCommand, ServeConfig};
use carnet::interaction::{Context, Options};
use carnet::store::Store;
use carnet::{ApiConfig, AuthMode, app};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    carnet::tls::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(config) => serve(config).await,
        Command::Validate(args) => return carnet::commands::validate(&args),
        Command::Bench(args) => return carnet::bench::main(&args).await,
        Command::Token(args) => match carnet::auth::run_token(&args) {
            Ok(token) => {
                println!("{token}");
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        },
        Command::Conformance(ConformanceCommand::Run(args)) => {
            return carnet::conformance::main(&args).await;
        }
        Command::GenerateModel { definitions, out } => {
            carnet::model::generate::generate(&definitions, &out)
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carnet: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(config: ServeConfig) -> Result<(), String> {
    let store = Store::connect(&config.database)
        .await
        .map_err(|e| e.to_string())?;
    let options = Options {
        validation: config.validation,
        packages: config.packages.clone(),
        no_audit: config.no_audit,
        unknown_profile: config.unknown_profile,
    };
    let ctx = Context::open(store.clone(), &config.base_url(), &options)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(dir) = &config.demo {
        carnet::interaction::load_demo(&ctx, dir)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(keys) = &config.dev_keys {
            print_personas(dir, keys);
        }
    }
    let api = ApiConfig {
        base_path: config.base_path(),
        max_body_bytes: config.max_body_bytes,
        auth: auth_mode(&config).await?,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(base_url = %ctx.base_url, backend = ?store.dialect(), "carnet listening");
    axum::serve(listener, app(ctx, api))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    tracing::info!("carnet stopped");
    Ok(())
}

/// `--demo` with `--dev-keys`: a ready-to-use token for each persona of `<demo>/personas/personas.json`.
fn print_personas(demo: &std::path::Path, keys: &std::path::Path) {
    let Ok(text) = std::fs::read(demo.join("personas").join("personas.json")) else {
        return;
    };
    let Ok(serde_json::Value::Array(personas)) = serde_json::from_slice(&text) else {
        tracing::warn!("personas.json is not a list of personas");
        return;
    };
    println!("Demo personas (tokens valid 1 hour; send as Authorization: Bearer <token>):");
    for p in personas {
        let name = p["name"].as_str().unwrap_or("?");
        let role = p["role"].as_str().unwrap_or("");
        let mut argv = vec!["--dev-keys".to_owned(), keys.display().to_string()];
        argv.extend(
            p["token"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned)),
        );
        match carnet::auth::TokenArgs::parse_args(argv).and_then(|a| carnet::auth::run_token(&a)) {
            Ok(token) => println!("\n{name} — {role}\n{token}"),
            Err(e) => tracing::warn!(persona = name, "cannot mint its token: {e}"),
        }
    }
    println!();
}

async fn auth_mode(config: &ServeConfig) -> Result<AuthMode, String> {
    use carnet::auth::{DevKeys, Verifier};
    let verifier = if let Some(dir) = &config.dev_keys {
        DevKeys::load_or_create(dir)
            .map_err(|e| e.to_string())?
            .verifier()
    } else if let Some(jwks) = &config.jwks {
        let (iss, aud) = (&config.jwt_issuer, &config.jwt_audience);
        if jwks.starts_with("http://") || jwks.starts_with("https://") {
            Verifier::from_jwks_url(jwks, iss, aud).await
        } else {
            Verifier::from_jwks_file(std::path::Path::new(jwks), iss, aud)
        }
        .map_err(|e| e.to_string())?
    } else if config.no_auth {
        tracing::warn!("--no-auth: every request acts as an administrator");
        return Ok(AuthMode::Disabled);
    } else {
        return Err(
            "choose how tokens are checked: --jwks FILE|URL, --dev-keys DIR, or --no-auth".into(),
        );
    };
    Ok(AuthMode::Bearer(std::sync::Arc::new(
        carnet::auth::CachedVerifier::new(verifier),
    )))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

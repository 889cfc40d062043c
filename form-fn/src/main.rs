//! `form-fn`: receives a submitted application, validates it with
//! form-spec, encrypts it to the responsible office with age, and stores it
//! durably, never overwriting. One handler, run two ways:
//!
//! - `form-fn serve --listen ADDR --registry PATH --store DIR|s3://BUCKET[/PREFIX]`
//! - in AWS Lambda (`form-fn lambda`, or automatically when started by the
//!   Lambda runtime), with `FORM_FN_REGISTRY` and `FORM_FN_STORE`.
//!
//! S3 endpoint and keys come from the usual AWS environment variables.

mod app;
mod document;
mod intake;
mod pages;
mod reference;
mod seal;
mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use form_spec::registry::Registry;

use crate::app::{AppState, router};
use crate::store::Store;

#[derive(Parser)]
#[command(
    name = "form-fn",
    version,
    about = "Accepts naturalization applications: validate, encrypt, store"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP on this machine (demo, tests, or behind a reverse proxy).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: String,
        /// _registry.json written by site-gen.
        #[arg(long)]
        registry: PathBuf,
        /// A folder, or s3://bucket[/prefix].
        #[arg(long)]
        store: String,
    },
    /// Run as an AWS Lambda function (FORM_FN_REGISTRY, FORM_FN_STORE).
    Lambda,
}

fn load_state(registry_path: &Path, store: &str) -> Result<AppState, String> {
    let text = std::fs::read_to_string(registry_path)
        .map_err(|e| format!("cannot read {}: {e}", registry_path.display()))?;
    let registry: Registry = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a registry written by site-gen: {e}",
            registry_path.display()
        )
    })?;
    let store = Store::from_spec(store).map_err(|e| format!("--store: {e}"))?;
    let shells = registry_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("_shells");
    Ok(AppState {
        registry,
        shells,
        store,
    })
}

fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    init_logging();
    match cli.command {
        Some(Command::Serve {
            listen,
            registry,
            store,
        }) => {
            let state = match load_state(&registry, &store) {
                Ok(state) => state,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            let listener = match tokio::net::TcpListener::bind(&listen).await {
                Ok(listener) => listener,
                Err(error) => {
                    eprintln!("error: cannot listen on {listen}: {error}");
                    return ExitCode::from(2);
                }
            };
            let address = listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or(listen);
            eprintln!("form-fn listening on http://{address}/ (store: {store})");
            let served = axum::serve(listener, router(Arc::new(state)))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await;
            match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Lambda) | None
            if in_lambda || matches!(cli.command, Some(Command::Lambda)) =>
        {
            let registry =
                std::env::var("FORM_FN_REGISTRY").unwrap_or_else(|_| "_registry.json".to_owned());
            let store = std::env::var("FORM_FN_STORE").unwrap_or_default();
            let state = match load_state(Path::new(&registry), &store) {
                Ok(state) => state,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            match lambda_http::run(router(Arc::new(state))).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!(
                "usage: form-fn serve --registry PATH --store DIR|s3://BUCKET (or run inside AWS Lambda)"
            );
            ExitCode::from(2)
        }
    }
}

//! `form-fn`: receives a submitted application, validates it with
//! form-spec, encrypts it to the responsible office with age, stores it
//! durably (never overwriting), and forwards it to the office through the
//! municipality's transport, retrying from the outbox until it arrived.
//!
//! - `form-fn serve --listen ADDR --registry PATH --store DIR|s3://BUCKET[/PREFIX]`:
//!   the local server; forwards each application at once and drains the
//!   outbox every minute (`--queue-only`: accepts and queues only);
//! - `form-fn drain --registry PATH --store …`: one pass over the outbox;
//! - in AWS Lambda (`form-fn lambda`, or automatically when started by the
//!   Lambda runtime), with `FORM_FN_REGISTRY` and `FORM_FN_STORE`; with
//!   `FORM_FN_MODE=drain` the function drains the outbox on each (scheduled)
//!   invocation instead of answering HTTP.
//!
//! S3 endpoint and keys come from the usual AWS environment variables.

mod accept;
mod app;
mod document;
mod forward;
#[cfg(test)]
mod fuzz;
mod intake;
mod keygen;
mod notify;
mod outbox;
mod pages;
mod reference;
mod seal;
mod secrets;
mod server;
mod transport;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use form_spec::registry::Registry;
use sealed_store::Store;

use crate::accept::Sealer;
use crate::app::{AppState, router};
use crate::forward::{Forwarder, When};

#[derive(Parser)]
#[command(
    name = "form-fn",
    version,
    about = "Accepts naturalization applications: validate, encrypt, store, deliver to the office"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args)]
struct Setup {
    /// registry.json in the folder `site-gen build --function-out` wrote
    /// (the form shells are read from `shells/` beside it).
    #[arg(long)]
    registry: PathBuf,
    /// A folder, or s3://bucket[/prefix].
    #[arg(long)]
    store: String,
    /// Alert the office when an application has waited this long for
    /// delivery, e.g. 30m, 24h, 2d.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    alert_after: Duration,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP on this machine (demo, tests, or behind a reverse proxy).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: String,
        #[command(flatten)]
        setup: Setup,
        /// Drain the outbox this often (0 = never; then run `form-fn drain`).
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        drain_every: Duration,
        /// Only accept and queue, as the Lambda intake does: delivery is left
        /// to `form-fn drain` elsewhere, so this host needs no transport secret.
        #[arg(long)]
        queue_only: bool,
        /// A client must send its request head within this time; an idle
        /// kept-alive connection is closed after it too.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        header_timeout: Duration,
        /// A client must send the whole body within this time (408 otherwise).
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        body_timeout: Duration,
        /// Connections served at once; more wait until one closes.
        #[arg(long, default_value_t = 256)]
        max_connections: usize,
        /// On Ctrl+C or SIGTERM, wait at most this long for open requests.
        #[arg(long, default_value = "20s", value_parser = parse_duration)]
        shutdown_grace: Duration,
    },
    /// Try to deliver every pending application once, then exit.
    Drain {
        #[command(flatten)]
        setup: Setup,
        /// Ignore the backoff: retry everything now (after an outage was fixed).
        #[arg(long)]
        now: bool,
    },
    /// Run as an AWS Lambda function (FORM_FN_REGISTRY, FORM_FN_STORE,
    /// FORM_FN_ALERT_AFTER, FORM_FN_MODE=http|drain).
    Lambda,
    /// Make form-fn's signing key (Ed25519) and print its public key for
    /// site.yaml and for the offices.
    Keygen {
        /// Where to write the private key (never overwritten; owner-only).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `90s`, `30m`, `24h`, `2d`, or `0`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let refused =
        || format!("`{text}` is not a duration: expected a number with s, m, h or d, e.g. 24h");
    let unit = text.chars().last().ok_or_else(refused)?;
    let number = &text[..text.len() - unit.len_utf8()];
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if seconds > 0 => Ok(Duration::from_secs(n.saturating_mul(seconds))),
        _ => Err(refused()),
    }
}

struct Loaded {
    registry: Arc<Registry>,
    store: Arc<Store>,
    shells: PathBuf,
}

fn load(registry_path: &Path, store: &str) -> Result<Loaded, String> {
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
        .join("shells");
    Ok(Loaded {
        registry: Arc::new(registry),
        store: Arc::new(store),
        shells,
    })
}

/// Links again what a process that died had journaled but maybe not yet
/// made durable by name, so the outbox and the store are whole before
/// anything reads them.
async fn recover(store: &Store) {
    match store.recover().await {
        Ok(0) => {}
        Ok(replayed) => {
            tracing::info!(replayed, "replayed the journal of a stopped process");
        }
        Err(error) => tracing::warn!(error = %error, "cannot replay the store's journals"),
    }
}

fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    init_logging();
    if let Err(reason) = sealed_store::process::forbid_core_dumps() {
        tracing::warn!(reason = %reason, "core dumps could not be switched off");
    }
    match cli.command {
        Some(Command::Serve {
            listen,
            setup,
            drain_every,
            queue_only,
            header_timeout,
            body_timeout,
            max_connections,
            shutdown_grace,
        }) => {
            let drain_every = (!queue_only).then_some(drain_every);
            let bounds = server::Bounds {
                header_read: header_timeout,
                body_read: body_timeout,
                max_connections,
                shutdown_grace,
            };
            serve(&listen, &setup, drain_every, bounds).await
        }
        Some(Command::Drain { setup, now }) => {
            let loaded = match load(&setup.registry, &setup.store) {
                Ok(loaded) => loaded,
                Err(message) => return fail(&message),
            };
            recover(&loaded.store).await;
            secrets::fetch_all(&loaded.registry).await;
            let forwarder = Forwarder::new(loaded.registry, loaded.store, setup.alert_after);
            let when = if now { When::Now } else { When::Due };
            match forwarder.drain(when).await {
                Ok(summary) => {
                    println!("{}", drain_report(&summary));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: cannot read the outbox: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Keygen { out }) => keygen::run(&out),
        Some(Command::Lambda) | None
            if in_lambda || matches!(cli.command, Some(Command::Lambda)) =>
        {
            lambda().await
        }
        _ => fail(
            "usage: form-fn serve|drain --registry PATH --store DIR|s3://BUCKET (or run inside AWS Lambda)",
        ),
    }
}

/// What `form-fn drain` prints: deliveries, and notifications if any were tried.
fn drain_report(summary: &forward::DrainSummary) -> String {
    let mut report = format!(
        "delivered {}, failed {} (tried again later), not yet due {}",
        summary.delivered, summary.failed, summary.not_due
    );
    let notifications = summary.notifications;
    if notifications.sent + notifications.failed > 0 {
        report.push_str(&format!(
            "; offices notified {}, notifications not sent {} (see the log)",
            notifications.sent, notifications.failed
        ));
    }
    report
}

/// Which offices are told of a new application, and how: printed when
/// form-fn starts to deliver, so an operator sees where notices go.
fn print_destinations(registry: &Registry) {
    let destinations = notify::destinations(registry);
    if destinations.is_empty() {
        eprintln!(
            "notifications: none (no municipality has `notify:`); offices look with `office list`"
        );
    }
    for destination in destinations {
        eprintln!("notifications: {destination}");
    }
}

/// The local server; with `drain_every`, it also delivers (each application
/// at once, and the outbox at that interval unless it is zero).
async fn serve(
    listen: &str,
    setup: &Setup,
    drain_every: Option<Duration>,
    bounds: server::Bounds,
) -> ExitCode {
    let loaded = match load(&setup.registry, &setup.store) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
    };
    recover(&loaded.store).await;
    if drain_every.is_some() {
        // Before the forwarder is made: it reads its signing key from them.
        secrets::fetch_all(&loaded.registry).await;
    }
    let forwarder = drain_every.map(|_| {
        Arc::new(Forwarder::new(
            Arc::clone(&loaded.registry),
            Arc::clone(&loaded.store),
            setup.alert_after,
        ))
    });
    if let Some(forwarder) = &forwarder {
        forwarder.check_transports();
        print_destinations(&loaded.registry);
    }
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(error) => return fail(&format!("cannot listen on {listen}: {error}")),
    };
    if let (Some(forwarder), Some(every)) = (&forwarder, drain_every.filter(|d| !d.is_zero())) {
        let forwarder = Arc::clone(forwarder);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                if let Err(error) = forwarder.drain(When::Due).await {
                    tracing::warn!(error = %error, "cannot read the outbox");
                }
            }
        });
    }
    let address = listener
        .local_addr()
        .map_or_else(|_| listen.to_owned(), |a| a.to_string());
    eprintln!(
        "form-fn listening on http://{address}/ (store: {})",
        loaded.store.describe()
    );
    let state = Arc::new(AppState::new(
        loaded.registry,
        loaded.shells,
        Sealer::new(loaded.store),
        forwarder,
    ));
    server::serve(listener, router(Arc::clone(&state)), bounds, stop_signal()).await;
    // Applications being stored when the last connection closed are finished.
    if tokio::time::timeout(bounds.shutdown_grace, state.sealer.finish())
        .await
        .is_err()
    {
        tracing::warn!("stopped while applications were still being stored");
    }
    ExitCode::SUCCESS
}

/// Ctrl+C, or SIGTERM as service managers send it.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

async fn lambda() -> ExitCode {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let registry = std::env::var("FORM_FN_REGISTRY").unwrap_or_else(|_| "registry.json".to_owned());
    let loaded = match load(Path::new(&registry), &env("FORM_FN_STORE")) {
        Ok(loaded) => loaded,
        Err(message) => return fail(&message),
    };
    let alert_after = match env("FORM_FN_ALERT_AFTER").as_str() {
        "" => Duration::from_secs(86_400),
        text => match parse_duration(text) {
            Ok(duration) => duration,
            Err(message) => return fail(&format!("FORM_FN_ALERT_AFTER: {message}")),
        },
    };
    let result = match env("FORM_FN_MODE").as_str() {
        "drain" => {
            secrets::fetch_all(&loaded.registry).await;
            let forwarder = Arc::new(Forwarder::new(loaded.registry, loaded.store, alert_after));
            forwarder.check_transports();
            lambda_http::lambda_runtime::run(lambda_http::service_fn(
                move |_event: lambda_http::LambdaEvent<serde_json::Value>| {
                    let forwarder = Arc::clone(&forwarder);
                    async move {
                        let summary = forwarder.drain(When::Due).await?;
                        Ok::<_, lambda_http::Error>(serde_json::json!({
                            "delivered": summary.delivered,
                            "failed": summary.failed,
                            "not_due": summary.not_due,
                            "notified": summary.notifications.sent,
                            "notifications_failed": summary.notifications.failed,
                        }))
                    }
                },
            ))
            .await
        }
        "" | "http" => {
            let state = AppState::new(
                loaded.registry,
                loaded.shells,
                Sealer::new(loaded.store),
                None,
            );
            lambda_http::run(router(Arc::new(state))).await
        }
        other => {
            return fail(&format!(
                "FORM_FN_MODE: `{other}` is neither http nor drain"
            ));
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("24").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("5ü").is_err());
        assert!(parse_duration("").is_err());
    }
}

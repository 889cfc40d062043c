//! `office`: the naturalization office's side of the kit.
//!
//! - `office keygen --out FILE`: a new age identity, and the recipient line
//!   for the municipality file;
//! - `office list [--from LOCATION] [--format json]`: what is in the
//!   mailbox, newest first, and whether it was fetched and acknowledged;
//! - `office fetch --from LOCATION --to DIR`: copy the waiting packages from
//!   the mailbox (a folder or `s3://bucket/prefix`) and record them as
//!   fetched there;
//! - `office open --identity FILE [--out DIR] PACKAGE.age…`: decrypt, check,
//!   write the application as JSON, a readable summary and its attachments;
//! - `office ack --from LOCATION REFERENCE…`: mark packages as collected.
//!
//! `--from` may be left out where `OFFICE_MAILBOX` names the mailbox. A bad
//! identity or a changed file gets a clear error and nothing is written. S3
//! endpoint and keys come from the usual AWS environment variables.

#[cfg(test)]
mod fuzz;
mod keygen;
mod list;
mod mailbox;
mod open;
mod summary;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use form_spec::registry::Registry;

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error(
        "this application was not encrypted to this identity: it is for another office or another key"
    )]
    WrongIdentity,
    #[error("{0}")]
    Damaged(String),
    #[error("{0}")]
    Refused(String),
    #[error("mailbox: {0}")]
    Mailbox(String),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl OfficeError {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

#[derive(Parser)]
#[command(
    name = "office",
    version,
    about = "The naturalization office's tools: keys, listing, fetching, opening and acknowledging applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a new age identity for the office and print its public key.
    Keygen {
        /// Where to write the identity (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Show what is in the mailbox: newest first, fetched or not, acknowledged or not.
    List {
        /// The mailbox: a folder or s3://bucket/prefix (default: $OFFICE_MAILBOX).
        #[arg(long)]
        from: Option<String>,
        /// `text`: a table; `json`: one array of {"reference", "received",
        /// "municipality", "ags", "size", "fetched", "acknowledged", "damaged"}.
        #[arg(long, value_enum, default_value = "text")]
        format: list::Format,
    },
    /// Copy the waiting applications from the mailbox into a folder.
    Fetch {
        /// The mailbox: a folder or s3://bucket/prefix (default: $OFFICE_MAILBOX).
        #[arg(long)]
        from: Option<String>,
        /// The local folder to copy into.
        #[arg(long)]
        to: PathBuf,
    },
    /// Decrypt and check applications; write JSON, summary and attachments.
    Open {
        /// The office's age identity file.
        #[arg(long)]
        identity: PathBuf,
        /// Where `<reference>/` folders are written.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// The registry.json site-gen wrote (`--function-out`), for the form's
        /// German labels and form-fn's signing keys.
        #[arg(long)]
        registry: Option<PathBuf>,
        /// A public key form-fn signs packages with (`ed25519:…`, from IT;
        /// `form-fn keygen` prints it). Repeat it during a key change.
        #[arg(long = "signing-key")]
        signing_keys: Vec<String>,
        /// Package files (`<reference>.age`, with `<reference>.json` beside them).
        #[arg(required = true)]
        packages: Vec<PathBuf>,
    },
    /// Mark applications as collected, so fetch does not copy them again.
    Ack {
        /// The mailbox: a folder or s3://bucket/prefix (default: $OFFICE_MAILBOX).
        #[arg(long)]
        from: Option<String>,
        #[arg(required = true)]
        references: Vec<String>,
    },
}

/// The signing keys packages must carry: given with `--signing-key`, and
/// those the registry names.
fn trusted_keys(
    given: &[String],
    registry: Option<&Registry>,
) -> Result<Vec<ed25519_dalek::VerifyingKey>, OfficeError> {
    let from_registry: Vec<String> = registry
        .and_then(|r| r.signing.as_ref())
        .map(|s| {
            s.public_keys
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let keys = given
        .iter()
        .chain(&from_registry)
        .map(|text| {
            sealed_store::package::parse_public_key(text)
                .map_err(|e| OfficeError::Refused(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(OfficeError::Refused(
            "office open checks that form-fn signed each package: give its public signing \
             key with --signing-key ed25519:… (your IT has it; `form-fn keygen` printed it) \
             or the registry with --registry"
                .to_owned(),
        ));
    }
    Ok(keys)
}

/// The environment variable that names the mailbox when `--from` is left out.
const MAILBOX_VARIABLE: &str = "OFFICE_MAILBOX";

/// The mailbox `--from` names, or else `OFFICE_MAILBOX`; neither is an error
/// that says how to give one.
fn mailbox_location(from: Option<String>) -> Result<String, OfficeError> {
    from.or_else(|| std::env::var(MAILBOX_VARIABLE).ok())
        .filter(|location| !location.trim().is_empty())
        .ok_or_else(|| {
            OfficeError::Refused(format!(
                "which mailbox? Give it with --from (a folder, or s3://bucket/prefix as your IT \
                 set it up), or set {MAILBOX_VARIABLE} once, e.g. \
                 export {MAILBOX_VARIABLE}=s3://einbuergerung-postfach/bielefeld"
            ))
        })
}

fn load_registry(path: &Path) -> Result<Registry, OfficeError> {
    let text = std::fs::read_to_string(path).map_err(|e| OfficeError::io("read", path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        OfficeError::Refused(format!(
            "{} is not a registry.json written by site-gen: {e}",
            path.display()
        ))
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Opened applications are plaintext in memory: a crash must not write them to disk.
    if let Err(reason) = sealed_store::process::forbid_core_dumps() {
        eprintln!("warning: core dumps could not be switched off: {reason}");
    }
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<ExitCode, OfficeError> {
    match command {
        Command::Keygen { out } => {
            let recipient = keygen::keygen(&out, &form_spec::date::UtcTime::now().rfc3339())?;
            println!("{}", keygen::guidance(&out, &recipient));
            Ok(ExitCode::SUCCESS)
        }
        Command::List { from, format } => list::run(&mailbox_location(from)?, format).await,
        Command::Fetch { from, to } => {
            let from = mailbox_location(from)?;
            let fetched = mailbox::fetch(&from, &to).await?;
            for reference in &fetched.new {
                println!("fetched {reference}");
            }
            for reference in &fetched.had {
                println!("had {reference} already");
            }
            for (reference, problem) in &fetched.failed {
                eprintln!("error: {reference}: {problem}");
            }
            for (reference, problem) in &fetched.unmarked {
                eprintln!(
                    "warning: {reference} was copied, but the mailbox could not record it as \
                     fetched ({problem}); office list shows it as not fetched"
                );
            }
            println!(
                "{} new, {} already here, {} failed. Next: office open --identity FILE {}/*.age, \
                 then office ack --from {from} REFERENCE…",
                fetched.new.len(),
                fetched.had.len(),
                fetched.failed.len(),
                to.display()
            );
            Ok(if fetched.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Open {
            identity,
            out,
            registry,
            signing_keys,
            packages,
        } => {
            let identities = open::load_identities(&identity)?;
            let registry = registry.as_deref().map(load_registry).transpose()?;
            let trusted = trusted_keys(&signing_keys, registry.as_ref())?;
            let mut failed = 0;
            for package in &packages {
                match open::open_package(&identities, &trusted, package, &out, registry.as_ref()) {
                    Ok(folder) => println!(
                        "opened {}: {}",
                        package.display(),
                        folder.join("summary.html").display()
                    ),
                    Err(error) => {
                        failed += 1;
                        eprintln!("error: {}: {error}; nothing was written", package.display());
                    }
                }
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Ack { from, references } => {
            let from = mailbox_location(from)?;
            mailbox::acknowledge(&from, &references).await?;
            println!("acknowledged {}", references.join(", "));
            Ok(ExitCode::SUCCESS)
        }
    }
}

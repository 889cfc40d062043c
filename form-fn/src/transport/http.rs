//! The HTTPS client the XTA 2 and webhook adapters share: which server
//! certificates to trust, which client certificate to show, how long to
//! wait; and reading the secrets the settings name.

use std::time::Duration;

use form_spec::transport::{Source, TimeoutSeconds};

use super::DeliveryError;

/// The bytes behind `source`: an environment variable, a file or a secret
/// read from AWS Secrets Manager at start. Errors name where was looked,
/// never what was found.
pub fn read_source(source: &Source, what: &str) -> Result<Vec<u8>, DeliveryError> {
    match source {
        Source::Env(name) => std::env::var(name.as_str())
            .ok()
            .filter(|value| !value.is_empty())
            .map(String::into_bytes)
            .ok_or_else(|| {
                DeliveryError::Settings(format!("{what}: environment variable {name} is not set"))
            }),
        Source::File(path) => std::fs::read(path.as_str()).map_err(|error| {
            DeliveryError::Settings(format!("{what}: cannot read {path}: {error}"))
        }),
        Source::AwsSecret(id) => crate::secrets::get(id.as_str())
            .map(|secret| secret.to_vec())
            .ok_or_else(|| {
                DeliveryError::Settings(format!(
                    "{what}: the secret {id} could not be read from AWS Secrets Manager \
                     (see secret_unreadable in the log)"
                ))
            }),
    }
}

/// A client that trusts only `server_ca` (when given, else the system's
/// roots), presents `identity` (certificate and key, PEM) when given, and
/// gives up after `timeout`.
pub fn client(
    server_ca: Option<&Source>,
    identity: Option<&Source>,
    timeout: TimeoutSeconds,
) -> Result<reqwest::Client, DeliveryError> {
    let seconds = Duration::from_secs(timeout.get());
    let mut builder = reqwest::Client::builder()
        .timeout(seconds)
        .connect_timeout(seconds.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "einbuergerung-kit-form-fn/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(ca) = server_ca {
        let pem = read_source(ca, "server_ca")?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            DeliveryError::Settings(format!("server_ca: not a PEM certificate: {e}"))
        })?;
        if certificates.is_empty() {
            return Err(DeliveryError::Settings(
                "server_ca: no certificate in the PEM".to_owned(),
            ));
        }
        builder = builder.tls_certs_only(certificates);
    }
    if let Some(identity) = identity {
        let pem = read_source(identity, "client_identity")?;
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
            DeliveryError::Settings(format!(
                "client_identity: expected a PEM with the certificate and its private key: {e}"
            ))
        })?;
        builder = builder.identity(identity);
    }
    builder
        .build()
        .map_err(|e| DeliveryError::Settings(format!("HTTPS client: {e}")))
}

/// A failed request in the adapters' words: timeouts and refused
/// connections are "unreachable", everything else says what happened.
pub fn request_failed(error: &reqwest::Error) -> DeliveryError {
    if error.is_timeout() {
        DeliveryError::Unreachable("no answer in time".to_owned())
    } else if error.is_connect() {
        DeliveryError::Unreachable(format!("cannot connect: {}", root_cause(error)))
    } else {
        DeliveryError::Unreachable(root_cause(error))
    }
}

/// reqwest keeps the useful part (TLS alert, reset) at the end of its chain.
fn root_cause(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

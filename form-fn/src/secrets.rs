//! Secrets that transport and notify settings name as `{ aws_secret: "<name or ARN>" }`,
//! read from AWS Secrets Manager with form-fn's own role when delivery
//! starts. They live only in this process's memory (wiped when dropped):
//! never in the function's configuration, the registry, a file or a log.
//! After a secret was rotated, start new instances (e.g. redeploy).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use form_spec::registry::Registry;
use form_spec::transport::Source;
use zeroize::Zeroizing;

static FETCHED: OnceLock<HashMap<String, Zeroizing<Vec<u8>>>> = OnceLock::new();

/// Reads every `aws_secret` the registry names (transports, notifications
/// and form-fn's signing key), once per process.
/// A secret that cannot be read is logged (name and reason only); the
/// transports that need it then refuse to deliver, and applications wait.
pub async fn fetch_all(registry: &Registry) {
    let signing_key = registry.signing.as_ref().map(|signing| &signing.key);
    let transports = registry
        .municipalities
        .values()
        .filter_map(|entry| entry.transport.as_ref())
        .flat_map(|transport| transport.sources());
    let notifications = registry
        .municipalities
        .values()
        .filter_map(|entry| entry.notify.as_ref())
        .flat_map(|notify| notify.sources());
    let names: BTreeSet<&str> = transports
        .chain(notifications)
        .chain(signing_key)
        .filter_map(|source| match source {
            Source::AwsSecret(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    if names.is_empty() || FETCHED.get().is_some() {
        return;
    }
    let config = sealed_store::aws::sdk_config(None).await;
    let client = aws_sdk_secretsmanager::Client::new(&config);
    let mut fetched = HashMap::new();
    for name in names {
        match client.get_secret_value().secret_id(name).send().await {
            Ok(answer) => {
                let bytes = answer
                    .secret_string()
                    .map(|text| text.as_bytes().to_vec())
                    .or_else(|| answer.secret_binary().map(|blob| blob.as_ref().to_vec()));
                match bytes {
                    Some(bytes) => {
                        fetched.insert(name.to_owned(), Zeroizing::new(bytes));
                    }
                    None => {
                        tracing::error!(event = "secret_unreadable", secret = %name, "the secret has no value")
                    }
                }
            }
            Err(error) => {
                let reason = error
                    .code()
                    .map_or_else(|| sealed_store::aws::innermost(&error), str::to_owned);
                tracing::error!(event = "secret_unreadable", secret = %name, error = %reason, "cannot read the secret from AWS Secrets Manager");
            }
        }
    }
    let _ = FETCHED.set(fetched);
}

/// The value of the secret `name`, if [`fetch_all`] could read it.
pub fn get(name: &str) -> Option<Zeroizing<Vec<u8>>> {
    FETCHED.get()?.get(name).cloned()
}

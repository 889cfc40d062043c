//! The webhook adapter: an HTTPS POST of the sealed package and its metadata
//! to the office's own intake, signed the way FIT-Connect signs callbacks:
//! `callback-timestamp` (Unix seconds) and `callback-authentication`, the hex
//! HMAC-SHA512 of `<timestamp>.<body>` with the shared secret. The intake
//! should refuse timestamps older than a few minutes. `Idempotency-Key` is
//! the same for every attempt: an intake answers 409 (or 2xx) for a key it
//! has seen, and both count as delivered.

use base64::Engine;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

use super::http::{client, read_source, request_failed};
use super::{DeliveryError, Package, Receipt, Transport};
use crate::outbox::unix_now;

pub struct WebhookTransport {
    url: String,
    secret: Vec<u8>,
    client: reqwest::Client,
}

/// Shorter keys can be guessed from signatures; 32 bytes is SHA-512's HMAC
/// block half and what `openssl rand -hex 32` prints as 64 characters.
const MIN_SECRET_BYTES: usize = 32;

impl WebhookTransport {
    pub fn new(settings: &form_spec::transport::Webhook) -> Result<Self, DeliveryError> {
        let secret = read_source(&settings.secret, "secret")?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(DeliveryError::Settings(format!(
                "secret: {} bytes are too few to sign with; use at least {MIN_SECRET_BYTES} \
                 random bytes, e.g. `openssl rand -hex 32`",
                secret.len()
            )));
        }
        Ok(Self {
            url: settings.url.to_string(),
            secret,
            client: client(settings.server_ca.as_ref(), None, settings.timeout_seconds)?,
        })
    }
}

/// The body: `{"metadata": {…}, "package": "<base64 of the age file>"}`.
pub fn webhook_body(package: &Package) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "metadata": package.meta,
        "package": base64::engine::general_purpose::STANDARD.encode(package.sealed),
    }))
    .unwrap_or_default()
}

/// Hex HMAC-SHA512 of `<timestamp>.<body>`.
pub fn signature(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Transport for WebhookTransport {
    fn kind(&self) -> &'static str {
        "webhook"
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package<'a>,
    ) -> BoxFuture<'a, Result<Receipt, DeliveryError>> {
        async move {
            let body = webhook_body(package);
            let timestamp = unix_now();
            let response = self
                .client
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header("callback-timestamp", timestamp.to_string())
                .header(
                    "callback-authentication",
                    signature(&self.secret, timestamp, &body),
                )
                .header("Idempotency-Key", package.delivery_id())
                .body(body)
                .send()
                .await
                .map_err(|e| request_failed(&e))?;
            let status = response.status();
            if status.is_success() {
                Ok(Receipt(format!("accepted with HTTP {}", status.as_u16())))
            } else if status == reqwest::StatusCode::CONFLICT {
                Ok(Receipt("received already (HTTP 409)".to_owned()))
            } else {
                Err(DeliveryError::Refused(format!("HTTP {}", status.as_u16())))
            }
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha512_over_timestamp_dot_body() {
        // Reference value: python3 -c 'import hmac,hashlib;
        //   print(hmac.new(b"key", b"1700000000.{}", hashlib.sha512).hexdigest())'
        assert_eq!(
            signature(b"key", 1_700_000_000, b"{}"),
            "03bd8d5f7e43e9e9208a5b4f45ef1c65cf7ad6fd1adec47631088a681019a897\
             400557c024d492ff5640c468574096cdcf51d7fbb3ac42c97b5dad2a5b182cd4"
        );
    }
}

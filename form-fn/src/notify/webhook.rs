//! The webhook notification: an HTTPS POST of a small JSON document,
//! `{"reference", "received_at", "municipality", "ags", "delivered_at"}`,
//! to the office's own system (a ticket queue, a chat bridge, its case
//! system). With a `secret` it is signed like the webhook transport
//! (`callback-timestamp`, `callback-authentication`: hex HMAC-SHA512 of
//! `<timestamp>.<body>`); `Idempotency-Key` is the same for every attempt.
//! Any 2xx answer counts as received.

use form_spec::notify::Webhook;
use serde::Serialize;
use zeroize::Zeroizing;

use super::Notice;
use crate::outbox::unix_now;
use crate::transport::{client, read_source, request_failed, signature};

/// The same floor as the webhook transport's signing key.
const MIN_SECRET_BYTES: usize = 32;

pub struct Hook {
    url: String,
    secret: Option<Zeroizing<Vec<u8>>>,
    client: reqwest::Client,
}

/// What the POST carries: the notice's facts, nothing else.
#[derive(Serialize)]
struct Body<'a> {
    reference: &'a str,
    received_at: &'a str,
    municipality: &'a str,
    ags: &'a str,
    delivered_at: &'a str,
}

/// The JSON body for `notice`.
pub fn body(notice: &Notice) -> Vec<u8> {
    serde_json::to_vec(&Body {
        reference: &notice.reference,
        received_at: &notice.received_at,
        municipality: &notice.municipality,
        ags: &notice.ags,
        delivered_at: &notice.delivered_at,
    })
    .unwrap_or_default()
}

impl Hook {
    pub fn new(settings: &Webhook) -> Result<Self, String> {
        let secret = match &settings.secret {
            Some(source) => {
                let secret =
                    Zeroizing::new(read_source(source, "secret").map_err(|e| e.to_string())?);
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(format!(
                        "secret: {} bytes are too few to sign with; use at least \
                         {MIN_SECRET_BYTES} random bytes, e.g. `openssl rand -hex 32`",
                        secret.len()
                    ));
                }
                Some(secret)
            }
            None => None,
        };
        Ok(Self {
            url: settings.url.to_string(),
            secret,
            client: client(settings.server_ca.as_ref(), None, settings.timeout_seconds)
                .map_err(|e| e.to_string())?,
        })
    }

    /// POSTs the notice once.
    pub async fn send(&self, notice: &Notice) -> Result<(), String> {
        let body = body(notice);
        let mut request = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header(
                "Idempotency-Key",
                format!("notify-{}-{}", notice.ags, notice.reference),
            );
        if let Some(secret) = &self.secret {
            let timestamp = unix_now();
            request = request
                .header("callback-timestamp", timestamp.to_string())
                .header(
                    "callback-authentication",
                    signature(secret, timestamp, &body),
                );
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| request_failed(&e).to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("refused with HTTP {}", status.as_u16()))
        }
    }
}

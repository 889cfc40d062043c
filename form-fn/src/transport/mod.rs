//! Delivery to the office: the [`Transport`] trait and its adapters, chosen
//! per municipality by the `transport:` of its file (form-spec's settings):
//!
//! - [`xta2`]: XTA 2 `sendMessage` to the office's XTA server (OSCI);
//! - [`mailbox`]: a folder or S3 prefix the office collects from;
//! - [`webhook`]: a signed HTTPS POST to the office's own intake.
//!
//! Every adapter sends the sealed package and its metadata, nothing else,
//! and is idempotent: one reference is one delivery id, and a receiver that
//! has the package already is not given a second copy.

mod http;
pub use http::{client, read_source, request_failed};
mod mailbox;
mod webhook;
pub use webhook::signature;
mod xta2;
pub mod xta2_message;

use form_spec::registry::MunicipalityEntry;
use form_spec::transport::Transport as Settings;
use futures_util::future::BoxFuture;
use sealed_store::package::PackageMeta;

/// What is delivered: the sealed package and what may be known about it.
pub struct Package<'a> {
    pub meta: &'a PackageMeta,
    pub sealed: &'a [u8],
    /// Attempts started before this one: a later attempt first makes sure an
    /// earlier one did not get through unnoticed.
    pub earlier_attempts: u32,
}

impl Package<'_> {
    /// The same for every attempt: `<AGS>-<reference>`.
    pub fn delivery_id(&self) -> String {
        format!("{}-{}", self.meta.municipality.ags, self.meta.reference)
    }
}

/// What the receiver said, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt(pub String);

/// Why a delivery did not happen; every one is retried later.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The settings cannot work (a secret missing, a certificate unreadable).
    #[error("not usable: {0}")]
    Settings(String),
    /// The receiver could not be reached or did not answer in time.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The receiver answered and refused.
    #[error("refused: {0}")]
    Refused(String),
    /// The receiver's answer made no sense.
    #[error("unexpected answer: {0}")]
    BadAnswer(String),
    /// The mailbox's storage failed.
    #[error("storage: {0}")]
    Storage(String),
    /// The receiver has the package and is still passing it on: not sent
    /// again, asked again later.
    #[error("pending: {0}")]
    Pending(String),
    /// The receiver reports that passing the package on failed: it is not
    /// delivered, and the office is alerted at once.
    #[error("failed at the receiver: {0}")]
    FailedAtReceiver(String),
}

pub trait Transport: Send + Sync {
    /// `xta2`, `mailbox` or `webhook`.
    fn kind(&self) -> &'static str;

    /// Delivers `package`, or says why not. Safe to call again for the same
    /// package: the receiver ends up with one copy.
    fn deliver<'a>(
        &'a self,
        package: &'a Package<'a>,
    ) -> BoxFuture<'a, Result<Receipt, DeliveryError>>;
}

/// The adapter `settings` describe, for `municipality`. Reads the secrets and
/// certificates the settings name, so a missing one is reported here.
pub fn build(
    settings: &Settings,
    municipality: &MunicipalityEntry,
) -> Result<Box<dyn Transport>, DeliveryError> {
    Ok(match settings {
        Settings::Xta2(xta) => Box::new(xta2::Xta2Transport::new(xta, municipality)?),
        Settings::Mailbox(mailbox) => Box::new(mailbox::MailboxTransport::new(mailbox)?),
        Settings::Webhook(webhook) => Box::new(webhook::WebhookTransport::new(webhook)?),
    })
}

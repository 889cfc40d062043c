//! The mailbox adapter: puts the package and its metadata into the office's
//! folder or S3 prefix (sealed-store's mailbox layout). A package already
//! there counts as delivered; it is never written twice.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sealed_store::mailbox::{Deposit, Mailbox, MailboxError};

use super::{DeliveryError, Package, Receipt, Transport};

pub struct MailboxTransport {
    mailbox: Mailbox,
}

impl MailboxTransport {
    pub fn new(settings: &form_spec::transport::Mailbox) -> Result<Self, DeliveryError> {
        Mailbox::open(settings.location.as_str())
            .map(|mailbox| Self { mailbox })
            .map_err(DeliveryError::Settings)
    }
}

impl Transport for MailboxTransport {
    fn kind(&self) -> &'static str {
        "mailbox"
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package<'a>,
    ) -> BoxFuture<'a, Result<Receipt, DeliveryError>> {
        async move {
            match self.mailbox.deposit(package.meta, package.sealed).await {
                Ok(Deposit::Delivered) => Ok(Receipt(format!(
                    "in the mailbox {}",
                    self.mailbox.describe()
                ))),
                Ok(Deposit::AlreadyThere) => Ok(Receipt(format!(
                    "was in the mailbox {} already",
                    self.mailbox.describe()
                ))),
                Err(MailboxError::Store(error)) => Err(DeliveryError::Storage(error.to_string())),
                Err(error) => Err(DeliveryError::Refused(error.to_string())),
            }
        }
        .boxed()
    }
}

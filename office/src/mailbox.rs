//! `office fetch` and `office ack`: collecting packages from the office's
//! mailbox (a folder or S3 prefix, sealed-store's layout) into a local
//! folder, recording in the mailbox that they were fetched (`fetched/`,
//! for `office list`), and marking them collected so they are not fetched
//! twice.

use std::path::Path;

use sealed_store::mailbox::{Deposit, Mailbox};

use crate::OfficeError;

/// What one fetch did.
#[derive(Debug, Default)]
pub struct Fetched {
    /// References newly copied into the local folder.
    pub new: Vec<String>,
    /// References that were in the local folder already.
    pub had: Vec<String>,
    /// References that could not be fetched, with the reason.
    pub failed: Vec<(String, String)>,
    /// References copied, but whose `fetched/` marker could not be written
    /// (`office list` then shows them as not fetched), with the reason.
    pub unmarked: Vec<(String, String)>,
}

/// Copies every waiting package (checked against its metadata) with its
/// metadata into `to` as `<reference>.age` and `<reference>.json`.
pub async fn fetch(from: &str, to: &Path) -> Result<Fetched, OfficeError> {
    let mailbox = Mailbox::open(from).map_err(OfficeError::Refused)?;
    // The local folder has the mailbox's layout: same names, nothing overwritten.
    let local = Mailbox::in_folder(to);
    let mut fetched = Fetched::default();
    for reference in mailbox
        .waiting()
        .await
        .map_err(|e| OfficeError::Mailbox(e.to_string()))?
    {
        let (meta, sealed) = match mailbox.take(&reference).await {
            Ok(taken) => taken,
            Err(error) => {
                fetched.failed.push((reference, error.to_string()));
                continue;
            }
        };
        let list = match local.deposit(&meta, &sealed).await {
            Ok(Deposit::Delivered) => &mut fetched.new,
            Ok(Deposit::AlreadyThere) => &mut fetched.had,
            Err(error) => {
                fetched.failed.push((reference, error.to_string()));
                continue;
            }
        };
        list.push(reference.clone());
        // Only now, with the local copy synced to disk.
        if let Err(error) = mailbox.mark_fetched(&reference).await {
            fetched.unmarked.push((reference, error.to_string()));
        }
    }
    Ok(fetched)
}

/// Marks `references` as collected in the mailbox at `from`.
pub async fn acknowledge(from: &str, references: &[String]) -> Result<(), OfficeError> {
    let mailbox = Mailbox::open(from).map_err(OfficeError::Refused)?;
    for reference in references {
        mailbox
            .acknowledge(reference)
            .await
            .map_err(|e| OfficeError::Mailbox(e.to_string()))?;
    }
    Ok(())
}

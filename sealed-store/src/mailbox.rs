//! A mailbox an office (or its gateway, e.g. an OSCI client polling a
//! folder) collects applications from, in a folder or an S3 prefix:
//!
//! - `<reference>.age`: the sealed package, written first;
//! - `<reference>.json`: its metadata, written last, so a package counts as
//!   arrived only once both are there;
//! - `acknowledged/<reference>`: written by `office ack` once the office has
//!   the package, so it is not fetched twice.
//!
//! Nothing is ever overwritten: a second deposit of the same package finds
//! it there and leaves it, so the office never gets a second copy.

use crate::package::PackageMeta;
use crate::store::{Store, StoreError};

const ACKNOWLEDGED: &str = "acknowledged";

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} is not in the mailbox")]
    Missing(String),
    #[error("{reference}: {problem}")]
    Damaged { reference: String, problem: String },
}

/// What a deposit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deposit {
    /// The package was put into the mailbox.
    Delivered,
    /// The same package was there already (an earlier attempt got through).
    AlreadyThere,
}

pub struct Mailbox {
    store: Store,
}

impl Mailbox {
    /// A mailbox at `s3://bucket/prefix` or in a folder.
    pub fn open(location: &str) -> Result<Self, String> {
        Store::from_spec(location).map(|store| Self { store })
    }

    /// A mailbox in the local folder `dir` (e.g. the office's inbox).
    #[must_use]
    pub fn in_folder(dir: &std::path::Path) -> Self {
        Self {
            store: Store::Folder(dir.to_path_buf()),
        }
    }

    #[must_use]
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// Puts the package and its metadata into the mailbox, unless they are
    /// there already. A different package under the same reference is never
    /// replaced: that is reported as damage.
    pub async fn deposit(
        &self,
        meta: &PackageMeta,
        sealed: &[u8],
    ) -> Result<Deposit, MailboxError> {
        let reference = &meta.reference;
        let mut deposit = Deposit::Delivered;
        match self
            .store
            .put_new(&package_key(reference), sealed.to_vec())
            .await
        {
            Ok(()) => {}
            Err(StoreError::Exists(_)) => {
                let there = self.store.get(&package_key(reference)).await?;
                if there.as_deref() != Some(sealed) {
                    return Err(MailboxError::Damaged {
                        reference: reference.clone(),
                        problem: "a different package with this reference is in the mailbox"
                            .to_owned(),
                    });
                }
                deposit = Deposit::AlreadyThere;
            }
            Err(error) => return Err(error.into()),
        }
        match self
            .store
            .put_new(&meta_key(reference), meta.to_json())
            .await
        {
            Ok(()) => Ok(deposit),
            Err(StoreError::Exists(_)) => Ok(Deposit::AlreadyThere),
            Err(error) => Err(error.into()),
        }
    }

    /// References of packages that arrived and were not acknowledged yet.
    pub async fn waiting(&self) -> Result<Vec<String>, MailboxError> {
        let names = self.store.list("").await?;
        let acknowledged = self.store.list(ACKNOWLEDGED).await?;
        Ok(names
            .iter()
            .filter_map(|name| name.strip_suffix(".json"))
            .filter(|reference| !acknowledged.iter().any(|a| a == reference))
            .map(ToOwned::to_owned)
            .collect())
    }

    /// The package and its metadata, checked against each other.
    pub async fn take(&self, reference: &str) -> Result<(PackageMeta, Vec<u8>), MailboxError> {
        let damaged = |problem: String| MailboxError::Damaged {
            reference: reference.to_owned(),
            problem,
        };
        let meta = self
            .store
            .get(&meta_key(reference))
            .await?
            .ok_or_else(|| MailboxError::Missing(reference.to_owned()))?;
        let meta: PackageMeta = serde_json::from_slice(&meta)
            .map_err(|e| damaged(format!("the metadata file is not readable: {e}")))?;
        let sealed = self
            .store
            .get(&package_key(reference))
            .await?
            .ok_or_else(|| damaged("the metadata is there but the package is not".to_owned()))?;
        if meta.reference != reference || !meta.matches(&sealed) {
            return Err(damaged(
                "the package does not match its metadata (size or SHA-256 differ)".to_owned(),
            ));
        }
        Ok((meta, sealed))
    }

    /// Marks a package as collected, so `waiting` no longer lists it.
    pub async fn acknowledge(&self, reference: &str) -> Result<(), MailboxError> {
        if self.store.get(&meta_key(reference)).await?.is_none() {
            return Err(MailboxError::Missing(reference.to_owned()));
        }
        match self
            .store
            .put_new(&format!("{ACKNOWLEDGED}/{reference}"), Vec::new())
            .await
        {
            Ok(()) | Err(StoreError::Exists(_)) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

fn package_key(reference: &str) -> String {
    format!("{reference}.age")
}

fn meta_key(reference: &str) -> String {
    format!("{reference}.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::Municipality;

    fn meta(reference: &str, sealed: &[u8]) -> PackageMeta {
        let bielefeld = Municipality::new("bielefeld", "05711000");
        PackageMeta::of(
            sealed,
            reference,
            bielefeld,
            "einbuergerung",
            "2026-11-23T01:42:07Z",
        )
    }

    #[tokio::test]
    async fn deposit_wait_take_acknowledge() {
        let dir = tempfile::tempdir().unwrap();
        let mailbox = Mailbox::open(dir.path().to_str().unwrap()).unwrap();
        let m = meta("AAAA-BBBB-CCCC", b"sealed");
        assert_eq!(
            mailbox.deposit(&m, b"sealed").await.unwrap(),
            Deposit::Delivered
        );
        assert_eq!(
            mailbox.deposit(&m, b"sealed").await.unwrap(),
            Deposit::AlreadyThere,
            "a retried deposit is no second copy"
        );
        assert!(matches!(
            mailbox.deposit(&m, b"other").await,
            Err(MailboxError::Damaged { .. })
        ));
        assert_eq!(mailbox.waiting().await.unwrap(), ["AAAA-BBBB-CCCC"]);
        let (back, sealed) = mailbox.take("AAAA-BBBB-CCCC").await.unwrap();
        assert_eq!((back, sealed.as_slice()), (m, &b"sealed"[..]));
        mailbox.acknowledge("AAAA-BBBB-CCCC").await.unwrap();
        mailbox.acknowledge("AAAA-BBBB-CCCC").await.unwrap();
        assert!(mailbox.waiting().await.unwrap().is_empty());
        assert!(matches!(
            mailbox.acknowledge("ZZZZ-ZZZZ-ZZZZ").await,
            Err(MailboxError::Missing(_))
        ));
    }

    #[tokio::test]
    async fn a_package_without_metadata_has_not_arrived_and_a_changed_one_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let mailbox = Mailbox::open(dir.path().to_str().unwrap()).unwrap();
        std::fs::write(dir.path().join("AAAA-BBBB-CCCC.age"), b"half").unwrap();
        assert!(mailbox.waiting().await.unwrap().is_empty());
        let m = meta("DDDD-EEEE-FFFF", b"sealed");
        mailbox.deposit(&m, b"sealed").await.unwrap();
        std::fs::write(dir.path().join("DDDD-EEEE-FFFF.age"), b"sealeD").unwrap();
        assert!(matches!(
            mailbox.take("DDDD-EEEE-FFFF").await,
            Err(MailboxError::Damaged { .. })
        ));
    }
}

//! A mailbox an office (or its gateway, e.g. an OSCI client polling a
//! folder) collects applications from, in a folder or an S3 prefix:
//!
//! - `<reference>.age`: the sealed package, written first;
//! - `<reference>.json`: its metadata, written last, so a package counts as
//!   arrived only once both are there;
//! - `fetched/<reference>`: written by `office fetch` once the package and
//!   its metadata are safely in the office's local folder, so `office list`
//!   can tell what was collected but not yet acknowledged (another clerk's
//!   computer, an interrupted run);
//! - `acknowledged/<reference>`: written by `office ack` once the office has
//!   the package, so it is not fetched twice.
//!
//! Nothing is ever overwritten: a second deposit of the same package finds
//! it there and leaves it, so the office never gets a second copy. The two
//! markers are empty files written once; finding one there already is fine.

use crate::package::PackageMeta;
use crate::store::{Store, StoreError};

const ACKNOWLEDGED: &str = "acknowledged";
const FETCHED: &str = "fetched";
/// Far more than any metadata document form-fn writes (under 1 KiB).
const MAX_META_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} is not in the mailbox")]
    Missing(String),
    #[error("{reference}: {problem}")]
    Damaged { reference: String, problem: String },
}

/// One package in the mailbox, as `office list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// From the file name `<reference>.json`.
    pub reference: String,
    /// The metadata, or why it cannot be read (the entry is damaged).
    pub meta: Result<PackageMeta, String>,
    /// `office fetch` copied it to a local folder.
    pub fetched: bool,
    /// `office ack` marked it collected.
    pub acknowledged: bool,
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
            store: Store::folder(dir),
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
        self.mark(ACKNOWLEDGED, reference).await
    }

    /// Records that `office fetch` has the package safely in a local folder.
    pub async fn mark_fetched(&self, reference: &str) -> Result<(), MailboxError> {
        self.mark(FETCHED, reference).await
    }

    /// Writes the empty marker `<folder>/<reference>` once, for a package
    /// that is in the mailbox; one there already is fine.
    async fn mark(&self, folder: &str, reference: &str) -> Result<(), MailboxError> {
        if self.store.get(&meta_key(reference)).await?.is_none() {
            return Err(MailboxError::Missing(reference.to_owned()));
        }
        match self
            .store
            .put_new(&format!("{folder}/{reference}"), Vec::new())
            .await
        {
            Ok(()) | Err(StoreError::Exists(_)) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Every package that arrived (its metadata is there), in name order,
    /// with whether it was fetched and acknowledged. Only the metadata is
    /// read, never a package; one that cannot be read is listed as damaged,
    /// with the reason, and the others are listed as usual.
    pub async fn entries(&self) -> Result<Vec<Entry>, MailboxError> {
        let names = self.store.list("").await?;
        let fetched = self.store.list(FETCHED).await?;
        let acknowledged = self.store.list(ACKNOWLEDGED).await?;
        let mut entries = Vec::new();
        for reference in names.iter().filter_map(|name| name.strip_suffix(".json")) {
            let meta = match self.store.get(&meta_key(reference)).await? {
                // Acknowledged and cleaned up between the listing and now.
                None => continue,
                Some(bytes) => read_meta(reference, &bytes),
            };
            let meta = meta.and_then(|meta| {
                if names.contains(&package_key(reference)) {
                    Ok(meta)
                } else {
                    Err("the metadata is there but the package is not".to_owned())
                }
            });
            entries.push(Entry {
                reference: reference.to_owned(),
                meta,
                fetched: fetched.iter().any(|name| name == reference),
                acknowledged: acknowledged.iter().any(|name| name == reference),
            });
        }
        Ok(entries)
    }
}

/// The metadata file of `reference`, or why it is not one.
fn read_meta(reference: &str, bytes: &[u8]) -> Result<PackageMeta, String> {
    if bytes.len() > MAX_META_BYTES {
        return Err(format!(
            "the metadata file is larger than {MAX_META_BYTES} bytes: not one form-fn wrote"
        ));
    }
    let meta: PackageMeta = serde_json::from_slice(bytes)
        .map_err(|e| format!("the metadata file is not readable: {e}"))?;
    if meta.reference == reference {
        Ok(meta)
    } else {
        Err(format!(
            "the metadata file names another reference, {}",
            meta.reference
        ))
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
    async fn entries_say_what_was_fetched_and_acknowledged_and_which_are_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let mailbox = Mailbox::open(dir.path().to_str().unwrap()).unwrap();
        for reference in ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"] {
            mailbox
                .deposit(&meta(reference, b"sealed"), b"sealed")
                .await
                .unwrap();
        }
        let states = |entries: Vec<Entry>| -> Vec<(String, bool, bool, bool)> {
            entries
                .into_iter()
                .map(|e| (e.reference, e.meta.is_ok(), e.fetched, e.acknowledged))
                .collect()
        };
        let fresh = mailbox.entries().await.unwrap();
        assert_eq!(fresh[0].meta, Ok(meta("AAAA-BBBB-CCCC", b"sealed")));
        assert_eq!(
            states(fresh),
            [
                ("AAAA-BBBB-CCCC".to_owned(), true, false, false),
                ("DDDD-EEEE-FFFF".to_owned(), true, false, false)
            ]
        );

        mailbox.mark_fetched("AAAA-BBBB-CCCC").await.unwrap();
        mailbox.mark_fetched("AAAA-BBBB-CCCC").await.unwrap();
        assert!(
            dir.path().join("fetched/AAAA-BBBB-CCCC").is_file(),
            "the marker is a file beside acknowledged/"
        );
        assert_eq!(
            mailbox.waiting().await.unwrap(),
            ["AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF"],
            "fetched is not acknowledged: fetch still offers it"
        );
        mailbox.acknowledge("AAAA-BBBB-CCCC").await.unwrap();
        assert!(matches!(
            mailbox.mark_fetched("ZZZZ-ZZZZ-ZZZZ").await,
            Err(MailboxError::Missing(_))
        ));
        assert!(!dir.path().join("fetched/ZZZZ-ZZZZ-ZZZZ").exists());

        std::fs::write(dir.path().join("DDDD-EEEE-FFFF.json"), b"{ not json").unwrap();
        std::fs::write(
            dir.path().join("GGGG-HHHH-JJJJ.json"),
            meta("KKKK-MMMM-NNNN", b"x").to_json(),
        )
        .unwrap();
        let later = mailbox.entries().await.unwrap();
        assert!(
            later[1]
                .meta
                .as_ref()
                .is_err_and(|why| why.contains("not readable")),
            "{later:?}"
        );
        assert!(
            later[2]
                .meta
                .as_ref()
                .is_err_and(|why| why.contains("another reference")),
            "{later:?}"
        );
        assert_eq!(
            states(later),
            [
                ("AAAA-BBBB-CCCC".to_owned(), true, true, true),
                ("DDDD-EEEE-FFFF".to_owned(), false, false, false),
                ("GGGG-HHHH-JJJJ".to_owned(), false, false, false)
            ]
        );
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

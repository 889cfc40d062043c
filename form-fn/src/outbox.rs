//! The outbox: a marker `outbox/<reference>` beside the stored submissions
//! for every application its office has not received yet. It is written
//! before the sealed package, so no stored application can lack one, and
//! removed once a transport delivered the package. It holds what delivery
//! needs (where the package is, its metadata) and how delivery went so far;
//! never a value the citizen typed. Offices that wait too long are alerted
//! with a marker `alerts/<reference>` and a log event.

use std::time::{SystemTime, UNIX_EPOCH};

use sealed_store::package::PackageMeta;
use sealed_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

const OUTBOX: &str = "outbox";
const ALERTS: &str = "alerts";
/// The longest wait between two attempts.
const MAX_BACKOFF_SECONDS: u64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// The municipality whose transport delivers it.
    pub slug: String,
    /// Object key of the sealed package in the store.
    pub key: String,
    pub meta: PackageMeta,
    /// Unix seconds when the citizen's application was stored.
    pub queued_at: u64,
    /// Attempts started so far (counted before each attempt is made).
    pub attempts: u32,
    /// Unix seconds before which the drain leaves it alone.
    pub next_attempt_at: u64,
    /// Why the last attempt failed (the transport's words, no application data).
    #[serde(default)]
    pub last_error: Option<String>,
    /// Whether the office was alerted that delivery is overdue.
    #[serde(default)]
    pub alerted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("outbox marker {0} is not readable: {1}")]
    Unreadable(String, String),
}

impl Pending {
    /// A marker for a package about to be stored, due at once.
    pub fn new(slug: &str, key: &str, meta: PackageMeta) -> Self {
        let now = unix_now();
        Self {
            slug: slug.to_owned(),
            key: key.to_owned(),
            meta,
            queued_at: now,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            alerted: false,
        }
    }

    pub fn reference(&self) -> &str {
        &self.meta.reference
    }

    /// Counts an attempt and schedules the next one, before the attempt is
    /// made: if the process dies during it, the next try knows it may have
    /// got through, and other drains leave it alone until then.
    pub fn start_attempt(&mut self, now: u64) {
        self.attempts += 1;
        self.next_attempt_at = now + backoff_seconds(self.attempts);
    }

    /// Seconds since the application was stored.
    pub fn age(&self, now: u64) -> u64 {
        now.saturating_sub(self.queued_at)
    }
}

/// Wait after the n-th attempt failed: 1, 2, 4, … minutes, at most an hour.
pub fn backoff_seconds(attempts: u32) -> u64 {
    let doublings = attempts.saturating_sub(1).min(12);
    (60u64 << doublings).min(MAX_BACKOFF_SECONDS)
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn marker_key(reference: &str) -> String {
    format!("{OUTBOX}/{reference}")
}

fn to_json(pending: &Pending) -> Vec<u8> {
    serde_json::to_vec_pretty(pending).unwrap_or_default()
}

/// Queues a new package. Refuses (`Exists`) if the reference is queued
/// already, which makes the marker the check that a reference is unused.
pub async fn enqueue(store: &Store, pending: &Pending) -> Result<(), StoreError> {
    store
        .put_new(&marker_key(pending.reference()), to_json(pending))
        .await
}

pub async fn save(store: &Store, pending: &Pending) -> Result<(), StoreError> {
    store
        .put(&marker_key(pending.reference()), to_json(pending))
        .await
}

pub async fn load(store: &Store, reference: &str) -> Result<Option<Pending>, OutboxError> {
    let Some(bytes) = store.get(&marker_key(reference)).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| OutboxError::Unreadable(reference.to_owned(), e.to_string()))
}

/// Removes the marker (and its alert): the package reached its office.
pub async fn remove(store: &Store, reference: &str) -> Result<(), StoreError> {
    store.delete(&marker_key(reference)).await?;
    store.delete(&format!("{ALERTS}/{reference}")).await
}

/// References waiting for delivery, in name order.
pub async fn references(store: &Store) -> Result<Vec<String>, StoreError> {
    store.list(OUTBOX).await
}

/// Leaves `alerts/<reference>` for operators and the office to find.
pub async fn raise_alert(store: &Store, pending: &Pending) -> Result<(), StoreError> {
    store
        .put(
            &format!("{ALERTS}/{}", pending.reference()),
            to_json(pending),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealed_store::package::Municipality;

    fn pending(reference: &str) -> Pending {
        Pending::new(
            "bielefeld",
            &format!("submissions/05711000/2026/11/23/{reference}.age"),
            PackageMeta::of(
                b"sealed",
                reference,
                Municipality::new("bielefeld", "05711000"),
                "einbuergerung",
                "2026-11-23T01:42:07Z",
            ),
        )
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let waits: Vec<u64> = (1..=9).map(backoff_seconds).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(backoff_seconds(u32::MAX), 3600);
    }

    #[test]
    fn an_attempt_is_counted_and_the_next_scheduled_before_it_is_made() {
        let mut p = pending("AAAA-BBBB-CCCC");
        assert_eq!(p.attempts, 0);
        p.start_attempt(1000);
        p.start_attempt(1000);
        assert_eq!((p.attempts, p.next_attempt_at), (2, 1120));
    }

    #[tokio::test]
    async fn markers_are_queued_once_loaded_saved_and_removed_with_their_alert() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::Folder(dir.path().to_path_buf());
        let mut p = pending("AAAA-BBBB-CCCC");
        enqueue(&store, &p).await.unwrap();
        assert!(matches!(
            enqueue(&store, &p).await,
            Err(StoreError::Exists(_))
        ));
        p.start_attempt(unix_now());
        save(&store, &p).await.unwrap();
        raise_alert(&store, &p).await.unwrap();
        assert_eq!(load(&store, "AAAA-BBBB-CCCC").await.unwrap(), Some(p));
        assert_eq!(references(&store).await.unwrap(), ["AAAA-BBBB-CCCC"]);
        remove(&store, "AAAA-BBBB-CCCC").await.unwrap();
        assert_eq!(load(&store, "AAAA-BBBB-CCCC").await.unwrap(), None);
        assert!(store.list(ALERTS).await.unwrap().is_empty());
        std::fs::create_dir_all(dir.path().join("outbox")).unwrap();
        std::fs::write(dir.path().join("outbox/BAD"), b"{").unwrap();
        assert!(matches!(
            load(&store, "BAD").await,
            Err(OutboxError::Unreadable(..))
        ));
    }
}

//! The outbox: a marker `outbox/<reference>` beside the stored submissions
//! for every application its office has not received yet. It is written
//! before the sealed package, so no stored application can lack one, and
//! removed once a transport delivered the package. It holds what delivery
//! needs (where the package is, its metadata) and how delivery went so far;
//! never a value the citizen typed. Offices that wait too long are alerted
//! with a marker `alerts/<reference>` and a log event.

use std::time::{SystemTime, UNIX_EPOCH};

use form_spec::document::is_reference;
use sealed_store::package::PackageMeta;
use sealed_store::{Store, StoreError, Version};
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
    /// The process sending it now, and until when others leave it alone.
    #[serde(default)]
    pub lease: Option<Lease>,
}

/// A claim on one attempt, written into the marker with a conditional write
/// before the attempt: only one process (of any host) sends a package at a
/// time. It ends when the attempt is recorded, when it expires, or when its
/// holder is found dead on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// This machine's boot id and this process's pid namespace (Linux): a
    /// holder with both the same can be checked for life by its pid.
    pub boot_id: String,
    #[serde(default)]
    pub pid_namespace: String,
    pub pid: u32,
    /// Random, new for every attempt: tells two claims of one process apart.
    #[serde(default)]
    pub nonce: u64,
    /// Unix seconds after which anyone may take over.
    pub until: u64,
}

/// Longest an attempt may take: an XTA 2 retry asks for the transport report
/// and then sends, each allowed the longest transport timeout (300 s), plus
/// a margin. Then a lease is stale even if its holder cannot be checked.
pub const LEASE_SECONDS: u64 = 2 * 300 + 60;

/// Whether a lease or claim taken at `since` has run out at `now`.
pub fn lease_expired(since: u64, now: u64) -> bool {
    now >= since.saturating_add(LEASE_SECONDS)
}

impl Lease {
    /// A lease for this process from `now`.
    pub fn mine(now: u64) -> Self {
        let mut nonce = [0u8; 8];
        // Without randomness the pid and time still tell most claims apart.
        let _ = getrandom::fill(&mut nonce);
        Self {
            boot_id: boot_id(),
            pid_namespace: pid_namespace(),
            pid: std::process::id(),
            nonce: u64::from_le_bytes(nonce),
            until: now + LEASE_SECONDS,
        }
    }

    /// Whether someone holds it: not expired, and its holder not known dead.
    /// Only a holder in this boot and this pid namespace can be known dead
    /// (another container on this host shares the boot, not the pids).
    pub fn held(&self, now: u64) -> bool {
        let checkable = !self.boot_id.is_empty()
            && self.boot_id == boot_id()
            && !self.pid_namespace.is_empty()
            && self.pid_namespace == pid_namespace();
        let dead_here = checkable && !std::path::Path::new(&format!("/proc/{}", self.pid)).exists();
        self.until > now && !dead_here
    }
}

/// This process's pid namespace, e.g. `pid:[4026531836]`.
fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|link| link.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// This boot of this machine (a Lambda instance is a machine of its own).
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_owned())
        .unwrap_or_default()
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
            lease: None,
        }
    }

    pub fn reference(&self) -> &str {
        &self.meta.reference
    }

    /// Counts an attempt, schedules the next one and takes the lease,
    /// before the attempt is made: if the process dies during it, the next
    /// try knows it may have got through, and other drains leave it alone.
    pub fn start_attempt(&mut self, now: u64) {
        self.attempts += 1;
        self.next_attempt_at = now + backoff_seconds(self.attempts);
        self.lease = Some(Lease::mine(now));
    }

    /// Whether another attempt holds the package now.
    pub fn leased(&self, now: u64) -> bool {
        self.lease.as_ref().is_some_and(|lease| lease.held(now))
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

/// The marker that queues a new package, as the object to write before
/// it ([`sealed_store::Store::put_new_together`]). Writing it is refused
/// (`Exists`) if the reference is queued already, which makes the marker
/// the check that a reference is unused.
pub fn marker(pending: &Pending) -> (String, Vec<u8>) {
    (marker_key(pending.reference()), to_json(pending))
}

/// Writes the marker back only if nobody changed or removed it since
/// `version` was read (or written by us): a delivered and removed marker is
/// never revived, and two processes never both take the same attempt.
pub async fn save_if(
    store: &Store,
    pending: &Pending,
    version: &Version,
) -> Result<Version, StoreError> {
    store
        .put_if(&marker_key(pending.reference()), to_json(pending), version)
        .await
}

/// The marker and the version it was read at.
pub async fn load(
    store: &Store,
    reference: &str,
) -> Result<Option<(Pending, Version)>, OutboxError> {
    let unreadable = |why: String| OutboxError::Unreadable(reference.to_owned(), why);
    if !is_reference(reference) {
        return Err(unreadable("its name is not a reference".to_owned()));
    }
    let Some((bytes, version)) = store.get_versioned(&marker_key(reference)).await? else {
        return Ok(None);
    };
    let pending: Pending = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
    check_marker(reference, &pending).map_err(unreadable)?;
    Ok(Some((pending, version)))
}

/// A marker is trusted only as far as form-fn writes them: its reference is
/// its name, and its package lies where form-fn stores packages,
/// `submissions/<ags>/<yyyy>/<mm>/<dd>/<reference>.age`, under that key's AGS.
/// Anything else (a path out of the store, another application's package)
/// is never read or sent.
fn check_marker(reference: &str, pending: &Pending) -> Result<(), String> {
    if pending.meta.reference != reference {
        return Err(format!(
            "it names the reference {} instead",
            pending.meta.reference
        ));
    }
    let parts: Vec<&str> = pending.key.split('/').collect();
    let digits =
        |part: &str, count: usize| part.len() == count && part.bytes().all(|b| b.is_ascii_digit());
    let laid_out = matches!(
        parts.as_slice(),
        ["submissions", ags, year, month, day, file]
            if digits(ags, 8)
                && *ags == pending.meta.municipality.ags
                && digits(year, 4)
                && digits(month, 2)
                && digits(day, 2)
                && *file == format!("{reference}.age")
    );
    if laid_out {
        Ok(())
    } else {
        Err(format!(
            "its package key `{}` is not where form-fn stores packages",
            pending.key
        ))
    }
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
        assert!(p.leased(1000), "this process holds it");
        assert!(!p.leased(1000 + LEASE_SECONDS), "until the lease runs out");
        let mut dead = Lease::mine(1000);
        dead.pid = u32::MAX; // no such process on this machine
        p.lease = Some(dead);
        assert!(!p.leased(1000), "a dead holder's lease is no lease");
    }

    #[tokio::test]
    async fn markers_are_queued_once_loaded_saved_and_removed_with_their_alert() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::folder(dir.path());
        let mut p = pending("AAAA-BBBB-CCCC");
        store.put_new_together(vec![marker(&p)]).await.unwrap();
        assert!(matches!(
            store.put_new_together(vec![marker(&p)]).await,
            Err(StoreError::Exists(_))
        ));
        let (_, version) = load(&store, "AAAA-BBBB-CCCC").await.unwrap().unwrap();
        p.start_attempt(unix_now());
        let newer = save_if(&store, &p, &version).await.unwrap();
        assert!(
            matches!(
                save_if(&store, &p, &version).await,
                Err(StoreError::Changed(_))
            ),
            "a second writer with the old version is refused"
        );
        raise_alert(&store, &p).await.unwrap();
        assert_eq!(
            load(&store, "AAAA-BBBB-CCCC").await.unwrap(),
            Some((p.clone(), newer))
        );
        assert_eq!(references(&store).await.unwrap(), ["AAAA-BBBB-CCCC"]);
        remove(&store, "AAAA-BBBB-CCCC").await.unwrap();
        assert_eq!(load(&store, "AAAA-BBBB-CCCC").await.unwrap(), None);
        assert!(store.list(ALERTS).await.unwrap().is_empty());
        std::fs::create_dir_all(dir.path().join("outbox")).unwrap();
        std::fs::write(dir.path().join("outbox/AAAA-BBBB-DDDD"), b"{").unwrap();
        assert!(matches!(
            load(&store, "AAAA-BBBB-DDDD").await,
            Err(OutboxError::Unreadable(..))
        ));
        assert!(matches!(
            load(&store, "../secrets").await,
            Err(OutboxError::Unreadable(..))
        ));
    }

    #[tokio::test]
    async fn a_marker_that_points_elsewhere_is_never_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::folder(dir.path());
        for (reference, key) in [
            (
                "AAAA-BBBB-CCCC",
                "submissions/05711000/2026/11/23/../../../../etc/passwd",
            ),
            ("AAAA-BBBB-CCCC", "/etc/passwd"),
            (
                "AAAA-BBBB-CCCC",
                "submissions/05711000/2026/11/23/ZZZZ-ZZZZ-ZZZZ.age",
            ),
            (
                "AAAA-BBBB-CCCC",
                "submissions/05315000/2026/11/23/AAAA-BBBB-CCCC.age",
            ),
            ("AAAA-BBBB-CCCC", "outbox/AAAA-BBBB-CCCC"),
        ] {
            let mut p = pending(reference);
            p.key = key.to_owned();
            store
                .put(&marker_key(reference), to_json(&p))
                .await
                .unwrap();
            let loaded = load(&store, reference).await;
            assert!(
                matches!(&loaded, Err(OutboxError::Unreadable(_, why)) if why.contains("not where")),
                "{key}: {loaded:?}"
            );
        }
        let mut renamed = pending("AAAA-BBBB-CCCC");
        renamed.meta.reference = "ZZZZ-ZZZZ-ZZZZ".to_owned();
        store
            .put(&marker_key("ZZZZ-ZZZZ-ZZZZ"), to_json(&renamed))
            .await
            .unwrap();
        std::fs::rename(
            dir.path().join("outbox/ZZZZ-ZZZZ-ZZZZ"),
            dir.path().join("outbox/AAAA-BBBB-CCCC"),
        )
        .unwrap();
        assert!(matches!(
            load(&store, "AAAA-BBBB-CCCC").await,
            Err(OutboxError::Unreadable(..))
        ));
    }
}

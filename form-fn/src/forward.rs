//! Forwarding from the outbox to the offices: one delivery attempt for a
//! pending package, and the drain that tries every due one (run on a
//! schedule in Lambda, by `form-fn drain`, and every minute by `form-fn
//! serve`). A failed attempt is retried with backoff; when a package has
//! waited longer than `alert_after`, the office is alerted once (log event
//! `delivery_overdue` and `alerts/<reference>`), and retries go on: a stored
//! application is never dropped. Once a transport reported success, the
//! office's notification is queued (`notify`) before the outbox marker goes,
//! and the drain retries notifications too.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use form_spec::registry::Registry;
use futures_util::StreamExt;
use sealed_store::{Store, StoreError, Version};

use crate::notify::{Notifier, NotifySummary, Sent};
use crate::outbox::{self, Pending, unix_now};
use crate::transport::{self, DeliveryError, Package, Transport};

/// A marker whose package is not in the store after this long is alerted
/// (the package may have been lost after the citizen got a receipt); it stays.
const ORPHAN_AFTER_SECONDS: u64 = 3600;
/// How long a claim waits for the claims of others before it counts them.
const CLAIM_SETTLE: Duration = Duration::from_millis(300);
/// Where processes claim attempts: `claims/<reference>/<attempt>-<time>-<nonce>`.
const CLAIMS: &str = "claims";
/// Deliveries one drain makes at the same time (each claim waits
/// `CLAIM_SETTLE` in a bucket, so more run side by side).
const PARALLEL_DELIVERIES: usize = 8;

/// Whether to respect the backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Only packages whose next attempt is due.
    Due,
    /// Every pending package, now (after an outage was fixed).
    Now,
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; with how the office's notification went, if it has one.
    Delivered(Option<Sent>),
    Failed,
    NotDue,
    /// Nothing to deliver (delivered meanwhile, or a marker without package).
    Gone,
}

/// What a drain did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainSummary {
    pub delivered: usize,
    pub failed: usize,
    pub not_due: usize,
    /// Notifications sent and not (yet) sent in this pass.
    pub notifications: NotifySummary,
}

pub struct Forwarder {
    registry: Arc<Registry>,
    store: Arc<Store>,
    alert_after: Duration,
    /// Built on first use per municipality: a missing secret must not stop
    /// form-fn from accepting applications, only their delivery.
    transports: Mutex<HashMap<String, Arc<dyn Transport>>>,
    /// The immediate forward and the periodic drain must not both send one package.
    in_flight: InFlight,
    /// form-fn's signing key, read once; `Err` says why it cannot sign
    /// (then nothing is sent: offices refuse unsigned packages).
    signing_key: Result<ed25519_dalek::SigningKey, String>,
    /// Tells offices that an application arrived, where `notify:` says so.
    notifier: Notifier,
}

/// The private key of the registry's `signing`, read from its source.
fn signing_key(registry: &Registry) -> Result<ed25519_dalek::SigningKey, String> {
    let signing = registry
        .signing
        .as_ref()
        .ok_or("the registry names none (site.yaml `signing:`)")?;
    let secret = zeroize::Zeroizing::new(
        transport::read_source(&signing.key, "signing key").map_err(|e| e.to_string())?,
    );
    let key = sealed_store::package::parse_signing_key(&secret).map_err(|e| e.to_string())?;
    let public = sealed_store::package::public_key_text(&key.verifying_key());
    if signing.public_keys.iter().any(|k| k.as_str() == public) {
        Ok(key)
    } else {
        Err(format!(
            "its public key {public} is not among `public_keys`, so offices would refuse what it signs"
        ))
    }
}

/// References being forwarded by this process right now.
#[derive(Default)]
struct InFlight(Mutex<HashSet<String>>);

impl InFlight {
    /// Claims `reference`; `None` if it is being forwarded already.
    fn claim(&self, reference: &str) -> Option<Claim<'_>> {
        let mut set = self.0.lock().ok()?;
        set.insert(reference.to_owned()).then(|| Claim {
            in_flight: self,
            reference: reference.to_owned(),
        })
    }
}

/// A reference claimed for one attempt; released when dropped.
struct Claim<'a> {
    in_flight: &'a InFlight,
    reference: String,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.in_flight.0.lock() {
            set.remove(&self.reference);
        }
    }
}

impl Forwarder {
    pub fn new(registry: Arc<Registry>, store: Arc<Store>, alert_after: Duration) -> Self {
        Self {
            signing_key: signing_key(&registry),
            notifier: Notifier::new(Arc::clone(&registry), Arc::clone(&store)),
            registry,
            store,
            alert_after,
            transports: Mutex::new(HashMap::new()),
            in_flight: InFlight::default(),
        }
    }

    /// Builds every online office's transport once, so that a missing secret
    /// or certificate shows in the log at start rather than at the first
    /// application.
    pub fn check_transports(&self) {
        if let Err(reason) = &self.signing_key {
            tracing::error!(event = "signing_key_unusable", error = %reason, "cannot sign packages: nothing is delivered until the signing key works");
        }
        let online = self
            .registry
            .municipalities
            .iter()
            .filter(|(_, entry)| !entry.forms.is_empty());
        for (slug, _) in online {
            if let Err(error) = self.transport(slug) {
                tracing::error!(event = "transport_unusable", municipality = %slug, error = %error, "cannot deliver to this office until its transport settings work");
            }
        }
        self.notifier.check_channels();
    }

    fn transport(&self, slug: &str) -> Result<Arc<dyn Transport>, DeliveryError> {
        if let Some(built) = self
            .transports
            .lock()
            .ok()
            .and_then(|cache| cache.get(slug).cloned())
        {
            return Ok(built);
        }
        let entry = self.registry.municipalities.get(slug).ok_or_else(|| {
            DeliveryError::Settings(format!("municipality {slug} is no longer in the registry"))
        })?;
        let settings = entry.transport.as_ref().ok_or_else(|| {
            DeliveryError::Settings(format!("municipality {slug} has no transport"))
        })?;
        let built: Arc<dyn Transport> = Arc::from(transport::build(settings, entry)?);
        if let Ok(mut cache) = self.transports.lock() {
            cache.insert(slug.to_owned(), Arc::clone(&built));
        }
        Ok(built)
    }

    /// Tries to deliver the package queued under `reference` once.
    pub async fn forward(&self, reference: &str, when: When) -> Outcome {
        let Some(_claim) = self.in_flight.claim(reference) else {
            return Outcome::NotDue;
        };
        let (mut pending, version) = match outbox::load(&self.store, reference).await {
            Ok(Some(found)) => found,
            Ok(None) => return Outcome::Gone,
            Err(error) => {
                tracing::error!(event = "outbox_unreadable", reference = %reference, error = %error, "cannot read the outbox marker");
                return Outcome::Failed;
            }
        };
        let now = unix_now();
        // Another process is sending it (even `--now` waits for that).
        if pending.leased(now) || (when == When::Due && pending.next_attempt_at > now) {
            return Outcome::NotDue;
        }
        let sealed = match self.store.get(&pending.key).await {
            Ok(Some(sealed)) => sealed,
            Ok(None) => return self.missing_package(pending, &version, now).await,
            Err(error) => {
                tracing::warn!(event = "delivery_failed", reference = %reference, municipality = %pending.slug, error = %error, "cannot read the stored package");
                return Outcome::Failed;
            }
        };
        let earlier_attempts = pending.attempts;
        pending.start_attempt(now);
        let version = match self.claim(&pending, &version, now).await {
            Ok(Some(version)) => version,
            // Another process took this attempt (or delivered it) first.
            Ok(None) => return Outcome::NotDue,
            Err(error) => {
                tracing::warn!(event = "delivery_failed", reference = %reference, municipality = %pending.slug, error = %error, "cannot record the attempt; not sending");
                return Outcome::Failed;
            }
        };
        let started = Instant::now();
        let result = self.attempt(&pending, &sealed, earlier_attempts).await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok((kind, receipt)) => {
                let notified = self
                    .delivered(&pending, kind, &receipt, sealed.len(), duration_ms)
                    .await;
                Outcome::Delivered(notified)
            }
            Err(error) => {
                self.failed(&mut pending, &version, &error, now, duration_ms)
                    .await;
                self.forget_claims(reference).await;
                Outcome::Failed
            }
        }
    }

    /// The transport reported success: delivery is complete. Queues the
    /// office's notification before the marker goes (a crash in between
    /// means a second, idempotent delivery, never a lost notification),
    /// removes the marker, then tries the notification once.
    async fn delivered(
        &self,
        pending: &Pending,
        kind: &str,
        receipt: &transport::Receipt,
        bytes: usize,
        duration_ms: f64,
    ) -> Option<Sent> {
        let reference = pending.reference();
        self.forget_claims(reference).await;
        let delivered_at = form_spec::date::UtcTime::now().rfc3339();
        let notify = self
            .notifier
            .queue(&pending.meta, &pending.slug, &delivered_at)
            .await;
        if let Err(error) = outbox::remove(&self.store, reference).await {
            // The next attempt will find the package at its receiver.
            tracing::warn!(reference = %reference, error = %error, "delivered, but the outbox marker stays for now");
        }
        tracing::info!(event = "delivered", reference = %reference, municipality = %pending.slug, transport = kind, attempts = pending.attempts, bytes, duration_ms, receipt = %receipt.0, "delivered to the office");
        if notify {
            Some(self.notifier.send(reference, When::Due).await)
        } else {
            None
        }
    }

    async fn attempt(
        &self,
        pending: &Pending,
        sealed: &[u8],
        earlier_attempts: u32,
    ) -> Result<(&'static str, transport::Receipt), DeliveryError> {
        if !pending.meta.matches(sealed) {
            return Err(DeliveryError::Storage(
                "the stored package does not match its metadata (size or SHA-256)".to_owned(),
            ));
        }
        let key = self
            .signing_key
            .as_ref()
            .map_err(|reason| DeliveryError::Settings(format!("signing key: {reason}")))?;
        let mut meta = pending.meta.clone();
        meta.sign(key);
        let transport = self.transport(&pending.slug)?;
        let package = Package {
            meta: &meta,
            sealed,
            earlier_attempts,
        };
        let receipt = transport.deliver(&package).await?;
        Ok((transport.kind(), receipt))
    }

    async fn failed(
        &self,
        pending: &mut Pending,
        version: &Version,
        error: &DeliveryError,
        now: u64,
        duration_ms: f64,
    ) {
        let reference = pending.reference().to_owned();
        pending.last_error = Some(error.to_string());
        pending.lease = None;
        let overdue = Duration::from_secs(pending.age(now)) >= self.alert_after;
        let failed_at_receiver = matches!(error, DeliveryError::FailedAtReceiver(_));
        if !pending.alerted && (overdue || failed_at_receiver) {
            pending.alerted = true;
            if failed_at_receiver {
                tracing::error!(event = "delivery_failed_at_receiver", reference = %reference, municipality = %pending.slug, attempts = pending.attempts, error = %error, "the transport reports that this application did not reach the office: it stays pending");
            } else {
                tracing::error!(event = "delivery_overdue", reference = %reference, municipality = %pending.slug, attempts = pending.attempts, waiting_s = pending.age(now), error = %error, "the office has not received this application yet: check the transport");
            }
            self.alert(pending).await;
        }
        if let Err(store_error) = outbox::save_if(&self.store, pending, version).await {
            tracing::warn!(reference = %reference, error = %store_error, "cannot record the failed attempt");
        }
        tracing::warn!(event = "delivery_failed", reference = %reference, municipality = %pending.slug, attempts = pending.attempts, next_attempt_in_s = pending.next_attempt_at.saturating_sub(now), duration_ms, error = %error, "delivery failed; will try again");
    }

    /// Takes the attempt recorded in `pending` (with its lease). Every
    /// process that wants attempt N of a package first writes a claim object
    /// of its own, `claims/<reference>/<N>-<unix time>-<nonce>`, waits, and
    /// lists the claims: the earliest live one for N takes the attempt and
    /// records it in the marker with a conditional write over the version it
    /// read. Claims keep writers off one key while they race, which matters
    /// on stores whose conditional writes are not atomic (s3s-fs: two
    /// writers on one key could both win or leave it unreadable). A claimant
    /// that comes after the winner has listed can still believe it won; then
    /// the conditional write decides, which AWS S3 makes atomic. A losing
    /// claim is removed at once; a claim older than a lease is ignored, so
    /// one left by a process that died cannot block the package. A folder
    /// store needs no claims: its conditional write holds a lock. `None`:
    /// someone else takes it.
    async fn claim(
        &self,
        pending: &Pending,
        version: &Version,
        now: u64,
    ) -> Result<Option<Version>, StoreError> {
        // A folder store's conditional write holds a lock: it alone decides.
        if matches!(*self.store, Store::Folder(_)) {
            return self.record_attempt(pending, version).await;
        }
        let reference = pending.reference();
        let nonce = pending.lease.as_ref().map_or(0, |lease| lease.nonce);
        let attempt = format!("{:08}-", pending.attempts);
        let mine = format!("{attempt}{now:010}-{nonce:016x}");
        let key = format!("{CLAIMS}/{reference}/{mine}");
        self.store.put_new(&key, Vec::new()).await?;
        tokio::time::sleep(CLAIM_SETTLE).await;
        let claims = self.store.list(&format!("{CLAIMS}/{reference}")).await;
        let first = claims.as_ref().ok().and_then(|claims| {
            claims.iter().find(|name| {
                name.strip_prefix(&attempt)
                    .and_then(|rest| rest.split('-').next())
                    .and_then(|time| time.parse::<u64>().ok())
                    .is_some_and(|time| !outbox::lease_expired(time, now))
            })
        });
        let written = if first == Some(&mine) {
            self.record_attempt(pending, version).await
        } else {
            claims.map(|_| None)
        };
        if !matches!(written, Ok(Some(_))) {
            let _ = self.store.delete(&key).await;
        }
        written
    }

    /// Writes the attempt into the marker over `version`; `None` if someone
    /// else changed or removed the marker since.
    async fn record_attempt(
        &self,
        pending: &Pending,
        version: &Version,
    ) -> Result<Option<Version>, StoreError> {
        match outbox::save_if(&self.store, pending, version).await {
            Ok(written) => Ok(Some(written)),
            Err(StoreError::Changed(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Removes the claims of a package whose attempt has ended.
    async fn forget_claims(&self, reference: &str) {
        let folder = format!("{CLAIMS}/{reference}");
        if let Ok(names) = self.store.list(&folder).await {
            for name in names {
                let _ = self.store.delete(&format!("{folder}/{name}")).await;
            }
        }
    }

    /// Leaves `alerts/<reference>` for operators and the office.
    async fn alert(&self, pending: &Pending) {
        if let Err(store_error) = outbox::raise_alert(&self.store, pending).await {
            tracing::warn!(reference = %pending.reference(), error = %store_error, "cannot write the alert marker");
        }
    }

    /// The marker's package is not in the store. Just after the marker was
    /// written, it may still be on its way. Later it is never dropped
    /// silently: the citizen may hold a receipt for it (a power loss, a
    /// retention rule that deleted it too early), so operators are alerted,
    /// the marker stays, and it is looked at again after the usual pause.
    async fn missing_package(&self, mut pending: Pending, version: &Version, now: u64) -> Outcome {
        if pending.age(now) < ORPHAN_AFTER_SECONDS {
            return Outcome::NotDue;
        }
        pending.start_attempt(now);
        pending.lease = None;
        pending.last_error = Some("the sealed package is missing from the store".to_owned());
        if !pending.alerted {
            pending.alerted = true;
            tracing::error!(event = "package_missing", reference = %pending.reference(), municipality = %pending.slug, key = %pending.key, "the outbox names a package the store does not have: find out whether the citizen was given this reference");
            self.alert(&pending).await;
        }
        if let Err(store_error) = outbox::save_if(&self.store, &pending, version).await {
            tracing::warn!(reference = %pending.reference(), error = %store_error, "cannot record the missing package");
        }
        Outcome::Failed
    }

    /// Tries every pending package (`Due`: those whose time has come), then
    /// every queued notification.
    pub async fn drain(&self, when: When) -> Result<DrainSummary, StoreError> {
        let references = outbox::references(&self.store).await?;
        let outcomes: Vec<Outcome> = futures_util::stream::iter(references)
            .map(|reference| async move { self.forward(&reference, when).await })
            .buffer_unordered(PARALLEL_DELIVERIES)
            .collect()
            .await;
        let mut summary = DrainSummary::default();
        for outcome in outcomes {
            match outcome {
                Outcome::Delivered(notified) => {
                    summary.delivered += 1;
                    match notified {
                        Some(Sent::Yes) => summary.notifications.sent += 1,
                        Some(Sent::Failed) => summary.notifications.failed += 1,
                        _ => {}
                    }
                }
                Outcome::Failed => summary.failed += 1,
                Outcome::NotDue => summary.not_due += 1,
                Outcome::Gone => {}
            }
        }
        // Deliveries happened whatever becomes of the notifications.
        match self.notifier.drain(when).await {
            Ok(notifications) => {
                summary.notifications.sent += notifications.sent;
                summary.notifications.failed += notifications.failed;
            }
            Err(error) => {
                tracing::warn!(event = "notification_failed", error = %error, "cannot list the queued notifications");
            }
        }
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_forwarded_by_one_task_at_a_time() {
        let in_flight = InFlight::default();
        let first = in_flight.claim("K7MV-XPQ2-HD9R");
        assert!(first.is_some());
        assert!(in_flight.claim("K7MV-XPQ2-HD9R").is_none());
        assert!(in_flight.claim("AAAA-BBBB-CCCC").is_some());
        drop(first);
        assert!(in_flight.claim("K7MV-XPQ2-HD9R").is_some());
    }
}

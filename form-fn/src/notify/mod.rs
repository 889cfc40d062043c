//! Telling the office that an application reached it: an e-mail and/or a
//! webhook, as the municipality's `notify:` says (form-spec's settings).
//!
//! Delivery is complete when the transport reported success; a notification
//! never blocks or undoes it. Right then, before the outbox marker goes,
//! form-fn writes a durable marker `notify/<reference>` into its store: a
//! Lambda instance frozen or a process killed after delivery loses no
//! notification, the next drain sends it. It is tried at once, then by every
//! drain with growing pauses (1, 2, 4 … minutes, at most an hour), at most
//! [`MAX_ATTEMPTS`] times (about seven hours); then it is given up with the
//! log event `notification_abandoned`, and the office still sees the
//! application with `office list`. A failure is logged with reference,
//! municipality and reason only.
//!
//! A notification says that something arrived, never what: reference, time
//! of receipt and of delivery, municipality. The marker holds the same and
//! nothing else; no value the citizen typed is ever read here.

mod email;
mod webhook;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use form_spec::notify::Notify;
use form_spec::registry::{MunicipalityEntry, Registry};
use futures_util::StreamExt;
use sealed_store::package::PackageMeta;
use sealed_store::{Store, StoreError, Version};
use serde::{Deserialize, Serialize};

use crate::forward::When;
use crate::outbox::{backoff_seconds, unix_now};

/// Where the markers are: `notify/<reference>`.
const NOTIFY: &str = "notify";
/// Attempts before a notification is given up: with the outbox's backoff
/// (1, 2, 4 … minutes, at most an hour) about seven hours of trying.
pub const MAX_ATTEMPTS: u32 = 12;
/// Notifications one drain sends at the same time.
const PARALLEL: usize = 4;

/// What a notification says, and how sending it went so far: the marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub reference: String,
    /// The municipality's slug, whose `notify:` applies.
    pub municipality: String,
    pub ags: String,
    /// When form-fn received the application (RFC 3339, UTC).
    pub received_at: String,
    /// When the transport reported success (RFC 3339, UTC).
    pub delivered_at: String,
    /// Attempts started so far (counted before each is made).
    #[serde(default)]
    pub attempts: u32,
    /// Unix seconds before which the drain leaves it alone.
    #[serde(default)]
    pub next_attempt_at: u64,
    /// Whether the e-mail went out (not sent again on a retry).
    #[serde(default)]
    pub email_sent: bool,
    #[serde(default)]
    pub webhook_sent: bool,
    /// Why the last attempt failed (the server's words, no application data).
    #[serde(default)]
    pub last_error: Option<String>,
}

impl Notice {
    /// The notice for a package `municipality` just received.
    #[must_use]
    pub fn delivered(meta: &PackageMeta, municipality: &str, delivered_at: &str) -> Self {
        Self {
            reference: meta.reference.clone(),
            municipality: municipality.to_owned(),
            ags: meta.municipality.ags.clone(),
            received_at: meta.received_at.clone(),
            delivered_at: delivered_at.to_owned(),
            attempts: 0,
            next_attempt_at: unix_now(),
            email_sent: false,
            webhook_sent: false,
            last_error: None,
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Every channel has it now.
    Yes,
    /// Some channel failed; tried again later (or given up).
    Failed,
    /// Not due, or another process is at it.
    NotDue,
    /// No marker (sent meanwhile, or nothing to send).
    Gone,
}

/// What one pass over the markers did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NotifySummary {
    pub sent: usize,
    pub failed: usize,
}

/// The e-mail and webhook of one municipality, built once.
struct Channels {
    email: Option<email::Mailer>,
    webhook: Option<webhook::Hook>,
}

impl Channels {
    /// Reads the secrets and certificates `notify` names.
    fn build(notify: &Notify, entry: &MunicipalityEntry) -> Result<Self, String> {
        let email = notify
            .email
            .as_ref()
            .map(|settings| email::Mailer::new(settings, entry))
            .transpose()
            .map_err(|e| format!("e-mail: {e}"))?;
        let webhook = notify
            .webhook
            .as_ref()
            .map(webhook::Hook::new)
            .transpose()
            .map_err(|e| format!("webhook: {e}"))?;
        Ok(Self { email, webhook })
    }
}

pub struct Notifier {
    registry: Arc<Registry>,
    store: Arc<Store>,
    /// Built on first use per municipality, like the transports: a missing
    /// secret stops only the notifications, and is retried.
    channels: Mutex<HashMap<String, Arc<Channels>>>,
    /// The attempt right after delivery and a drain must not both send one.
    in_flight: Mutex<HashSet<String>>,
}

fn marker_key(reference: &str) -> String {
    format!("{NOTIFY}/{reference}")
}

/// Which municipalities notify where, one line each, for the start message
/// (addresses and URLs, never a secret).
#[must_use]
pub fn destinations(registry: &Registry) -> Vec<String> {
    registry
        .municipalities
        .iter()
        .filter_map(|(slug, entry)| Some(format!("{slug}: {}", entry.notify.as_ref()?.describe())))
        .collect()
}

impl Notifier {
    pub fn new(registry: Arc<Registry>, store: Arc<Store>) -> Self {
        Self {
            registry,
            store,
            channels: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
        }
    }

    /// Builds every municipality's channels once, so that a missing secret
    /// shows in the log at start rather than after the first delivery.
    pub fn check_channels(&self) {
        for (slug, entry) in &self.registry.municipalities {
            if entry.notify.is_some()
                && let Err(error) = self.channels(slug)
            {
                tracing::error!(event = "notify_unusable", municipality = %slug, error = %error, "cannot notify this office until its notify settings work; deliveries go on");
            }
        }
    }

    fn channels(&self, slug: &str) -> Result<Arc<Channels>, String> {
        if let Some(built) = self
            .channels
            .lock()
            .ok()
            .and_then(|cache| cache.get(slug).cloned())
        {
            return Ok(built);
        }
        let entry = self
            .registry
            .municipalities
            .get(slug)
            .ok_or_else(|| format!("municipality {slug} is no longer in the registry"))?;
        let notify = entry
            .notify
            .as_ref()
            .ok_or_else(|| format!("municipality {slug} has no `notify:`"))?;
        let built = Arc::new(Channels::build(notify, entry)?);
        if let Ok(mut cache) = self.channels.lock() {
            cache.insert(slug.to_owned(), Arc::clone(&built));
        }
        Ok(built)
    }

    /// The transport delivered `meta` for `slug`: queues the notification
    /// durably (if the municipality has `notify:`) and tries it once. Called
    /// before the outbox marker is removed, so a crash in between means a
    /// second, idempotent delivery, never a lost notification.
    pub async fn queue(&self, meta: &PackageMeta, slug: &str, delivered_at: &str) -> bool {
        let wanted = self
            .registry
            .municipalities
            .get(slug)
            .is_some_and(|entry| entry.notify.is_some());
        if !wanted {
            return false;
        }
        let notice = Notice::delivered(meta, slug, delivered_at);
        let json = serde_json::to_vec_pretty(&notice).unwrap_or_default();
        match self
            .store
            .put_new(&marker_key(&notice.reference), json)
            .await
        {
            // Queued by an earlier delivery of the same package: one is enough.
            Ok(()) | Err(StoreError::Exists(_)) => true,
            Err(error) => {
                tracing::error!(event = "notification_failed", reference = %notice.reference, municipality = %slug, error = %error, "delivered, but the notification cannot be queued: the office is not told");
                false
            }
        }
    }

    /// Tries every queued notification (`Due`: those whose time has come).
    pub async fn drain(&self, when: When) -> Result<NotifySummary, StoreError> {
        let references = self.store.list(NOTIFY).await?;
        let outcomes: Vec<Sent> = futures_util::stream::iter(references)
            .map(|reference| async move { self.send(&reference, when).await })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        Ok(NotifySummary {
            sent: outcomes.iter().filter(|o| **o == Sent::Yes).count(),
            failed: outcomes.iter().filter(|o| **o == Sent::Failed).count(),
        })
    }

    /// One attempt at the notification queued under `reference`.
    pub async fn send(&self, reference: &str, when: When) -> Sent {
        let Some(_claim) = self.claim_in_process(reference) else {
            return Sent::NotDue;
        };
        let Some((mut notice, version)) = self.load(reference).await else {
            return Sent::Gone;
        };
        let now = unix_now();
        if when == When::Due && notice.next_attempt_at > now {
            return Sent::NotDue;
        }
        notice.attempts += 1;
        notice.next_attempt_at = now + backoff_seconds(notice.attempts);
        // Counted before it is made; another process that took it wins.
        let version = match self.save_if(&notice, &version).await {
            Ok(Some(version)) => version,
            Ok(None) => return Sent::NotDue,
            Err(error) => {
                tracing::warn!(event = "notification_failed", reference = %reference, municipality = %notice.municipality, error = %error, "cannot record the attempt; not sending");
                return Sent::Failed;
            }
        };
        let error = self.deliver(&mut notice).await.err();
        self.finish(notice, &version, error).await
    }

    /// Sends what is still missing; `Err` says why something failed.
    async fn deliver(&self, notice: &mut Notice) -> Result<(), String> {
        let channels = self.channels(&notice.municipality)?;
        let entry = self.registry.municipalities.get(&notice.municipality);
        let mut errors = Vec::new();
        if let (Some(mailer), false) = (&channels.email, notice.email_sent) {
            match mailer.send(notice, entry).await {
                Ok(()) => notice.email_sent = true,
                Err(error) => errors.push(format!("e-mail: {error}")),
            }
        }
        if let (Some(hook), false) = (&channels.webhook, notice.webhook_sent) {
            match hook.send(notice).await {
                Ok(()) => notice.webhook_sent = true,
                Err(error) => errors.push(format!("webhook: {error}")),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Removes the marker once everything was sent or the attempts are used
    /// up; otherwise records what went out and why the rest did not.
    async fn finish(&self, mut notice: Notice, version: &Version, error: Option<String>) -> Sent {
        let reference = notice.reference.clone();
        let municipality = notice.municipality.clone();
        let Some(error) = error else {
            self.remove(&reference).await;
            tracing::info!(event = "notified", reference = %reference, municipality = %municipality, attempts = notice.attempts, "the office was told that the application arrived");
            return Sent::Yes;
        };
        if notice.attempts >= MAX_ATTEMPTS {
            self.remove(&reference).await;
            tracing::error!(event = "notification_abandoned", reference = %reference, municipality = %municipality, attempts = notice.attempts, error = %error, "the office could not be told; the application is in its mailbox all the same (office list)");
            return Sent::Failed;
        }
        notice.last_error = Some(error.clone());
        if let Err(store_error) = self.save_if(&notice, version).await {
            tracing::warn!(reference = %reference, error = %store_error, "cannot record the failed notification");
        }
        tracing::warn!(event = "notification_failed", reference = %reference, municipality = %municipality, attempts = notice.attempts, next_attempt_in_s = notice.next_attempt_at.saturating_sub(unix_now()), error = %error, "the office could not be told yet; will try again");
        Sent::Failed
    }

    /// The marker and its version; an unreadable one is logged and removed
    /// (it can never be sent), and counts as gone.
    async fn load(&self, reference: &str) -> Option<(Notice, Version)> {
        let (bytes, version) = match self.store.get_versioned(&marker_key(reference)).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!(event = "notification_failed", reference = %reference, error = %error, "cannot read the notification marker");
                return None;
            }
        };
        match serde_json::from_slice::<Notice>(&bytes) {
            Ok(notice) if notice.reference == reference => Some((notice, version)),
            _ => {
                tracing::error!(event = "notification_abandoned", reference = %reference, "the notification marker is not readable; removed");
                self.remove(reference).await;
                None
            }
        }
    }

    /// Writes the marker over `version`; `None` if someone else changed or
    /// removed it since.
    async fn save_if(
        &self,
        notice: &Notice,
        version: &Version,
    ) -> Result<Option<Version>, StoreError> {
        let json = serde_json::to_vec_pretty(notice).unwrap_or_default();
        match self
            .store
            .put_if(&marker_key(&notice.reference), json, version)
            .await
        {
            Ok(written) => Ok(Some(written)),
            Err(StoreError::Changed(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn remove(&self, reference: &str) {
        if let Err(error) = self.store.delete(&marker_key(reference)).await {
            tracing::warn!(reference = %reference, error = %error, "cannot remove the notification marker");
        }
    }

    fn claim_in_process(&self, reference: &str) -> Option<InFlight<'_>> {
        let mut set = self.in_flight.lock().ok()?;
        set.insert(reference.to_owned()).then(|| InFlight {
            notifier: self,
            reference: reference.to_owned(),
        })
    }
}

/// A notification this process is sending; released when dropped.
struct InFlight<'a> {
    notifier: &'a Notifier,
    reference: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.notifier.in_flight.lock() {
            set.remove(&self.reference);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealed_store::package::Municipality;

    #[test]
    fn a_notice_holds_reference_times_and_municipality_only() {
        let meta = PackageMeta::of(
            b"sealed",
            "K7MV-XPQ2-HD9R",
            Municipality::new("bielefeld", "05711000"),
            "einbuergerung",
            "2026-11-23T01:42:07Z",
        );
        let notice = Notice::delivered(&meta, "bielefeld", "2026-11-23T01:42:09Z");
        let json: serde_json::Value = serde_json::to_value(&notice).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "ags",
                "attempts",
                "delivered_at",
                "email_sent",
                "last_error",
                "municipality",
                "next_attempt_at",
                "received_at",
                "reference",
                "webhook_sent"
            ]
        );
        assert_eq!(json["received_at"], "2026-11-23T01:42:07Z");
    }
}

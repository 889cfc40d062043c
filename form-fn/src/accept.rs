//! From a validated application to a sealed, queued and stored package:
//! reference, canonical document, age encryption to the office, outbox
//! marker, durable write. Only when all of that succeeded may the citizen be
//! told that the application arrived. The marker and the package are written
//! together, the marker first ([`Store::put_new_together`]), so that no
//! stored package can be missing from the outbox.

use std::sync::Arc;

use form_spec::date::UtcTime;
use form_spec::registry::MunicipalityEntry;
use form_spec::validate::Validated;
use sealed_store::package::{Municipality, PackageMeta};
use sealed_store::{Store, StoreError};
use tokio::sync::RwLock;

use zeroize::Zeroize;

use crate::document::{Submitted, canonical_json, object_key, wipe_values};
use crate::outbox::{self, Pending};
use crate::reference::new_reference;
use crate::seal::seal;

/// A stored application.
pub struct Stored {
    pub reference: String,
    pub key: String,
    pub sealed_bytes: usize,
}

/// A validated application with what it needs to be sealed and stored.
/// Its values and files are overwritten when it is dropped.
pub struct Application {
    pub slug: String,
    pub entry: MunicipalityEntry,
    pub form_id: String,
    pub form_version: u32,
    pub language: String,
    pub validated: Validated,
}

impl Drop for Application {
    fn drop(&mut self) {
        wipe_values(&mut self.validated.values);
        for attachment in &mut self.validated.attachments {
            attachment.bytes.zeroize();
            attachment.name.zeroize();
        }
    }
}

/// Seals, queues and stores applications, each in a task of its own so that
/// a citizen's connection that drops halfway cannot stop it between the
/// outbox marker and the package; and lets a server that stops wait for the
/// tasks still running.
pub struct Sealer {
    store: Arc<Store>,
    /// Each running task holds a read guard; `finish` takes the write guard.
    running: Arc<RwLock<()>>,
}

impl Sealer {
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            running: Arc::new(RwLock::new(())),
        }
    }

    /// Seals, queues and stores `application`; `None` if that was not
    /// possible (the reason is logged), in which case nothing is kept.
    pub async fn seal_and_store(&self, application: Application) -> Option<Stored> {
        let running = Arc::clone(&self.running).read_owned().await;
        let store = Arc::clone(&self.store);
        tokio::spawn(async move {
            let stored = seal_and_store_now(&store, &application).await;
            drop(running);
            stored
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits until every task started has finished and what they stored is
    /// durable by name (so a restart has no journal to replay).
    pub async fn finish(&self) {
        let _ = self.running.write().await;
        self.store.settle().await;
    }
}

async fn seal_and_store_now(store: &Store, application: &Application) -> Option<Stored> {
    let slug = application.slug.as_str();
    let entry = &application.entry;
    // A reference that is taken (in the outbox or the store) gets a new one.
    for _attempt in 0..3 {
        let reference = new_reference().ok()?;
        let received = UtcTime::now();
        let plaintext = canonical_json(&Submitted {
            reference: &reference,
            received,
            slug,
            ags: &entry.ags,
            municipality_name: &entry.name,
            form_id: &application.form_id,
            form_version: application.form_version,
            language: &application.language,
            values: &application.validated.values,
            attachments: &application.validated.attachments,
        });
        let sealed = match seal(&plaintext, &entry.recipients) {
            Ok(sealed) => sealed,
            Err(error) => {
                tracing::error!(municipality = %slug, error = %error, "cannot encrypt: check the recipients in the municipality file");
                return None;
            }
        };
        drop(plaintext);
        let key = object_key(&entry.ags, received, &reference);
        let meta = PackageMeta::of(
            &sealed,
            &reference,
            Municipality::new(slug, &entry.ags),
            &application.form_id,
            &received.rfc3339(),
        );
        let mut objects = Vec::with_capacity(2);
        if entry.transport.is_some() {
            objects.push(outbox::marker(&Pending::new(slug, &key, meta)));
        } else {
            tracing::warn!(municipality = %slug, reference = %reference, "no transport configured: the office must collect from the store itself");
        }
        let sealed_bytes = sealed.len();
        objects.push((key.clone(), sealed));
        match store.put_new_together(objects).await {
            Ok(()) => {
                return Some(Stored {
                    reference,
                    key,
                    sealed_bytes,
                });
            }
            Err(StoreError::Exists(_)) => continue,
            Err(error) => {
                tracing::warn!(municipality = %slug, reason = %error, "storage unavailable");
                return None;
            }
        }
    }
    None
}

//! Group commit for the folder store. Objects that must become durable
//! together (an application's outbox marker and its sealed package) are
//! appended to a journal, and one `fdatasync` makes a whole batch durable,
//! however many citizens submitted at the same moment: one durable write on
//! the citizen's path, shared. Only then does each caller link its objects
//! under their names (whole files, without a sync of their own; callers do
//! this in parallel) and tell the citizen.
//!
//! A checkpoint, on a thread of its own and off the citizen's path, waits
//! until every commit in a journal is linked, makes the names durable with
//! one `syncfs`, and removes the journal. After a crash, [`recover`] replays
//! every journal no live process holds, so each object a caller was told
//! about is there by name again. An object removed after it was linked (a
//! delivered outbox marker) may come back: the drain then delivers it once
//! more, with the same reference.
//!
//! Layout: `<root>/.journal/<pid>-<random>.log`, each locked (`flock`) by the
//! process appending to it while it is open. A record is its body's length
//! (`u32`, little-endian), the SHA-256 of the body, and the body:
//!
//! - `C`, id (`u64`, random start per process), object count (`u16`), then
//!   per object the key's length (`u16`), the key, the bytes' length (`u32`)
//!   and the bytes;
//! - `A`, id: the commit with that id was refused after it was journaled
//!   (one of its names was taken); replay skips it, whichever journal of
//!   the same crash holds it.
//!
//! A torn or corrupt record ends the replay of its journal: nobody was told
//! about it.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::{OwnedRwLockReadGuard, RwLock, Semaphore, oneshot};

use crate::StoreError;
use crate::crash::{point as crash_point, point_n};
use crate::store::{link_new_unsynced, sync_dir};

/// The journal folder inside the store (a dot name: listings leave it out).
pub(crate) const JOURNAL_DIR: &str = ".journal";
/// At most this many applications wait for the committer; more wait to get in.
const QUEUE_LIMIT: usize = 1024;
/// A batch ends at this many objects' bytes (or when nobody else waits).
const BATCH_BYTES: usize = 8 << 20;
/// A journal is checkpointed when it is this large or this old …
const SEGMENT_BYTES: u64 = 32 << 20;
const SEGMENT_AGE: Duration = Duration::from_secs(1);
/// … or when no application came for this long.
const IDLE: Duration = Duration::from_millis(200);
/// Journals handed over and not yet checkpointed; then the committer waits.
const CHECKPOINTS_WAITING: usize = 4;

/// Objects to be written together, in order.
pub(crate) type Objects = Vec<(String, Vec<u8>)>;

/// Held while a journaled commit is being linked: its journal is not
/// checkpointed before.
type Linking = OwnedRwLockReadGuard<()>;

/// What the committer answers a commit: its id, its objects back, and the
/// hold on its journal.
type Journaled = Result<(u64, Objects, Linking), StoreError>;

enum Request {
    Commit {
        objects: Objects,
        reply: oneshot::Sender<Journaled>,
    },
    /// Journal that a commit was refused; answered once that is durable.
    Abort { id: u64, reply: oneshot::Sender<()> },
    /// Checkpoint now and answer when it is done.
    Settle(oneshot::Sender<()>),
}

/// The committer of one folder store in this process: a thread that
/// journals and syncs batches, and a thread that checkpoints.
pub(crate) struct GroupCommit {
    root: PathBuf,
    requests: mpsc::Sender<Request>,
    room: Arc<Semaphore>,
}

impl GroupCommit {
    pub(crate) fn start(root: PathBuf) -> Self {
        let (requests, incoming) = mpsc::channel();
        let (handover, checkpoints) = mpsc::sync_channel(CHECKPOINTS_WAITING);
        let checkpoint_root = root.clone();
        std::thread::Builder::new()
            .name("store-checkpoint".to_owned())
            .spawn(move || checkpoint_loop(&checkpoint_root, &checkpoints))
            .ok();
        let mut first_id = [0u8; 8];
        // Without randomness, ids still differ by the process's start.
        let _ = getrandom::fill(&mut first_id);
        let committer = Committer {
            root: root.clone(),
            segment: None,
            // Half the range: a process never runs out of ids.
            next_id: u64::from_le_bytes(first_id) >> 1,
            handover,
        };
        std::thread::Builder::new()
            .name("store-commit".to_owned())
            .spawn(move || committer.run(&incoming))
            .ok();
        Self {
            root,
            requests,
            room: Arc::new(Semaphore::new(QUEUE_LIMIT)),
        }
    }

    /// Journals and syncs `objects` with whatever else is waiting, then
    /// links them under their names; returns once they are durable.
    pub(crate) async fn commit(&self, objects: Objects) -> Result<(), StoreError> {
        let room = Arc::clone(&self.room)
            .acquire_owned()
            .await
            .map_err(|_| gone())?;
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Commit { objects, reply })
            .map_err(|_| gone())?;
        let (id, objects, linking) = answer.await.map_err(|_| gone())??;
        drop(room);
        let root = self.root.clone();
        let linked = tokio::task::spawn_blocking(move || link_all(&root, &objects))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
            .and_then(|linked| linked);
        // Released first: the committer may be waiting for this journal's
        // checkpoint, which waits for this hold.
        drop(linking);
        if linked.is_err() {
            // Replay must not link what its caller was told failed.
            let (reply, answer) = oneshot::channel();
            if self.requests.send(Request::Abort { id, reply }).is_ok() {
                let _ = answer.await;
            }
        }
        crash_point("answered");
        linked
    }

    /// Returns once everything committed so far is durable by name and its
    /// journal removed (a stopping server calls it after its last commit,
    /// so that a restart replays nothing).
    pub(crate) async fn settle(&self) {
        let (reply, answer) = oneshot::channel();
        if self.requests.send(Request::Settle(reply)).is_ok() {
            let _ = answer.await;
        }
    }
}

fn gone() -> StoreError {
    StoreError::Unavailable("the store's committer has stopped".to_owned())
}

/// Links every object under its name, in order; if one is refused, the
/// ones linked before it are removed again.
fn link_all(root: &Path, objects: &Objects) -> Result<(), StoreError> {
    for (index, (key, bytes)) in objects.iter().enumerate() {
        if let Err(error) = link_new_unsynced(&root.join(key), bytes) {
            for (earlier, _) in &objects[..index] {
                let _ = std::fs::remove_file(root.join(earlier));
            }
            return Err(error);
        }
        point_n("linked", index + 1);
    }
    Ok(())
}

/// The journal being appended to: locked by this process while open.
struct Segment {
    file: File,
    path: PathBuf,
    bytes: u64,
    opened: Instant,
    /// Each commit being linked holds a read guard; the checkpoint takes
    /// the write guard.
    linking: Arc<RwLock<()>>,
}

/// A journal to checkpoint, and who waits for it.
struct Handover {
    segment: Option<Segment>,
    settled: Option<oneshot::Sender<()>>,
}

struct Committer {
    root: PathBuf,
    segment: Option<Segment>,
    next_id: u64,
    handover: mpsc::SyncSender<Handover>,
}

/// What one batch journals, and whom it answers.
#[derive(Default)]
struct Batch {
    records: Vec<u8>,
    commits: Vec<(u64, Objects, oneshot::Sender<Journaled>)>,
    aborts: Vec<oneshot::Sender<()>>,
    settles: Vec<oneshot::Sender<()>>,
}

impl Committer {
    fn run(mut self, incoming: &mpsc::Receiver<Request>) {
        loop {
            let first = match incoming.recv_timeout(IDLE) {
                Ok(request) => request,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.hand_over(None);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = Batch::default();
            let mut next = Some(first);
            while let Some(request) = next.take() {
                self.add(&mut batch, request);
                if batch.records.len() < BATCH_BYTES {
                    next = incoming.try_recv().ok();
                }
            }
            self.write(batch);
            if self
                .segment
                .as_ref()
                .is_some_and(|s| s.bytes >= SEGMENT_BYTES || s.opened.elapsed() >= SEGMENT_AGE)
            {
                self.hand_over(None);
            }
        }
        self.hand_over(None);
    }

    fn add(&mut self, batch: &mut Batch, request: Request) {
        match request {
            Request::Commit { objects, reply } => {
                self.next_id += 1;
                batch
                    .records
                    .extend(record(&commit_body(self.next_id, &objects)));
                batch.commits.push((self.next_id, objects, reply));
            }
            Request::Abort { id, reply } => {
                batch.records.extend(record(&abort_body(id)));
                batch.aborts.push(reply);
            }
            Request::Settle(reply) => batch.settles.push(reply),
        }
    }

    /// Appends and syncs the batch's records, then answers: commits with
    /// their hold on the journal, aborts, and settles after a checkpoint.
    fn write(&mut self, batch: Batch) {
        let appended = if batch.records.is_empty() {
            Ok(())
        } else {
            self.append(&batch.records)
        };
        match appended {
            Ok(()) => {
                crash_point("journal-synced");
                for (id, objects, reply) in batch.commits {
                    let linking = self
                        .segment
                        .as_ref()
                        .and_then(|s| Arc::clone(&s.linking).try_read_owned().ok());
                    let answer = match linking {
                        Some(linking) => Ok((id, objects, linking)),
                        None => Err(StoreError::Unavailable("no journal".to_owned())),
                    };
                    let _ = reply.send(answer);
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot write the store's journal");
                for (_, _, reply) in batch.commits {
                    let _ = reply.send(Err(StoreError::Unavailable(error.to_string())));
                }
            }
        }
        // Answered either way: an abort that could not be journaled leaves
        // its commit to the content check of the replay.
        for reply in batch.aborts {
            let _ = reply.send(());
        }
        for reply in batch.settles {
            self.hand_over(Some(reply));
        }
    }

    /// Passes the journal to the checkpoint thread (which also answers
    /// `settled`); the next batch starts a new one.
    fn hand_over(&mut self, settled: Option<oneshot::Sender<()>>) {
        let segment = self.segment.take();
        if segment.is_none() && settled.is_none() {
            return;
        }
        // If the checkpoint thread is gone, the journal stays and is replayed
        // by the next process; `settled` is answered by being dropped.
        let _ = self.handover.send(Handover { segment, settled });
    }

    /// Appends `bytes` to the journal (started if need be) and syncs it.
    /// On failure the journal is cut back to where it was and set aside.
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.segment.is_none() {
            self.segment = Some(new_segment(&self.root)?);
        }
        let Some(segment) = self.segment.as_mut() else {
            return Err(std::io::Error::other("no journal"));
        };
        let before = segment.bytes;
        let written = segment.file.write_all(bytes).and_then(|()| {
            crash_point("journal-written");
            segment.file.sync_data()
        });
        match written {
            Ok(()) => {
                segment.bytes += bytes.len() as u64;
                Ok(())
            }
            Err(error) => {
                let _ = segment
                    .file
                    .set_len(before)
                    .and_then(|()| segment.file.sync_data());
                self.hand_over(None);
                Err(error)
            }
        }
    }
}

/// A new journal, locked, its name durable in the journal folder.
fn new_segment(root: &Path) -> std::io::Result<Segment> {
    let dir = root.join(JOURNAL_DIR);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir)?;
        sync_dir(root)?;
    }
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(std::io::Error::other)?;
    let path = dir.join(format!(
        "{}-{:016x}.log",
        std::process::id(),
        u64::from_le_bytes(random)
    ));
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create_new(true)
        .open(&path)?;
    file.try_lock().map_err(std::io::Error::other)?;
    sync_dir(&dir)?;
    Ok(Segment {
        file,
        path,
        bytes: 0,
        opened: Instant::now(),
        linking: Arc::new(RwLock::new(())),
    })
}

fn checkpoint_loop(root: &Path, handovers: &mpsc::Receiver<Handover>) {
    while let Ok(Handover { segment, settled }) = handovers.recv() {
        if let Some(segment) = segment {
            // Until every commit in it is linked (or refused).
            let linked = segment.linking.blocking_write();
            match sync_filesystem(root) {
                Ok(()) => {
                    crash_point("checkpoint-synced");
                    if let Err(error) = std::fs::remove_file(&segment.path) {
                        tracing::warn!(error = %error, "cannot remove a checkpointed journal");
                    }
                }
                // Kept: the next process replays it.
                Err(error) => tracing::warn!(error = %error, "checkpoint failed"),
            }
            drop(linked);
        }
        if let Some(settled) = settled {
            let _ = settled.send(());
        }
    }
}

/// Makes everything written to the store's file system durable: the linked
/// files, their folders and names.
fn sync_filesystem(root: &Path) -> std::io::Result<()> {
    let dir = File::open(root)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs takes an open file descriptor, which `dir` owns
        // until after the call, and changes no memory of ours.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        drop(dir);
        // SAFETY: sync takes no arguments.
        unsafe { libc::sync() };
        Ok(())
    }
}

fn commit_body(id: u64, objects: &Objects) -> Vec<u8> {
    let size: usize = objects.iter().map(|(k, b)| 6 + k.len() + b.len()).sum();
    let mut body = Vec::with_capacity(11 + size);
    body.push(b'C');
    body.extend_from_slice(&id.to_le_bytes());
    body.extend_from_slice(&(objects.len() as u16).to_le_bytes());
    for (key, bytes) in objects {
        body.extend_from_slice(&(key.len() as u16).to_le_bytes());
        body.extend_from_slice(key.as_bytes());
        body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        body.extend_from_slice(bytes);
    }
    body
}

fn abort_body(id: u64) -> Vec<u8> {
    let mut body = vec![b'A'];
    body.extend_from_slice(&id.to_le_bytes());
    body
}

fn record(body: &[u8]) -> Vec<u8> {
    let mut record = Vec::with_capacity(36 + body.len());
    record.extend_from_slice(&(body.len() as u32).to_le_bytes());
    record.extend_from_slice(&Sha256::digest(body));
    record.extend_from_slice(body);
    record
}

/// One record read back.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Commit(u64, Objects),
    Abort(u64),
}

/// The whole records at the start of `bytes`, up to the first torn or
/// corrupt one.
fn read_records(mut bytes: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    while let Some((entry, rest)) = read_record(bytes) {
        entries.push(entry);
        bytes = rest;
    }
    entries
}

fn read_record(bytes: &[u8]) -> Option<(Entry, &[u8])> {
    let (length, rest) = take(bytes, 4)?;
    let length = usize::try_from(u32::from_le_bytes(length.try_into().ok()?)).ok()?;
    let (digest, rest) = take(rest, 32)?;
    let (body, rest) = take(rest, length)?;
    if Sha256::digest(body).as_slice() != digest {
        return None;
    }
    Some((parse_body(body)?, rest))
}

fn parse_body(body: &[u8]) -> Option<Entry> {
    let (kind, rest) = take(body, 1)?;
    let (id, mut rest) = take(rest, 8)?;
    let id = u64::from_le_bytes(id.try_into().ok()?);
    match kind {
        b"A" => Some(Entry::Abort(id)),
        b"C" => {
            let (count, after) = take(rest, 2)?;
            rest = after;
            let mut objects = Vec::new();
            for _ in 0..u16::from_le_bytes(count.try_into().ok()?) {
                let (key_length, after) = take(rest, 2)?;
                let (key, after) = take(
                    after,
                    usize::from(u16::from_le_bytes(key_length.try_into().ok()?)),
                )?;
                let (length, after) = take(after, 4)?;
                let length = usize::try_from(u32::from_le_bytes(length.try_into().ok()?)).ok()?;
                let (bytes, after) = take(after, length)?;
                objects.push((String::from_utf8(key.to_vec()).ok()?, bytes.to_vec()));
                rest = after;
            }
            Some(Entry::Commit(id, objects))
        }
        _ => None,
    }
}

fn take(bytes: &[u8], count: usize) -> Option<(&[u8], &[u8])> {
    (bytes.len() >= count).then(|| bytes.split_at(count))
}

/// Replays every journal in `root` that no live process holds, makes what
/// it linked durable, and removes the journals. Returns how many commits
/// were replayed.
pub(crate) fn recover(root: &Path) -> Result<usize, StoreError> {
    let unavailable = |e: std::io::Error| StoreError::Unavailable(e.to_string());
    let dir = root.join(JOURNAL_DIR);
    let listing = match std::fs::read_dir(&dir) {
        Ok(listing) => listing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(unavailable(error)),
    };
    // Every journal left by the dead, held (locked) until it is removed, so
    // that an abort in one journal counts for a commit in another.
    let mut orphans = Vec::new();
    let mut entries = Vec::new();
    for entry in listing {
        let path = entry.map_err(unavailable)?.path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let Ok(mut file) = File::open(&path) else {
            continue; // removed by its checkpoint meanwhile
        };
        if file.try_lock().is_err() {
            continue; // a live process appends to it
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(unavailable)?;
        entries.extend(read_records(&bytes));
        orphans.push((path, file));
    }
    if orphans.is_empty() {
        return Ok(0);
    }
    let replayed = replay(root, &entries);
    sync_filesystem(root).map_err(unavailable)?;
    for (path, _held) in orphans {
        std::fs::remove_file(&path).map_err(unavailable)?;
    }
    Ok(replayed)
}

/// Links again what a journal's commits hold and is missing by name.
/// A commit whose last object is there with other bytes lost its names to
/// another write at the time (its caller was told so): it is skipped.
fn replay(root: &Path, entries: &[Entry]) -> usize {
    let aborted: Vec<u64> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Abort(id) => Some(*id),
            Entry::Commit(..) => None,
        })
        .collect();
    let mut replayed = 0;
    for entry in entries {
        let Entry::Commit(id, objects) = entry else {
            continue;
        };
        let Some((last_key, last_bytes)) = objects.last() else {
            continue;
        };
        let last = std::fs::read(root.join(last_key));
        if aborted.contains(id) || last.as_ref().is_ok_and(|on_disk| on_disk != last_bytes) {
            continue;
        }
        for (key, bytes) in objects {
            // Taken already: by this very write before the crash.
            let _ = link_new_unsynced(&root.join(key), bytes);
        }
        replayed += 1;
    }
    replayed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(reference: &str, package: &[u8]) -> Objects {
        vec![
            (format!("outbox/{reference}"), b"{\"marker\":1}".to_vec()),
            (
                format!("submissions/05711000/2026/11/24/{reference}.age"),
                package.to_vec(),
            ),
        ]
    }

    #[test]
    fn records_read_back_and_a_torn_tail_is_dropped() {
        let first = commit_body(1, &objects("AAAA-BBBB-CCCC", b"sealed one"));
        let second = abort_body(1);
        let third = commit_body(2, &objects("AAAA-BBBB-DDDD", b"sealed two"));
        let mut journal: Vec<u8> = [&first, &second, &third]
            .iter()
            .flat_map(|b| record(b))
            .collect();
        let entries = read_records(&journal);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1], Entry::Abort(1));
        assert_eq!(
            entries[2],
            Entry::Commit(2, objects("AAAA-BBBB-DDDD", b"sealed two"))
        );
        journal.truncate(journal.len() - 1);
        assert_eq!(read_records(&journal).len(), 2, "a torn record is not read");
        let corrupt_at = journal.len() - 3;
        journal[corrupt_at] ^= 1;
        journal.push(0);
        assert_eq!(
            read_records(&journal).len(),
            2,
            "a corrupt record is not read"
        );
    }

    #[test]
    fn replay_links_what_is_missing_and_skips_refused_and_foreign_writes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let delivered = objects("AAAA-AAAA-AAAA", b"one");
        let lost = objects("BBBB-BBBB-BBBB", b"two");
        let refused = objects("CCCC-CCCC-CCCC", b"three");
        let foreign = objects("DDDD-DDDD-DDDD", b"four");
        // Before the crash: `delivered` was linked and its marker removed;
        // `lost` never reached its names; `foreign`'s package name holds
        // another application's bytes.
        link_new_unsynced(&root.join(&delivered[1].0), &delivered[1].1).unwrap();
        link_new_unsynced(&root.join(&foreign[1].0), b"someone else").unwrap();
        let entries = vec![
            Entry::Commit(1, delivered.clone()),
            Entry::Commit(2, lost.clone()),
            Entry::Commit(3, refused.clone()),
            Entry::Abort(3),
            Entry::Commit(4, foreign.clone()),
        ];
        assert_eq!(replay(root, &entries), 2);
        for (key, bytes) in delivered.iter().chain(&lost) {
            assert_eq!(&std::fs::read(root.join(key)).unwrap(), bytes, "{key}");
        }
        for (key, _) in &refused {
            assert!(!root.join(key).exists(), "{key}");
        }
        assert!(!root.join(&foreign[0].0).exists());
        assert_eq!(
            std::fs::read(root.join(&foreign[1].0)).unwrap(),
            b"someone else"
        );
    }

    #[tokio::test]
    async fn a_commit_is_linked_before_it_is_answered_and_journals_are_settled() {
        let dir = tempfile::tempdir().unwrap();
        let committer = GroupCommit::start(dir.path().to_path_buf());
        let written = objects("AAAA-BBBB-CCCC", b"sealed");
        committer.commit(written.clone()).await.unwrap();
        for (key, bytes) in &written {
            assert_eq!(&std::fs::read(dir.path().join(key)).unwrap(), bytes);
        }
        let again = committer
            .commit(vec![
                ("outbox/AAAA-BBBB-DDDD".to_owned(), b"new".to_vec()),
                written[1].clone(),
            ])
            .await;
        assert!(matches!(again, Err(StoreError::Exists(_))), "{again:?}");
        assert!(
            !dir.path().join("outbox/AAAA-BBBB-DDDD").exists(),
            "a refused write leaves none of its objects"
        );
        committer.settle().await;
        let journals: Vec<_> = std::fs::read_dir(dir.path().join(JOURNAL_DIR))
            .unwrap()
            .collect();
        assert!(journals.is_empty(), "settled: no journal left to replay");
    }

    #[tokio::test]
    async fn a_journal_left_by_a_dead_process_is_replayed_a_live_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let journals = root.join(JOURNAL_DIR);
        std::fs::create_dir(&journals).unwrap();
        let left = objects("AAAA-BBBB-CCCC", b"sealed");
        std::fs::write(journals.join("1-dead.log"), record(&commit_body(1, &left))).unwrap();
        // Refused: its abort is in another journal of the same crash.
        let refused = objects("AAAA-BBBB-EEEE", b"refused");
        std::fs::write(
            journals.join("1-dead-a.log"),
            record(&commit_body(7, &refused)),
        )
        .unwrap();
        std::fs::write(journals.join("1-dead-b.log"), record(&abort_body(7))).unwrap();
        let live = std::fs::File::create(journals.join("2-live.log")).unwrap();
        live.lock().unwrap();
        std::fs::write(
            journals.join("2-live.log"),
            record(&commit_body(1, &objects("AAAA-BBBB-DDDD", b"x"))),
        )
        .unwrap();
        assert_eq!(recover(root).unwrap(), 1);
        for (key, bytes) in &left {
            assert_eq!(&std::fs::read(root.join(key)).unwrap(), bytes);
        }
        assert!(
            !root.join(&refused[1].0).exists(),
            "an abort counts across journals"
        );
        assert!(!journals.join("1-dead.log").exists());
        assert!(!journals.join("1-dead-a.log").exists());
        assert!(
            journals.join("2-live.log").exists(),
            "held by a live process"
        );
        assert!(!root.join("outbox/AAAA-BBBB-DDDD").exists());
        drop(live);
        assert_eq!(recover(root).unwrap(), 1);
    }
}

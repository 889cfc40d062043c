//! Watching what editors change: `content/`, `themes/`, `municipalities/`
//! and `site.yaml`, with notify. Events that arrive within a short quiet
//! time are handled as one change (editors save several files at once, and
//! many editors write a file in several steps).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode, Watcher};

/// How long the files must stay quiet before a rebuild starts.
const QUIET: Duration = Duration::from_millis(30);

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}", path.display())]
pub struct WatchError {
    path: PathBuf,
    source: notify::Error,
}

/// Calls `changed` with the changed files after each burst of changes
/// below `root`, until `changed` returns `false`.
pub fn watch(root: &Path, changed: impl FnMut(Vec<PathBuf>) -> bool) -> Result<(), WatchError> {
    start(root)?.run(changed);
    Ok(())
}

/// Folders under watch; changes made from now on are kept until [`Watching::run`].
pub struct Watching {
    root: PathBuf,
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    // Dropping it would end the watch.
    _watcher: notify::RecommendedWatcher,
}

/// Starts watching `root` (before the first build, so no save is missed).
pub fn start(root: &Path) -> Result<Watching, WatchError> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(|source| WatchError {
        path: root.to_owned(),
        source,
    })?;
    for (path, mode) in [
        (root.join("content"), RecursiveMode::Recursive),
        (root.join("themes"), RecursiveMode::Recursive),
        (root.join("municipalities"), RecursiveMode::Recursive),
        (root.to_owned(), RecursiveMode::NonRecursive),
    ] {
        if path.exists() {
            watcher
                .watch(&path, mode)
                .map_err(|source| WatchError { path, source })?;
        }
    }
    Ok(Watching {
        root: root.to_owned(),
        rx,
        _watcher: watcher,
    })
}

impl Watching {
    /// Calls `changed` with the changed files after each burst of changes,
    /// until `changed` returns `false`.
    pub fn run(self, mut changed: impl FnMut(Vec<PathBuf>) -> bool) {
        let Self { root, rx, .. } = self;
        while let Ok(first) = rx.recv() {
            let mut paths = Vec::new();
            let mut event = Some(first);
            while let Some(next) = event {
                if let Ok(next) = next.as_ref()
                    && changes_content(&next.kind)
                {
                    paths.extend(next.paths.iter().filter(|p| relevant(&root, p)).cloned());
                }
                event = rx.recv_timeout(QUIET).ok();
            }
            paths.sort();
            paths.dedup();
            if !paths.is_empty() && !changed(paths) {
                break;
            }
        }
    }
}

/// Writing, creating, renaming or removing a file; not reading it (the
/// build reads every file, which must not start another build).
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(modify) => !matches!(modify, ModifyKind::Metadata(_)),
        _ => false,
    }
}

/// A file whose change can change the site.
fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    let hidden = inside
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    !hidden
        && (inside == Path::new("site.yaml")
            || ["content", "themes", "municipalities"]
                .iter()
                .any(|dir| inside.starts_with(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sources_of_the_site_count() {
        let root = Path::new("/site");
        assert!(relevant(root, Path::new("/site/content/de/kosten.md")));
        assert!(relevant(root, Path::new("/site/site.yaml")));
        assert!(!relevant(root, Path::new("/site/public/index.html")));
        assert!(!relevant(
            root,
            Path::new("/site/content/de/.kosten.md.swp")
        ));
        assert!(!relevant(root, Path::new("/elsewhere/content/x.md")));
    }
}

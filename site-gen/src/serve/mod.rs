//! `site-gen serve`: the site built in memory and served on 127.0.0.1, rebuilt
//! whenever an editor saves a file, with open tabs reloaded over server-sent
//! events. Each rebuild loads and checks everything, renders again only the
//! files the changed sources can affect ([`Scope`]) and swaps them in at
//! once, so what is served equals a fresh full build (never stale; a test
//! holds it to that after a series of edits). A build error leaves the last
//! good pages served and shows on each of them as an overlay.

mod http;
mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use http::{CSP_DEFAULT, CSP_WITH_EVENTS, router};
pub use watch::{WatchError, Watching, start as start_watching, watch};

use crate::build::{BuildOptions, Scope, build_in_memory_scoped};
use crate::error::BuildError;
use crate::languages::Lang;
use crate::output::{FolderKind, Staging, publish_all};

/// The files a build produced, by path below the site root; shared, so
/// that keeping the unchanged ones costs nothing.
pub type Files = BTreeMap<String, Arc<[u8]>>;

/// A build's files, shared.
pub fn shared(files: BTreeMap<String, Vec<u8>>) -> Files {
    files
        .into_iter()
        .map(|(path, bytes)| (path, Arc::from(bytes)))
        .collect()
}

/// `files` with the rebuilt `partial` swapped in: for a rebuild of
/// municipalities, their old files go first (a page may have gone).
fn merged(files: &Files, partial: Files, scope: &Scope, prefix: &str) -> Files {
    let mut merged = match scope {
        Scope::All => Files::new(),
        Scope::Municipalities(slugs) => {
            let mut kept = files.clone();
            kept.retain(|path, _| {
                !slugs
                    .iter()
                    .any(|slug| path.starts_with(&format!("{prefix}{slug}/")))
            });
            kept
        }
        Scope::ServicePages(_) | Scope::PublicPages(_) => files.clone(),
    };
    merged.extend(partial);
    merged
}

/// What is being served, and the version browsers wait on.
pub struct LiveSite {
    served: RwLock<Served>,
    version: tokio::sync::watch::Sender<u64>,
}

#[derive(Clone)]
struct Served {
    files: Arc<Files>,
    /// The last build's error, shown over every page until a build succeeds.
    error: Option<Arc<str>>,
}

impl LiveSite {
    /// Serves `files` (empty when the first build failed).
    pub fn new(files: Files) -> Self {
        Self {
            served: RwLock::new(Served {
                files: Arc::new(files),
                error: None,
            }),
            version: tokio::sync::watch::channel(0).0,
        }
    }

    fn served(&self) -> Served {
        self.served
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Swaps in a successful build's files (all of them, or the part in
    /// `scope`); returns the pages that changed (added, removed or
    /// different). Browsers reload when anything changed or an error went away.
    pub fn update(&self, partial: Files, scope: &Scope) -> Vec<String> {
        let mut served = self
            .served
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let files = merged(&served.files, partial, scope, "");
        let changed = changed_pages(&served.files, &files);
        let had_error = served.error.take().is_some();
        let other_files_changed = *served.files != files;
        served.files = Arc::new(files);
        drop(served);
        if had_error || other_files_changed {
            self.version.send_modify(|v| *v += 1);
        }
        changed
    }

    /// Keeps the last good files and shows `error` over them.
    pub fn fail(&self, error: String) {
        self.served
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .error = Some(error.into());
        self.version.send_modify(|v| *v += 1);
    }

    /// The version browsers should show (it grows with every change).
    pub fn version(&self) -> u64 {
        *self.version.borrow()
    }

    /// The files being served.
    pub fn files(&self) -> Arc<Files> {
        self.served().files
    }

    /// A receiver that sees every new version.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.version.subscribe()
    }
}

/// The HTML pages that differ between two builds.
pub fn changed_pages(old: &Files, new: &Files) -> Vec<String> {
    let html = |path: &&String| path.ends_with(".html");
    let differs = |path: &String, bytes: &Arc<[u8]>| {
        old.get(path)
            .is_none_or(|before| !Arc::ptr_eq(before, bytes) && before != bytes)
    };
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| html(path) && differs(path, bytes))
        .map(|(path, _)| path.clone())
        .chain(
            old.keys()
                .filter(html)
                .filter(|path| !new.contains_key(*path))
                .cloned(),
        )
        .collect();
    changed.sort();
    changed
}

/// What one rebuild did.
pub enum Rebuild {
    /// The pages rendered, those that changed, and how long the build took.
    Built {
        rendered: usize,
        changed: Vec<String>,
        took: Duration,
        timings: Vec<(&'static str, Duration)>,
    },
    /// The build stopped; the message names file, line and column.
    Failed(String),
}

/// Builds the files in `scope` again and serves the result, or shows why
/// not. form-fn's files (registry, shells) are written to
/// `options.function_out` when they changed, so a local form-fn sees the
/// same forms.
pub fn rebuild(
    options: &BuildOptions,
    live: &LiveSite,
    function: &mut Files,
    scope: &Scope,
) -> Rebuild {
    let started = Instant::now();
    match build_in_memory_scoped(options, scope) {
        Ok(built) => {
            let functions = merged(function, shared(built.function), scope, "shells/");
            if functions != *function {
                match write_function_files(options, &functions) {
                    Ok(()) => *function = functions,
                    // The pages are still served; only form-fn's copy is old.
                    Err(error) => eprintln!("error: form-fn's files were not written: {error}"),
                }
            }
            let changed = live.update(shared(built.site), scope);
            Rebuild::Built {
                rendered: built.report.pages,
                changed,
                took: started.elapsed(),
                timings: built.report.timings,
            }
        }
        Err(error) => {
            let message = describe(&error);
            live.fail(message.clone());
            Rebuild::Failed(message)
        }
    }
}

/// What the changed `paths` below `root` can affect, given the pages served.
/// Anything not known to stay within a part of the site rebuilds it all.
pub fn scope_of(root: &Path, paths: &[PathBuf], live: &LiveSite) -> Scope {
    let current = live.served();
    // After a failed build the changes it did not serve may reach anywhere,
    // and before a first good build there is nothing to keep.
    if current.error.is_some() || current.files.is_empty() {
        return Scope::All;
    }
    let served = current.files;
    let mut scopes = paths.iter().map(|path| {
        let inside = path.strip_prefix(root).unwrap_or(path);
        let parts: Vec<String> = inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let markdown = |name: &str| name.ends_with(".md");
        match parts.as_slice() {
            ["content", lang, name] if markdown(name) => {
                Lang::parse(lang).map_or(Scope::All, |l| Scope::ServicePages(BTreeSet::from([l])))
            }
            ["content", lang, "pages", name] if markdown(name) => {
                Lang::parse(lang).map_or(Scope::All, |l| Scope::PublicPages(BTreeSet::from([l])))
            }
            ["municipalities", name] => name
                .strip_suffix(".yaml")
                .filter(|slug| {
                    path.is_file() && served.keys().any(|k| k.starts_with(&format!("{slug}/")))
                })
                .map_or(Scope::All, |slug| {
                    Scope::Municipalities(BTreeSet::from([slug.to_owned()]))
                }),
            ["municipalities", slug, .., name]
                if markdown(name) && served.keys().any(|k| k.starts_with(&format!("{slug}/"))) =>
            {
                Scope::Municipalities(BTreeSet::from([(*slug).to_owned()]))
            }
            _ => Scope::All,
        }
    });
    let Some(first) = scopes.next() else {
        return Scope::All;
    };
    scopes
        .try_fold(first, |scope, next| match (scope, next) {
            (Scope::ServicePages(mut a), Scope::ServicePages(b)) => {
                a.extend(b);
                Some(Scope::ServicePages(a))
            }
            (Scope::PublicPages(mut a), Scope::PublicPages(b)) => {
                a.extend(b);
                Some(Scope::PublicPages(a))
            }
            (Scope::Municipalities(mut a), Scope::Municipalities(b)) => {
                a.extend(b);
                Some(Scope::Municipalities(a))
            }
            _ => None,
        })
        .unwrap_or(Scope::All)
}

/// An error as editors read it: one line per mistake, with its location.
fn describe(error: &BuildError) -> String {
    match error {
        BuildError::Editor(errors) => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn write_function_files(options: &BuildOptions, files: &Files) -> Result<(), BuildError> {
    // Only changed files are put in place, each whole, after all are written.
    let staging = Staging::new(&options.function_out, FolderKind::Function, None)?;
    if let Err(error) = files
        .iter()
        .try_for_each(|(path, bytes)| staging.write(path, bytes))
    {
        staging.discard();
        return Err(error);
    }
    publish_all(vec![staging]).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, b)| ((*p).to_owned(), Arc::from(b.as_bytes())))
            .collect()
    }

    #[test]
    fn changed_pages_are_the_html_files_added_removed_or_different() {
        let old = files(&[
            ("a/index.html", "A"),
            ("b/index.html", "B"),
            ("style.css", "x"),
        ]);
        let new = files(&[
            ("a/index.html", "A"),
            ("b/index.html", "B2"),
            ("c/index.html", "C"),
            ("style.css", "y"),
        ]);
        assert_eq!(changed_pages(&old, &new), ["b/index.html", "c/index.html"]);
        assert_eq!(changed_pages(&new, &old), ["b/index.html", "c/index.html"]);
    }

    #[test]
    fn an_error_keeps_the_pages_and_a_good_build_clears_it() {
        let live = LiveSite::new(files(&[("index.html", "v1")]));
        let mut versions = live.subscribe();
        live.fail("content/de/kosten.md:3:1: oops".to_owned());
        assert!(versions.has_changed().unwrap());
        versions.mark_unchanged();
        assert_eq!(&*live.files()["index.html"], b"v1");
        assert!(live.served().error.is_some());
        assert!(
            live.update(files(&[("index.html", "v1")]), &Scope::All)
                .is_empty()
        );
        assert!(live.served().error.is_none());
        assert!(
            versions.has_changed().unwrap(),
            "browsers reload to drop the overlay"
        );
    }
}

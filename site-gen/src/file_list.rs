//! The files of a build with their records, compact and sorted by path.
//!
//! At the scale of Germany a build produces 1.4 million files, and it holds
//! a record of each (to write the manifest) and, when rebuilding, the
//! previous build's too. A map with a `String` and a tree slot per file cost
//! about 300 bytes per file, so a rebuild of 11,000 municipalities peaked at
//! three quarters of a GiB. Here every path lives in one shared string and a
//! file costs its path's bytes and 56 more.

use std::fmt;

use rayon::prelude::*;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::output::FileRecord;

/// Where a path lies in the shared string, and its file's record.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    len: u32,
    record: FileRecord,
    /// Written by this build (not kept in a manifest; `false` when read).
    changed: bool,
}

impl Entry {
    /// This entry's path in the shared string `paths`.
    fn path_in<'p>(&self, paths: &'p str) -> &'p str {
        &paths[self.start as usize..(self.start + self.len) as usize]
    }
}

/// Files by path (`/`-separated, relative to the output folder); as JSON,
/// a map from path to record.
#[derive(Debug, Clone, Default)]
pub struct FileList {
    paths: String,
    entries: Vec<Entry>,
    /// `entries` are in path order, each path once.
    sorted: bool,
}

/// More paths than a list can hold (4 GiB of them).
#[derive(Debug, thiserror::Error)]
#[error("more than 4 GiB of file paths in one build")]
pub struct TooManyFiles;

impl FileList {
    /// Adds `path`; `changed` says that this build wrote its bytes.
    pub fn push(
        &mut self,
        path: &str,
        record: FileRecord,
        changed: bool,
    ) -> Result<(), TooManyFiles> {
        let start = u32::try_from(self.paths.len()).map_err(|_| TooManyFiles)?;
        let len = u32::try_from(path.len()).map_err(|_| TooManyFiles)?;
        start.checked_add(len).ok_or(TooManyFiles)?;
        self.paths.push_str(path);
        self.entries.push(Entry {
            start,
            len,
            record,
            changed,
        });
        self.sorted = self.entries.len() <= 1;
        Ok(())
    }

    /// Puts the files in path order, each path once. A path added twice
    /// keeps its last record, as the staging folder keeps the last bytes
    /// written there.
    pub fn sort(&mut self) {
        if self.sorted {
            return;
        }
        let paths = &self.paths;
        let path = |e: &Entry| e.path_in(paths);
        // Stable: the entries of one path stay in the order they were added.
        self.entries.sort_by(|a, b| path(a).cmp(path(b)));
        self.entries.dedup_by(|later, earlier| {
            let same = path(later) == path(earlier);
            if same {
                *earlier = *later;
            }
            same
        });
        self.entries.shrink_to_fit();
        self.sorted = true;
    }

    fn path(&self, entry: &Entry) -> &str {
        entry.path_in(&self.paths)
    }

    /// The record of `path` (found by halving once the list is sorted).
    #[must_use]
    pub fn get(&self, path: &str) -> Option<&FileRecord> {
        if !self.sorted {
            return self
                .entries
                .iter()
                .rev()
                .find(|e| self.path(e) == path)
                .map(|e| &e.record);
        }
        self.entries
            .binary_search_by(|e| self.path(e).cmp(path))
            .ok()
            .map(|index| &self.entries[index].record)
    }

    /// Is `path` in the list?
    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Every file and its record, in path order once sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileRecord)> {
        self.entries.iter().map(|e| (self.path(e), &e.record))
    }

    /// The same, in parallel.
    pub fn par_iter(&self) -> impl ParallelIterator<Item = (&str, &FileRecord)> {
        self.entries.par_iter().map(|e| (self.path(e), &e.record))
    }

    /// The files this build wrote.
    pub fn changed(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.changed)
            .map(|e| self.path(e))
    }

    /// How many files.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No file at all?
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Serialize for FileList {
    /// In path order: the caller sorts first, so that the manifest of the
    /// same build is the same bytes.
    fn serialize<S: Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        debug_assert!(self.sorted, "serialized before sorting");
        let mut map = to.serialize_map(Some(self.len()))?;
        for (path, record) in self.iter() {
            map.serialize_entry(path, record)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FileList {
    fn deserialize<D: Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = FileList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from file path to its size and SHA-256")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileList, A::Error> {
                let mut list = FileList::default();
                while let Some((path, record)) = map.next_entry::<String, FileRecord>()? {
                    list.push(&path, record, false)
                        .map_err(serde::de::Error::custom)?;
                }
                list.sort();
                Ok(list)
            }
        }
        from.deserialize_map(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(bytes: &[u8]) -> FileRecord {
        FileRecord {
            size: bytes.len() as u64,
            sha256: [bytes.first().copied().unwrap_or(0); 32],
        }
    }

    #[test]
    fn files_are_found_by_path_in_order_and_read_back_as_written() {
        let mut list = FileList::default();
        for (path, changed) in [("b/index.html", true), ("a.css", false), ("b/c.html", true)] {
            list.push(path, record(path.as_bytes()), changed).unwrap();
        }
        list.push("a.css", record(b"other"), true).unwrap();
        assert_eq!(
            list.get("a.css"),
            Some(&record(b"other")),
            "before sorting too"
        );
        list.sort();
        assert_eq!(
            list.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            ["a.css", "b/c.html", "b/index.html"]
        );
        assert_eq!(list.get("a.css"), Some(&record(b"other")), "the last wins");
        assert!(list.contains("b/c.html") && !list.contains("b"));
        assert_eq!(
            list.changed().collect::<Vec<_>>(),
            ["a.css", "b/c.html", "b/index.html"]
        );

        let json = serde_json::to_string(&list).unwrap();
        assert!(
            json.starts_with(r#"{"a.css":{"size":5,"sha256":"6f6f"#),
            "{json}"
        );
        let read: FileList = serde_json::from_str(&json).unwrap();
        assert_eq!(
            read.iter().collect::<Vec<_>>(),
            list.iter().collect::<Vec<_>>()
        );
        assert_eq!(
            read.changed().count(),
            0,
            "a manifest says nothing was written"
        );
    }

    #[test]
    fn a_manifest_out_of_order_is_read_in_order() {
        let read: FileList = serde_json::from_str(
            r#"{"z.html":{"size":1,"sha256":"7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"},
                "a.html":{"size":1,"sha256":"6161616161616161616161616161616161616161616161616161616161616161"}}"#,
        )
        .unwrap();
        assert_eq!(
            read.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            ["a.html", "z.html"]
        );
        assert_eq!(read.get("z.html").map(|r| r.size), Some(1));
    }
}

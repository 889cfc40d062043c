//! Embeds the recipients of the test identities committed under
//! `tests/keys/`, so that a build for the real world refuses them wherever it
//! runs, even from a copy of the municipality files outside this repository.
//! Each identity file states its recipient on a `# public key: age1…` line
//! (as `age-keygen` writes it); a test checks those lines against the keys.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut list = String::from("&[\n");
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        for key in text
            .lines()
            .filter_map(|l| l.strip_prefix("# public key: "))
        {
            let _ = writeln!(list, "    ({:?}, \"tests/keys/{name}\"),", key.trim());
        }
    }
    list.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("committed_recipients.rs");
    std::fs::write(out, list).expect("OUT_DIR is writable");
}

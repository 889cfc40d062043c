//! Fuzzing on stable Rust: property tests (proptest) over inputs made from
//! seed files in `tests/fuzz/<target>/` (kept in the repository) by random
//! byte mutations: flips, insertions, deletions, repeats and splices of
//! other seeds. `make test` runs a bounded number of cases per target
//! (`FUZZ_CASES`, default 128); `make fuzz` runs many more.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;

/// Inputs stay below this size, so a run's memory stays bounded.
const MAX_INPUT: usize = 256 * 1024;

/// The seed inputs of `target`: every file in `tests/fuzz/<target>/`.
#[must_use]
pub fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .filter_map(|file| std::fs::read(file).ok())
        .collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

/// How many cases a fuzz target runs: `FUZZ_CASES`, else 128.
#[must_use]
pub fn config() -> Config {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128);
    Config {
        cases,
        // Failures are shown (shrunk) in the test output; nothing is
        // written into the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// One change to an input.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        mask: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Repeat {
        at: usize,
        len: usize,
        times: usize,
    },
    Splice {
        at: usize,
        from_seed: usize,
        start: usize,
        len: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(vec![
        b"\0".to_vec(),
        b"\xff\xfe".to_vec(),
        b"\"".to_vec(),
        b"<".to_vec(),
        b"&".to_vec(),
        b"=".to_vec(),
        b"%".to_vec(),
        b"\r\n".to_vec(),
        b"--".to_vec(),
        b"{".to_vec(),
        b"[".to_vec(),
        b"*a".to_vec(),
        b"&a ".to_vec(),
        b": ".to_vec(),
        "\u{202e}".as_bytes().to_vec(),
        "ü".as_bytes().to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (
            any::<usize>(),
            prop_oneof![interesting, prop::collection::vec(any::<u8>(), 1..16)]
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..16, 2usize..64).prop_map(|(at, len, times)| Mutation::Repeat {
            at,
            len,
            times
        }),
        (any::<usize>(), any::<usize>(), any::<usize>(), 1usize..256).prop_map(
            |(at, from_seed, start, len)| Mutation::Splice {
                at,
                from_seed,
                start,
                len
            }
        ),
    ]
}

fn apply(input: &mut Vec<u8>, change: &Mutation, seeds: &[Vec<u8>]) {
    let position = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match change {
        Mutation::Flip { at, mask } => {
            if !input.is_empty() {
                let i = at % input.len();
                input[i] ^= mask;
            }
        }
        Mutation::Insert { at, bytes } => {
            let i = position(*at, input.len());
            input.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete { at, len } => {
            let i = position(*at, input.len());
            let end = (i + len).min(input.len());
            input.drain(i..end);
        }
        Mutation::Repeat { at, len, times } => {
            let i = position(*at, input.len());
            let end = (i + len).min(input.len());
            let piece = input[i..end].to_vec();
            for _ in 1..*times {
                input.splice(end..end, piece.iter().copied());
            }
        }
        Mutation::Splice {
            at,
            from_seed,
            start,
            len,
        } => {
            let other = &seeds[from_seed % seeds.len()];
            let from = position(*start, other.len()).min(other.len());
            let to = (from + len).min(other.len());
            let i = position(*at, input.len());
            input.splice(i..i, other[from..to].iter().copied());
        }
    }
    input.truncate(MAX_INPUT);
}

/// Inputs made from `seeds` by up to eight mutations each (some unchanged).
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    (0..count, prop::collection::vec(mutation(), 0..8)).prop_map(move |(seed, changes)| {
        let mut input = seeds[seed].clone();
        for change in &changes {
            apply(&mut input, change, &seeds);
        }
        input
    })
}

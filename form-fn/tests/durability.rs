//! A receipt only for what is durable, whatever moment form-fn dies at.
//! form-fn is killed (SIGKILL, as `kill -9`) at every step a submission
//! passes in the store (`sealed_store::crash::STEPS`): the citizen gets a
//! reference only if the sealed package and its outbox marker are both on
//! disk, and after a restart the store holds, for every application, both or
//! neither, never a package the outbox does not know.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;

const SUBMIT: &str = "/submit/bielefeld/einbuergerung";

/// What the store holds: references with a package, references with a marker.
fn contents(store: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let packages = files_below(&store.join("submissions"))
        .iter()
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .strip_suffix(".age")
                .map(str::to_owned)
        })
        .filter(|name| !name.starts_with('.'))
        .collect();
    let markers = files_below(&store.join("outbox"))
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_str()?.to_owned()))
        .filter(|name| !name.starts_with('.'))
        .collect();
    (packages, markers)
}

fn journals(store: &Path) -> Vec<PathBuf> {
    files_below(&store.join(".journal"))
}

/// Posts one application to a form-fn that is to die at `step`; returns the
/// reference if the citizen was given one.
fn submit_and_kill(dir: &Path, registry: &Path, store: &Path, step: &str) -> Option<String> {
    let mut form_fn = FormFn::start_with(
        dir,
        registry,
        store.to_str().unwrap(),
        &[("SEALED_STORE_KILL_AT", step)],
        &["--queue-only"],
    );
    let response = post_form(
        &form_fn.addr,
        SUBMIT,
        &valid_application("de"),
        &[("Accept", "application/json")],
    );
    assert_eq!(
        form_fn.wait_for_end(),
        Some(9),
        "{step}: form-fn was killed at that step"
    );
    match response.status {
        201 => {
            let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
            Some(body["reference"].as_str().unwrap().to_owned())
        }
        0 => None,
        other => panic!("{step}: {other} {}", response.body),
    }
}

#[test]
fn a_receipt_only_when_package_and_marker_are_durable_at_every_step_a_kill_can_hit() {
    let dir = tempfile::tempdir().unwrap();
    let registry = build_site(dir.path()).join("registry.json");
    // What the store holds right after the kill, (package, marker), and
    // whether the citizen got a receipt; `None`: either way.
    let expected: [(&str, (bool, bool), Option<bool>); 6] = [
        ("journal-written", (false, false), Some(false)),
        ("journal-synced", (false, false), Some(false)),
        ("linked-1", (false, true), Some(false)),
        ("linked-2", (true, true), Some(false)),
        ("answered", (true, true), None),
        ("checkpoint-synced", (true, true), Some(true)),
    ];
    assert_eq!(
        expected.map(|(step, ..)| step),
        sealed_store::crash::STEPS,
        "every step is tested"
    );
    for (step, (has_package, has_marker), receipt) in expected {
        let store = dir.path().join(format!("store-{step}"));
        let given = submit_and_kill(dir.path(), &registry, &store, step);
        if let Some(receipt) = receipt {
            assert_eq!(given.is_some(), receipt, "{step}: receipt");
        }
        let (packages, markers) = contents(&store);
        assert_eq!(
            (packages.len(), markers.len()),
            (usize::from(has_package), usize::from(has_marker)),
            "{step}: right after the kill"
        );
        if let Some(reference) = &given {
            assert!(
                packages.contains(reference) && markers.contains(reference),
                "{step}: a receipt for {reference} with both on disk"
            );
        }
        // Whatever reached the journal was made durable by it: a restart
        // links what is missing, and leaves no journal behind.
        let restarted = FormFn::start_with(
            dir.path(),
            &registry,
            store.to_str().unwrap(),
            &[],
            &["--queue-only"],
        );
        wait_for_checkpoint(&store);
        let (packages, markers) = contents(&store);
        assert_eq!(
            packages.len(),
            1,
            "{step}: the journaled application is stored"
        );
        assert_eq!(packages, markers, "{step}: every package is in the outbox");
        if let Some(reference) = &given {
            assert!(packages.contains(reference), "{step}");
        }
        let reference = packages.first().unwrap();
        let package = files_below(&store.join("submissions")).remove(0);
        assert_eq!(
            decrypt("bielefeld", &package)["reference"],
            reference.as_str()
        );
        assert_eq!(
            marker(&store, reference).unwrap()["key"],
            package.strip_prefix(&store).unwrap().to_str().unwrap(),
            "{step}: the marker points to the package"
        );
        drop(restarted);
    }
}

#[test]
fn a_stopping_form_fn_leaves_no_journal_to_replay() {
    let dir = tempfile::tempdir().unwrap();
    let registry = build_site(dir.path()).join("registry.json");
    let store = dir.path().join("store");
    let mut form_fn = FormFn::start_with(
        dir.path(),
        &registry,
        store.to_str().unwrap(),
        &[],
        &["--queue-only"],
    );
    for _ in 0..3 {
        let response = post_form(&form_fn.addr, SUBMIT, &valid_application("de"), &[]);
        assert_eq!(response.status, 303, "{}", response.body);
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &form_fn.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(form_fn.wait_for_end(), None, "form-fn stopped by itself");
    assert!(journals(&store).is_empty(), "{:?}", journals(&store));
    let (packages, markers) = contents(&store);
    assert_eq!(packages.len(), 3);
    assert_eq!(packages, markers);
}

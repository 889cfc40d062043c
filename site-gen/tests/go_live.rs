//! Going live safely: the published folder holds only public files (form-fn's
//! registry and shells, with transport endpoints, mailboxes and secret names,
//! go to a folder of their own), and a form reachable from other machines
//! never encrypts to a key whose identity is committed in this repository.

mod common;

use std::path::Path;
use std::process::Command;

use common::Tree;
use site_gen::BuildError;

/// Transport settings with strings that must never be published.
const XTA2: &str = r#"transport:
  xta2:
    send_url: "https://xta.secret-endpoint.example/MB_XTA-WS/XTA210sendPort.svc"
    management_url: "https://xta.secret-endpoint.example/MB_XTA-WS/XTA210managementPort.svc"
    client_identity: { env: "BIELEFELD_XTA_IDENTITY" }
    author_prefix: "ehdv"
    reader_prefix: "dvdv"
    service: "urn:de:example:einbuergerung"
"#;

/// Every file below `dir` with its text (lossy).
fn texts(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (
                e.path().display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

#[test]
fn the_published_folder_names_no_endpoint_mailbox_or_secret() {
    let tree = Tree::sample(&["bielefeld", "koeln"]);
    let file = "municipalities/bielefeld.yaml";
    let without_transport = tree.read(file).replace(
        "transport:\n  mailbox:\n    location: \"mailboxes/bielefeld\"\n",
        "",
    );
    tree.write(file, &(without_transport + XTA2));
    tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
        .unwrap();

    let function = tree.function_out();
    let registry = std::fs::read_to_string(function.join("registry.json")).unwrap();
    assert!(
        registry.contains("xta.secret-endpoint.example") && registry.contains("mailboxes/koeln")
    );
    assert!(function.join("shells/bielefeld/de.html").is_file());
    assert!(function.join("shells/koeln/en.html").is_file());

    let published = texts(&tree.out());
    assert!(published.len() > 100, "the site was written");
    for (path, text) in &published {
        for secret in [
            "secret-endpoint",
            "BIELEFELD_XTA_IDENTITY",
            "mailboxes/",
            "registry.json",
            "FORM_FN_",
            "client_identity",
        ] {
            assert!(!text.contains(secret), "{path} names {secret}");
        }
        assert!(
            !path.contains("registry") && !path.contains("shells"),
            "{path}"
        );
    }
}

#[test]
fn committed_test_keys_are_refused_where_the_form_is_reachable() {
    let tree = Tree::sample(&["bielefeld", "koeln"]);
    // Köln has its office's own (fresh) key; Bielefeld still the committed test key.
    tree.use_own_recipient("koeln");
    let errors = match tree.build_with_endpoint(Some("https://forms.stadt.example")) {
        Err(BuildError::Editor(errors)) => errors,
        other => panic!("expected the build to refuse, got {other:?}"),
    };
    let bielefeld = tree.read("municipalities/bielefeld.yaml");
    let line = bielefeld
        .lines()
        .position(|l| l.starts_with("  - \"age1"))
        .unwrap()
        + 1;
    let refused: Vec<_> = errors
        .iter()
        .filter(|e| e.message.contains("test key"))
        .collect();
    assert!(!refused.is_empty(), "{errors:?}");
    assert!(
        refused.iter().all(|e| !e.file.ends_with("koeln.yaml")),
        "Köln's own key is fine: {errors:?}"
    );
    let first = refused
        .iter()
        .find(|e| e.file.ends_with("bielefeld.yaml"))
        .expect("Bielefeld's committed key is named");
    assert_eq!((first.line, first.column), (line, 5), "{first}");
    assert!(
        first.message.contains("tests/keys/bielefeld.txt")
            && first.message.contains("office keygen")
            && first.message.contains("https://forms.stadt.example"),
        "{first}"
    );
    assert!(
        !tree.out().exists() && !tree.function_out().exists(),
        "nothing written"
    );

    // On this machine the test keys are what the demo and the tests use.
    tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
        .expect("loopback accepts the committed keys");
}

#[test]
fn fresh_keys_from_office_keygen_and_form_fn_keygen_take_the_form_online() {
    let tree = Tree::sample(&["bielefeld"]);
    let identity = tree.path("office-key.txt");
    let office = Path::new(env!("CARGO_BIN_EXE_site-gen")).with_file_name("office");
    let output = Command::new(&office)
        .arg("keygen")
        .arg("--out")
        .arg(&identity)
        .output()
        .expect("the office CLI is built beside site-gen (make unit builds every binary)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let recipient = std::fs::read_to_string(&identity)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .expect("the identity file states its public key");
    tree.set_recipient("bielefeld", &recipient);
    let refused = tree
        .build_with_endpoint(Some("https://forms.stadt.example"))
        .expect_err("the sample's signing key is a test key");
    assert!(
        refused
            .to_string()
            .contains("tests/keys/form-fn-signing.txt")
            && refused.to_string().contains("form-fn keygen"),
        "{refused}"
    );
    let form_fn = Path::new(env!("CARGO_BIN_EXE_site-gen")).with_file_name("form-fn");
    let signing_file = tree.path("signing-key.txt");
    let made = Command::new(&form_fn)
        .arg("keygen")
        .arg("--out")
        .arg(&signing_file)
        .output()
        .expect("form-fn is built beside site-gen (make unit builds every binary)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let signing_key = std::fs::read_to_string(&signing_file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .unwrap();
    assert!(String::from_utf8_lossy(&made.stdout).contains(&signing_key));
    tree.set_signing_key(&signing_key);
    tree.build_with_endpoint(Some("https://forms.stadt.example"))
        .expect("an office's own key and a fresh signing key are accepted");
    let registry: form_spec::registry::Registry = serde_json::from_str(
        &std::fs::read_to_string(tree.function_out().join("registry.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(registry.municipalities["bielefeld"].recipients, [recipient]);
}

#[test]
fn form_fns_folder_can_never_be_inside_the_published_one() {
    let tree = Tree::sample(&["bielefeld"]);
    for (out, function_out) in [
        ("public", "public/function"),
        ("site/public", "site"),
        ("x", "x"),
    ] {
        let options = site_gen::BuildOptions {
            function_out: tree.path(function_out),
            ..site_gen::BuildOptions::new(tree.root(), tree.path(out))
        };
        match site_gen::build(&options) {
            Err(BuildError::OutputDir(message)) => {
                assert!(message.contains("must never be published"), "{message}")
            }
            other => panic!("{out} / {function_out}: expected a refusal, got {other:?}"),
        }
    }
    assert!(!tree.out().exists());
}

#[test]
fn a_failed_build_leaves_both_folders_as_they_were() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
        .unwrap();
    let before = (texts(&tree.out()), texts(&tree.function_out()));
    tree.edit(
        "municipalities/bielefeld.yaml",
        "ags: \"05711000\"",
        "ags: \"5711000\"",
    );
    assert!(
        tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
            .is_err()
    );
    assert_eq!((texts(&tree.out()), texts(&tree.function_out())), before);
}

//! `site-gen new municipality` as an editor uses it: the file it writes
//! builds at once, as sample data and without an online form, and `check`
//! lists what is left to fill in; mistakes in the arguments change nothing.

mod common;

use std::process::{Command, Output};

use common::Tree;
use site_gen::check::{Severity, check_site};

fn new_municipality(tree: &Tree, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .args(["new", "municipality", "--root"])
        .arg(tree.root())
        .args(args)
        .output()
        .expect("site-gen runs")
}

#[test]
fn the_new_file_builds_as_sample_data_without_an_online_form() {
    let tree = Tree::sample(&["bielefeld"]);
    let args = [
        "--slug", "herford", "--name", "Herford", "--ags", "05758012",
    ];
    let output = new_municipality(&tree, &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = tree.read("municipalities/herford.yaml");
    assert!(text.contains("kind: gemeinde"), "kind from the key");
    assert!(
        text.contains("office keygen"),
        "says how the office gets its key"
    );

    tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
        .expect("builds at once, also where the site's form is online");
    let page = std::fs::read_to_string(tree.out().join("herford/de/index.html")).unwrap();
    assert!(page.contains("Beispieldaten:"), "marked as sample data");
    let apply = std::fs::read_to_string(tree.out().join("herford/de/apply/index.html")).unwrap();
    assert!(
        !apply.contains("<form"),
        "no online form until recipients are set"
    );
    let bielefeld =
        std::fs::read_to_string(tree.out().join("bielefeld/de/apply/index.html")).unwrap();
    assert!(bielefeld.contains("<form"), "the others keep theirs");

    let findings = check_site(tree.root()).unwrap();
    assert!(
        findings.iter().all(|f| f.severity == Severity::Warning),
        "{findings:#?}"
    );
    let todo: Vec<usize> = findings
        .iter()
        .filter(|f| f.code == "todo" && f.file.ends_with("herford.yaml"))
        .map(|f| f.line)
        .collect();
    let postcode_line = text
        .lines()
        .position(|l| l.starts_with("postcodes:"))
        .unwrap()
        + 1;
    assert!(todo.contains(&postcode_line), "{findings:#?}");
}

#[test]
fn a_kreis_gets_its_kind_and_wrong_arguments_write_nothing() {
    let tree = Tree::sample(&["bielefeld"]);
    let output = new_municipality(
        &tree,
        &[
            "--slug",
            "kreis-herford",
            "--name",
            "Kreis Herford",
            "--ags",
            "05758000",
            "--kind",
            "kreis",
        ],
    );
    assert!(output.status.success());
    assert!(
        tree.read("municipalities/kreis-herford.yaml")
            .contains("kind: kreis\n")
    );
    tree.build().expect("a new Kreis builds");

    let again = new_municipality(
        &tree,
        &[
            "--slug",
            "kreis-herford",
            "--name",
            "X",
            "--ags",
            "05758000",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already: nothing was written"));
    assert!(
        tree.read("municipalities/kreis-herford.yaml")
            .contains("Kreis Herford"),
        "unchanged"
    );

    for (args, says) in [
        (
            [
                "--slug", "x", "--name", "X", "--ags", "5758012", "--kind", "gemeinde",
            ],
            "not an official municipality key",
        ),
        (
            [
                "--slug", "x", "--name", "X", "--ags", "05758012", "--kind", "dorf",
            ],
            "`dorf` is not a kind",
        ),
        (
            [
                "--slug", "X Y", "--name", "X", "--ags", "05758012", "--kind", "gemeinde",
            ],
            "cannot be a slug",
        ),
    ] {
        let output = new_municipality(&tree, &args);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{says}"
        );
        assert!(!tree.path("municipalities/x.yaml").exists());
    }
}

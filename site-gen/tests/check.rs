//! `site-gen check` as an editor uses it: the sample content has no error,
//! and every seeded mistake is found at its file, line and column with its
//! code, in text and in JSON, with the exit code CI relies on.

mod common;

use std::path::Path;
use std::process::Command;

use common::Tree;
use site_gen::check::{Finding, Severity, check_site};

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not found"))
}

fn column_of(text: &str, needle: &str) -> usize {
    let line = text.lines().find(|l| l.contains(needle)).unwrap();
    line[..line.find(needle).unwrap()].chars().count() + 1
}

/// Appends `addition` to `file` in the tree; returns the new text.
fn append(tree: &Tree, file: &str, addition: &str) -> String {
    let text = format!("{}{addition}", tree.read(file));
    tree.write(file, &text);
    text
}

fn find<'a>(findings: &'a [Finding], file: &str, code: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.file == Path::new(file) && f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {file}: {findings:#?}"))
}

#[test]
fn the_sample_content_has_no_error() {
    let findings = check_site(&common::repo_root()).unwrap();
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_seeded_mistake_is_found_where_it_is_written() {
    let tree = Tree::sample(&["bielefeld"]);
    let costs = append(
        &tree,
        "content/de/kosten.md",
        "\nSiehe [Unterlagen](#unterlagn) und [Antrag](../antrag/).\n",
    );
    let imprint = append(
        &tree,
        "content/de/pages/imprint.md",
        "\n![](wappen.svg)\n\nFrüher galten andere Regeln. Sie müssen 8 Jahre hier leben.\n",
    );
    let en = append(
        &tree,
        "content/en/hinweise.md",
        "- With special integration achievements 3 years are enough.\n",
    );
    let notes = "municipalities/bielefeld.yaml";
    let municipality = append(
        &tree,
        notes,
        "local_notes:\n  de: Sie müssen Ihre Staatsangehörigkeit aufgeben.\n  en: Notes.\n",
    );
    let findings = check_site(tree.root()).unwrap();
    let expect = |file: &str, text: &str, code: &str, needle: &str| {
        let found = find(&findings, file, code);
        assert_eq!(
            (found.line, found.column),
            (line_of(text, needle), column_of(text, needle)),
            "{found:?}"
        );
        assert_eq!(found.severity, Severity::Error);
    };
    expect(
        "content/de/kosten.md",
        &costs,
        "missing-anchor",
        "#unterlagn",
    );
    expect("content/de/kosten.md", &costs, "broken-link", "../antrag/");
    expect(
        "content/de/pages/imprint.md",
        &imprint,
        "image-alt",
        "![](wappen",
    );
    expect(
        "content/de/pages/imprint.md",
        &imprint,
        "outdated-residence",
        "8 Jahre hier",
    );
    expect(
        "content/en/hinweise.md",
        &en,
        "outdated-fast-track",
        "special integration achievements 3",
    );
    expect(notes, &municipality, "outdated-renunciation", "aufgeben");
    // The added note is German and English only: the other languages show
    // the German text (missing-translation warnings, tested below).
    let others: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code != "missing-translation")
        .collect();
    assert_eq!(others.len(), 6, "nothing else: {others:#?}");
}

#[test]
fn what_the_build_refuses_is_reported_with_its_location() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "municipalities/bielefeld.yaml";
    tree.edit(file, "ags: \"05711000\"", "ags: \"5711000\"");
    let findings = check_site(tree.root()).unwrap();
    let found = find(&findings, file, "invalid");
    assert_eq!(found.line, line_of(&tree.read(file), "ags:"));
    assert!(
        found.message.contains("official municipality key"),
        "{found:?}"
    );
}

fn site_gen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_site-gen"))
}

#[test]
fn the_command_prints_one_line_or_json_per_problem_and_fails_on_errors() {
    let clean = site_gen()
        .args(["check", "--root"])
        .arg(common::repo_root())
        .output()
        .unwrap();
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    let tree = Tree::sample(&["bielefeld"]);
    let text = append(&tree, "content/de/kosten.md", "\n[Weg](../nirgends/)\n");
    let run = |format: &str| {
        site_gen()
            .args(["check", "--format", format, "--root"])
            .arg(tree.root())
            .output()
            .unwrap()
    };
    let output = run("text");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = line_of(&text, "../nirgends/");
    let column = column_of(&text, "../nirgends/");
    assert_eq!(
        stdout.trim(),
        format!(
            "content/de/kosten.md:{line}:{column}: error: link `../nirgends/` leads to \
             /bielefeld/nirgends/, which is not a page of the site"
        )
    );
    let output = run("json");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "file": "content/de/kosten.md",
            "line": line,
            "column": column,
            "severity": "error",
            "code": "broken-link",
            "message": "link `../nirgends/` leads to /bielefeld/nirgends/, which is not a page of the site",
        }])
    );
}

/// A language can be added one text at a time: a block, a public page and a
/// municipality's note that lack English are warnings, and the build shows
/// the German text there, marked as German with a note in English.
#[test]
fn a_missing_translation_is_a_warning_and_german_stands_in() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.remove("content/en/kosten.md");
    tree.remove("content/en/pages/imprint.md");
    let municipality = tree.read("municipalities/bielefeld.yaml");
    tree.write(
        "municipalities/bielefeld.yaml",
        &format!("{municipality}local_notes:\n  de: \"Bitte bringen Sie **alle Pässe** mit.\"\n"),
    );
    let findings = check_site(tree.root()).unwrap();
    for (file, line) in [
        ("content/en/kosten.md", 0),
        ("content/en/pages/imprint.md", 0),
        (
            "municipalities/bielefeld.yaml",
            municipality.lines().count() + 2,
        ),
    ] {
        let finding = find(&findings, file, "missing-translation");
        assert_eq!(finding.severity, Severity::Warning, "{finding}");
        assert_eq!(finding.line, line, "{finding}");
    }
    assert!(
        findings.iter().all(|f| f.severity == Severity::Warning),
        "{findings:#?}"
    );

    let report = tree.build().unwrap();
    // kosten.md and imprint.md in English; the note in the six other languages.
    assert_eq!(report.warnings.len(), 8, "{:#?}", report.warnings);
    let page = std::fs::read_to_string(tree.out().join("bielefeld/en/index.html")).unwrap();
    assert!(
        page.contains(
            "<h2 id=\"kosten-heading\" lang=\"de\" dir=\"ltr\">Kosten</h2>\n      \
             <p class=\"untranslated\">This section has not been translated yet. It is shown in German.</p>\n      \
             <div lang=\"de\" dir=\"ltr\"><table>"
        ),
        "the German block stands in, marked"
    );
    assert!(
        page.contains(
            "<div lang=\"de\" dir=\"ltr\"><p>Bitte bringen Sie <strong>alle Pässe</strong> mit.</p>"
        ),
        "the German note stands in, marked"
    );
    let imprint =
        std::fs::read_to_string(tree.out().join("bielefeld/en/imprint/index.html")).unwrap();
    assert!(
        imprint.contains("<h1 lang=\"de\" dir=\"ltr\">Impressum</h1>"),
        "{imprint}"
    );
    assert!(imprint.contains("This page has not been translated yet."));
}

//! A rebuild into an existing output writes only the files whose bytes
//! changed, removes only the files no longer produced, and leaves exactly
//! what a fresh build would: byte for byte, manifest included.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Tree;
use site_gen::build::{BuildOptions, BuildReport, build};

const ENDPOINT: &str = "http://127.0.0.1:8080";
const MUNICIPALITIES: [&str; 3] = ["bielefeld", "koeln", "kreis-paderborn"];

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).expect("inside").to_owned();
            (relative, std::fs::read(entry.path()).expect("read"))
        })
        .collect()
}

/// Builds `tree` into `out` (and form-fn's files beside it), with the form online.
fn build_into(tree: &Tree, out: &Path) -> BuildReport {
    build(&BuildOptions {
        form_endpoint: Some(ENDPOINT.to_owned().try_into().expect("endpoint")),
        function_out: out.with_extension("function"),
        ..BuildOptions::new(tree.root(), out)
    })
    .expect("the build succeeds")
}

/// A fresh build of `tree` in a new folder, compared with `out`.
fn assert_same_as_fresh(tree: &Tree, out: &Path, what: &str) {
    let fresh = tree.path(&format!("fresh-{}", what.replace(' ', "-")));
    build_into(tree, &fresh);
    let (rebuilt, fresh_files) = (snapshot(out), snapshot(&fresh));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        fresh_files.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, bytes) in &rebuilt {
        assert!(
            bytes == &fresh_files[path],
            "{what}: {} differs",
            path.display()
        );
    }
    assert_eq!(
        snapshot(&out.with_extension("function")),
        snapshot(&fresh.with_extension("function")),
        "{what}: form-fn's files"
    );
}

#[test]
fn a_rebuild_writes_only_what_changed_and_equals_a_fresh_build() {
    let tree = Tree::sample(&MUNICIPALITIES);
    let out = tree.out();
    let first = build_into(&tree, &out);
    assert!(
        first.published.written > first.pages,
        "a first build writes every page and the assets: {:?}",
        first.published
    );

    let page = out.join("bielefeld/de/index.html");
    let modified = std::fs::metadata(&page).unwrap().modified().unwrap();
    let again = build_into(&tree, &out);
    assert_eq!(
        (again.published.written, again.published.removed),
        (0, 0),
        "a no-change rebuild writes no file"
    );
    assert_eq!(
        std::fs::metadata(&page).unwrap().modified().unwrap(),
        modified
    );

    // One shared German block: exactly the German service pages change.
    tree.edit(
        "content/de/kosten.md",
        "Rechtsgrundlage ist",
        "Bitte bringen Sie die Gebühr passend mit. Rechtsgrundlage ist",
    );
    let edited = build_into(&tree, &out);
    assert_eq!(
        (edited.published.written, edited.published.removed),
        (MUNICIPALITIES.len(), 0)
    );
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(text.contains("Bitte bringen Sie die Gebühr passend mit."));
    assert_same_as_fresh(&tree, &out, "after a block edit");

    // A municipality leaves: its files go, the index and sitemap change.
    let koeln_pages = snapshot(&out.join("koeln")).len();
    let koeln_shells = snapshot(&out.with_extension("function"))
        .keys()
        .filter(|path| path.to_string_lossy().contains("koeln"))
        .count();
    assert!(koeln_shells > 0);
    tree.remove("municipalities/koeln.yaml");
    let removed = build_into(&tree, &out);
    assert_eq!(
        removed.published.removed,
        koeln_pages + koeln_shells,
        "its pages and its form shells"
    );
    assert!(
        !out.join("koeln").exists(),
        "no empty folder is left behind"
    );
    assert!(
        removed.published.written >= 2,
        "index and sitemap: {:?}",
        removed.published
    );
    assert_same_as_fresh(&tree, &out, "after a removal");
}

#[test]
fn a_build_killed_while_publishing_is_repaired_by_the_next() {
    let tree = Tree::sample(&["bielefeld"]);
    let out = tree.out();
    build_into(&tree, &out);
    // What a kill part-way through putting files in place leaves: the
    // marker, a page half replaced, a page of a build that never finished.
    std::fs::write(out.join(".site-gen.updating"), "").unwrap();
    std::fs::write(out.join("bielefeld/de/index.html"), "<p>half").unwrap();
    std::fs::create_dir_all(out.join("gone/de")).unwrap();
    std::fs::write(out.join("gone/de/index.html"), "stray").unwrap();

    let repaired = build_into(&tree, &out);
    assert_eq!(
        (repaired.published.written, repaired.published.removed),
        (1, 1)
    );
    assert!(!out.join(".site-gen.updating").exists());
    assert!(!out.join("gone").exists());
    assert_same_as_fresh(&tree, &out, "after the repair");
}

#[test]
fn a_failed_rebuild_leaves_the_published_site_untouched() {
    let tree = Tree::sample(&["bielefeld"]);
    let out = tree.out();
    build_into(&tree, &out);
    let before = snapshot(&out);
    tree.edit(
        "content/de/kosten.md",
        "Rechtsgrundlage",
        "{{ no_such_variable }} Rechtsgrundlage",
    );
    let failed = build(&BuildOptions {
        form_endpoint: Some(ENDPOINT.to_owned().try_into().unwrap()),
        function_out: out.with_extension("function"),
        ..BuildOptions::new(tree.root(), &out)
    });
    assert!(failed.is_err());
    assert!(snapshot(&out) == before, "not one byte changed");
    assert!(!tree.path(".public.staging").exists());
}

#[test]
fn a_rebuild_of_the_same_inputs_renders_nothing_and_any_change_renders_again() {
    let tree = Tree::sample(&MUNICIPALITIES[..2]);
    let out = tree.out();
    let first = build_into(&tree, &out);
    assert!(!first.unchanged && first.pages > 0);
    let again = build_into(&tree, &out);
    assert!(again.unchanged, "nothing to render: {again:?}");
    assert_eq!(
        (
            again.pages,
            again.published.written,
            again.published.removed
        ),
        (0, 0, 0)
    );

    // Every kind of input counts: each edit is rendered and published, the
    // result equals a fresh build, and then there is nothing to do again.
    for (file, from, to) in [
        (
            "content/de/kosten.md",
            "Rechtsgrundlage ist",
            "Neu: Rechtsgrundlage ist",
        ),
        (
            "municipalities/bielefeld.yaml",
            "name: Bielefeld",
            "name: Bielefeld (Stadt)",
        ),
        (
            "themes/default/templates/base.html",
            "<footer class=\"site-footer\">",
            "<footer class=\"site-footer edited\">",
        ),
        (
            "data/gemeinden.csv",
            "Stadt Bielefeld,05711000",
            "Stadt Bielefeld (kreisfrei),05711000",
        ),
        (
            "site.yaml",
            "https://einbuergerung.example/",
            "https://einbuergerung.example.org/",
        ),
    ] {
        tree.edit(file, from, to);
        let rebuilt = build_into(&tree, &out);
        assert!(
            !rebuilt.unchanged && rebuilt.published.written > 0,
            "{file}: rendered and published, {:?}",
            rebuilt.published
        );
        assert_same_as_fresh(&tree, &out, file);
        assert!(
            build_into(&tree, &out).unchanged,
            "{file}: then nothing to do"
        );
    }

    // An edit that changes no page (a comment) is rendered once; the
    // folders then record the new inputs, and the next build has nothing to do.
    tree.edit("site.yaml", "theme: default", "# edited\ntheme: default");
    let comment = build_into(&tree, &out);
    assert!(!comment.unchanged);
    assert_eq!(
        (comment.published.written, comment.published.removed),
        (0, 0)
    );
    assert!(build_into(&tree, &out).unchanged);
    assert_same_as_fresh(&tree, &out, "after a comment");

    // Another address given on the command line is another build.
    let staging = build(&BuildOptions {
        base_url: Some(
            "https://staging.example.org/"
                .to_owned()
                .try_into()
                .unwrap(),
        ),
        form_endpoint: Some(ENDPOINT.to_owned().try_into().unwrap()),
        function_out: out.with_extension("function"),
        ..BuildOptions::new(tree.root(), &out)
    })
    .unwrap();
    assert!(!staging.unchanged && staging.published.written > 0);
}

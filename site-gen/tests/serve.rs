//! `site-gen serve` as an editor uses it: a saved file rebuilds only the
//! pages it affects, the served site always equals a fresh full build, and
//! a broken file keeps the last good site served with the error on it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::Tree;
use site_gen::BuildOptions;
use site_gen::build::Scope;
use site_gen::build::build_in_memory;
use site_gen::serve::{
    CSP_DEFAULT, CSP_WITH_EVENTS, Files, LiveSite, Rebuild, rebuild, scope_of, shared,
};
use test_support::{free_port, wait_until};

fn options(tree: &Tree, port: u16) -> BuildOptions {
    BuildOptions {
        base_url: Some(format!("http://127.0.0.1:{port}/").try_into().unwrap()),
        function_out: tree.path("function"),
        ..BuildOptions::new(tree.root(), tree.out())
    }
}

/// Rebuilds after `file` was saved, in the scope serve would choose.
fn saved(options: &BuildOptions, live: &LiveSite, function: &mut Files, file: &str) -> Rebuild {
    let scope = scope_of(&options.root, &[options.root.join(file)], live);
    rebuild(options, live, function, &scope)
}

fn changed(outcome: Rebuild) -> Vec<String> {
    rendered_and_changed(outcome).1
}

/// How many pages a rebuild rendered, and which changed.
fn rendered_and_changed(outcome: Rebuild) -> (usize, Vec<String>) {
    match outcome {
        Rebuild::Built {
            rendered, changed, ..
        } => (rendered, changed),
        Rebuild::Failed(message) => panic!("the rebuild failed: {message}"),
    }
}

#[test]
fn a_change_to_one_file_rebuilds_only_the_pages_it_affects() {
    let tree = Tree::sample(&[]);
    let options = options(&tree, 8000);
    let live = LiveSite::new(Files::new());
    let mut function = Files::new();
    assert!(changed(rebuild(&options, &live, &mut function, &Scope::All)).len() > 1000);

    tree.edit(
        "content/de/kosten.md",
        "| 255 Euro |",
        "| 255 Euro (Stand 2026) |",
    );
    let scope = scope_of(tree.root(), &[tree.path("content/de/kosten.md")], &live);
    assert!(matches!(scope, Scope::ServicePages(_)), "{scope:?}");
    let (rendered, pages) = rendered_and_changed(saved(
        &options,
        &live,
        &mut function,
        "content/de/kosten.md",
    ));
    assert_eq!(
        rendered, 9,
        "only the 9 German service pages are rendered again"
    );
    let german_service_pages: Vec<String> = [
        "bielefeld",
        "bonn",
        "dortmund",
        "guetersloh",
        "koeln",
        "kreis-guetersloh",
        "kreis-paderborn",
        "muenster",
        "paderborn",
    ]
    .iter()
    .map(|slug| format!("{slug}/de/index.html"))
    .collect();
    assert_eq!(
        pages, german_service_pages,
        "the costs block is on every German service page, nowhere else"
    );

    tree.edit(
        "municipalities/muenster.yaml",
        "hearing_loop: false",
        "hearing_loop: true",
    );
    let (rendered, pages) = rendered_and_changed(saved(
        &options,
        &live,
        &mut function,
        "municipalities/muenster.yaml",
    ));
    assert!(
        rendered < 700,
        "Münster's pages and the index with its pages of places, not the site: {rendered}"
    );
    assert!(
        pages.iter().all(|p| p.starts_with("muenster/")),
        "{pages:?}"
    );
    assert!(pages.contains(&"muenster/en/index.html".to_owned()));

    assert!(
        changed(rebuild(&options, &live, &mut function, &Scope::All)).is_empty(),
        "nothing saved, nothing rebuilt"
    );
}

#[test]
fn after_a_series_of_edits_the_served_site_equals_a_fresh_full_build() {
    let tree = Tree::sample(&["bielefeld", "kreis-paderborn"]);
    let options = BuildOptions {
        form_endpoint: Some("http://127.0.0.1:8081".to_owned().try_into().unwrap()),
        ..options(&tree, 8000)
    };
    let live = LiveSite::new(Files::new());
    let mut function = Files::new();
    changed(rebuild(&options, &live, &mut function, &Scope::All));
    let edits: [(&str, &str, &str); 7] = [
        (
            "content/de/pages/imprint.md",
            "heading: Impressum",
            "heading: Impressum und Kontakt",
        ),
        (
            "municipalities/kreis-paderborn/de/zustaendige-stelle.md",
            "Der Kreis Paderborn ist",
            "Der Kreis Paderborn ist weiterhin",
        ),
        ("content/de/kosten.md", "| 255 Euro |", "| 256 Euro |"),
        (
            "themes/default/templates/base.html",
            "<footer class=\"site-footer\">",
            "<footer class=\"site-footer\" data-edited>",
        ),
        (
            "municipalities/bielefeld.yaml",
            "step_free: true",
            "step_free: false",
        ),
        (
            "content/quick-check.yaml",
            "de: Wie alt sind Sie?",
            "de: Wie alt sind Sie heute?",
        ),
        (
            "content/forms/einbuergerung.yaml",
            "de: Familienname, en: Family name",
            "de: Nachname, en: Family name",
        ),
    ];
    for (file, from, to) in edits {
        tree.edit(file, from, to);
        assert!(
            !changed(saved(&options, &live, &mut function, file)).is_empty(),
            "{file}"
        );
        let fresh = build_in_memory(&options).unwrap();
        assert!(
            *live.files() == shared(fresh.site),
            "after editing {file} the served site differs from a fresh build"
        );
        assert_eq!(
            function,
            shared(fresh.function),
            "form-fn's files after {file}"
        );
    }
    // A new block that fails (no position yet), then fixed; its translation
    // then arrives in another file: every page must get the block.
    tree.write(
        "content/de/neu.md",
        "---\nheading: Neu\n---\nEin neuer Abschnitt.\n",
    );
    assert!(matches!(
        saved(&options, &live, &mut function, "content/de/neu.md"),
        Rebuild::Failed(_)
    ));
    tree.write(
        "content/de/neu.md",
        "---\nheading: Neu\norder: 65\n---\nEin neuer Abschnitt.\n",
    );
    changed(saved(&options, &live, &mut function, "content/de/neu.md"));
    tree.write(
        "content/en/neu.md",
        "---\nheading: New\norder: 65\n---\nA new section.\n",
    );
    changed(saved(&options, &live, &mut function, "content/en/neu.md"));
    let fresh = build_in_memory(&options).unwrap();
    assert!(
        *live.files() == shared(fresh.site),
        "after a failed build, nothing is left stale"
    );
    assert!(
        String::from_utf8_lossy(&live.files()["bielefeld/de/index.html"])
            .contains("Ein neuer Abschnitt.")
    );

    let form = String::from_utf8(live.files()["bielefeld/de/apply/index.html"].to_vec()).unwrap();
    assert!(
        form.contains("<form") && form.contains("Nachname"),
        "the edited form is served"
    );
}

/// A GET over HTTP/1.1; the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    get_as(port, path, &format!("127.0.0.1:{port}"))
}

/// A GET that names `host` as the server it is meant for.
fn get_as(port: u16, path: &str, host: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(tree: &Tree, port: u16) -> Served {
    let child = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(tree.root())
        .arg("--function-out")
        .arg(tree.path("function"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("site-gen serve starts");
    wait_until("serve answers", || get(port, "/").0 == 200);
    Served(child)
}

/// The page as built, without what serve adds (the reload script, the
/// overlay, and the connection to this server in the security policy).
fn without_injection(html: &str) -> String {
    let html = html.replacen(CSP_WITH_EVENTS, CSP_DEFAULT, 1);
    match html.find("<link rel=\"stylesheet\" href=\"/_site-gen/") {
        Some(start) => {
            let end = html.rfind("</body>").unwrap_or(html.len());
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html,
    }
}

#[test]
fn the_running_server_follows_saved_files_and_survives_a_broken_one() {
    let tree = Tree::sample(&["bielefeld"]);
    let port = free_port();
    let _server = serve(&tree, port);
    let (status, page) = get(port, "/bielefeld/de/");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/_site-gen/reload.js\" data-version="));
    assert_eq!(
        get_as(port, "/bielefeld/de/", "preview.attacker.example").0,
        403,
        "only requests meant for this machine (no DNS rebinding)"
    );

    tree.edit(
        "content/de/kosten.md",
        "| 255 Euro |",
        "| 255 Euro (Stand 2026) |",
    );
    wait_until("the saved text is served", || {
        get(port, "/bielefeld/de/").1.contains("Stand 2026")
    });

    tree.edit(
        "municipalities/bielefeld.yaml",
        "ags: \"05711000\"",
        "ags: \"5711000\"",
    );
    wait_until("the error is shown", || {
        get(port, "/bielefeld/de/").1.contains("site-gen-error")
    });
    let (status, page) = get(port, "/bielefeld/de/");
    assert_eq!(status, 200, "the last good page stays served");
    assert!(page.contains("Stand 2026"));
    assert!(page.contains(
        "municipalities/bielefeld.yaml:7:6: `5711000` is not an official municipality key"
    ));

    tree.edit(
        "municipalities/bielefeld.yaml",
        "ags: \"5711000\"",
        "ags: \"05711000\"",
    );
    wait_until("the error is gone", || {
        !get(port, "/bielefeld/de/").1.contains("site-gen-error")
    });
    let fresh = build_in_memory(&options(&tree, port)).unwrap();
    for (path, bytes) in fresh.site.iter().filter(|(p, _)| p.ends_with("index.html")) {
        let url = format!("/{}", path.trim_end_matches("index.html"));
        let (status, served) = get(port, &url);
        assert_eq!(status, 200, "{url}");
        assert_eq!(
            without_injection(&served),
            String::from_utf8_lossy(bytes),
            "{url} equals a fresh build"
        );
    }
}

#[test]
fn started_in_the_site_folder_without_root_it_follows_saved_files() {
    let tree = Tree::sample(&["bielefeld"]);
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(tree.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("site-gen serve starts");
    let _server = Served(child);
    wait_until("serve answers", || get(port, "/").0 == 200);
    tree.edit(
        "content/de/kosten.md",
        "| 255 Euro |",
        "| 255 Euro (relativ) |",
    );
    wait_until("the saved text is served", || {
        get(port, "/bielefeld/de/").1.contains("(relativ)")
    });
}

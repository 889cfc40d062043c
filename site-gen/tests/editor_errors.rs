//! Every kind of editor mistake stops the build with one clear message
//! (file, line, column, what was expected) and leaves the published site as it was.

mod common;

use common::Tree;
use site_gen::EditorError;

const BIELEFELD: &str = "municipalities/bielefeld.yaml";

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not found"))
}

fn only_error(tree: &Tree) -> EditorError {
    let errors = tree.editor_errors();
    assert_eq!(errors.len(), 1, "expected one error, got: {errors:#?}");
    errors.into_iter().next().unwrap()
}

fn assert_mentions(error: &EditorError, file: &str, words: &[&str]) {
    let text = error.to_string();
    assert!(text.starts_with(file), "error should name {file}: {text}");
    for word in words {
        assert!(text.contains(word), "error should mention {word:?}: {text}");
    }
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "languages: [de, en, ar, tr, ru, uk, fa]",
        "languages: [de, en, ar, tr, ru, uk, fa",
    );
    let error = only_error(&tree);
    // The parser notices the open bracket where the next key starts.
    assert_eq!(
        (error.line, error.column),
        (line_of(&tree.read(BIELEFELD), "postcodes:"), 10)
    );
    assert_mentions(&error, BIELEFELD, &["indicator"]);
}

#[test]
fn unknown_key_is_refused_at_its_position() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "  web:",
        "  webseite: \"https://www.bielefeld.de/\"\n  web:",
    );
    let line = line_of(&tree.read(BIELEFELD), "webseite");
    let error = only_error(&tree);
    assert_eq!((error.line, error.column), (line, 3), "{error}");
    assert_mentions(
        &error,
        BIELEFELD,
        &["unknown field `webseite`", "expected one of"],
    );
}

#[test]
fn wrong_type_says_what_was_expected() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(BIELEFELD, "step_free: true", "step_free: ja");
    let line = line_of(&tree.read(BIELEFELD), "step_free");
    let error = only_error(&tree);
    assert_eq!(error.line, line, "{error}");
    assert_mentions(&error, BIELEFELD, &["bool"]);
}

#[test]
fn missing_required_key_is_named() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(BIELEFELD, "  contact_verified: false\n", "");
    let error = only_error(&tree);
    assert_mentions(&error, BIELEFELD, &["missing field `contact_verified`"]);
}

#[test]
fn invalid_official_key_is_refused_at_its_value() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(BIELEFELD, "ags: \"05711000\"", "ags: \"5711000\"");
    let line = line_of(&tree.read(BIELEFELD), "ags:");
    let error = only_error(&tree);
    assert_eq!((error.line, error.column), (line, 6), "{error}");
    assert_mentions(
        &error,
        BIELEFELD,
        &["official municipality key", "8 digits"],
    );
}

#[test]
fn key_that_does_not_fit_the_kind_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "kind: kreisfreie_stadt",
        "kind: grosse_kreisangehoerige_stadt",
    );
    let line = line_of(&tree.read(BIELEFELD), "ags:");
    let error = only_error(&tree);
    assert_eq!(error.line, line, "{error}");
    assert_mentions(&error, BIELEFELD, &["does not fit the kind"]);
}

#[test]
fn bad_postcode_phone_and_web_address_are_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(BIELEFELD, "- \"33602\"", "- \"3360\"");
    tree.edit(
        BIELEFELD,
        "  web: \"https://www.bielefeld.de/\"",
        "  web: \"http://www.bielefeld.de/\"\n  phone: \"0521 51-0\"",
    );
    let errors = tree.editor_errors();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    // serde stops at the first wrong value of a file: the postcode comes first.
    assert_eq!(errors.len(), 1, "{text:?}");
    assert!(text[0].contains("not a postcode"), "{text:?}");
    tree.edit(BIELEFELD, "- \"3360\"", "- \"33602\"");
    let error = only_error(&tree);
    assert_mentions(&error, BIELEFELD, &["https://"]);
}

#[test]
fn languages_must_start_with_german() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "languages: [de, en, ar, tr, ru, uk, fa]",
        "languages: [en, de]",
    );
    let error = only_error(&tree);
    assert_mentions(&error, BIELEFELD, &["expected `de` first"]);
    assert_eq!(error.line, line_of(&tree.read(BIELEFELD), "languages:"));
}

#[test]
fn unknown_language_code_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "languages: [de, en, ar, tr, ru, uk, fa]",
        "languages: [de, english]",
    );
    let error = only_error(&tree);
    assert_mentions(
        &error,
        BIELEFELD,
        &["unknown language code `english`", "ISO 639-1"],
    );
}

#[test]
fn offered_language_without_content_is_a_missing_translation() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        BIELEFELD,
        "languages: [de, en, ar, tr, ru, uk, fa]",
        "languages: [de, en, ar, tr, ru, uk, fa, pl]",
    );
    let error = only_error(&tree);
    assert_mentions(&error, BIELEFELD, &["missing translation", "content/pl/"]);
}

#[test]
fn content_block_without_translation_is_a_warning_not_an_error() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.remove("content/en/kosten.md");
    let report = tree.build().expect("German stands in for a missing block");
    assert_eq!(report.warnings.len(), 1, "{:#?}", report.warnings);
    assert_mentions(
        &report.warnings[0],
        "content/en/kosten.md",
        &["missing translation of content/de/kosten.md"],
    );
}

#[test]
fn translation_without_german_original_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.write(
        "content/en/extra.md",
        "---\nheading: Extra\norder: 5\n---\nText\n",
    );
    let error = only_error(&tree);
    assert_mentions(&error, "content/en/extra.md", &["no German original"]);
}

#[test]
fn interface_string_without_translation_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit("content/en/ui.yaml", "phone: \"Phone\"\n", "");
    let error = only_error(&tree);
    assert_mentions(
        &error,
        "content/en/ui.yaml",
        &["missing translation of `phone`", "content/de/ui.yaml line"],
    );
}

#[test]
fn missing_description_block_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    for lang in ["de", "en", "ar", "tr", "ru", "uk", "fa"] {
        tree.remove(&format!("content/{lang}/fristen.md"));
    }
    let error = only_error(&tree);
    assert_mentions(&error, "content/de/fristen.md", &["\"Fristen\""]);
}

#[test]
fn front_matter_mistake_points_into_the_markdown_file() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        "content/de/kosten.md",
        "order: 60",
        "order: 60\ntitle: Kosten",
    );
    let error = only_error(&tree);
    assert_eq!((error.line, error.column), (4, 1), "{error}");
    assert_mentions(&error, "content/de/kosten.md", &["unknown field `title`"]);
}

#[test]
fn markdown_without_front_matter_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.write("content/de/kosten.md", "# Kosten\n\n255 Euro\n");
    let error = only_error(&tree);
    assert_mentions(&error, "content/de/kosten.md:1:1", &["front matter"]);
}

#[test]
fn unknown_template_variable_in_content_names_the_block() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.edit(
        "content/de/kurztext.md",
        "{{ office.name }}",
        "{{ office.nmae }}",
    );
    let error = only_error(&tree);
    assert_mentions(
        &error,
        "content/de/kurztext.md",
        &["unknown template variable `office.nmae`", "office.name"],
    );
}

#[test]
fn local_notes_without_a_translation_are_a_warning_and_other_languages_an_error() {
    let tree = Tree::sample(&["bielefeld"]);
    let text = tree.read(BIELEFELD) + "local_notes:\n  de: Nur Deutsch\n";
    tree.write(BIELEFELD, &text);
    let report = tree
        .build()
        .expect("German stands in for missing local notes");
    assert_eq!(
        report.warnings.len(),
        6,
        "one per other language: {:#?}",
        report.warnings
    );
    assert_mentions(
        &report.warnings[0],
        BIELEFELD,
        &["missing translation", "`local_notes`", "`en`"],
    );
    let text = tree.read(BIELEFELD) + "  pl: Tylko po polsku\n";
    tree.write(BIELEFELD, &text);
    let error = only_error(&tree);
    assert_mentions(
        &error,
        BIELEFELD,
        &["`local_notes`", "`pl`", "not one of the languages"],
    );
}

#[test]
fn municipal_override_without_translation_shows_the_german_one_and_without_german_is_refused() {
    let tree = Tree::sample(&["kreis-paderborn"]);
    let english = "municipalities/kreis-paderborn/en/zustaendige-stelle.md";
    let english_text = tree.read(english);
    tree.remove(english);
    let report = tree.build().expect("the German override stands in");
    assert!(
        report.warnings.iter().any(|w| w
            .to_string()
            .starts_with("municipalities/kreis-paderborn/en/zustaendige-stelle.md")),
        "{:#?}",
        report.warnings
    );
    let page = std::fs::read_to_string(tree.out().join("kreis-paderborn/en/index.html")).unwrap();
    assert!(page.contains("<h2 id=\"zustaendige-stelle-heading\" lang=\"de\" dir=\"ltr\">"));
    // English without German: German is written first.
    tree.write(english, &english_text);
    tree.remove("municipalities/kreis-paderborn/de/zustaendige-stelle.md");
    let error = only_error(&tree);
    assert_mentions(
        &error,
        "municipalities/kreis-paderborn/de/zustaendige-stelle.md",
        &["missing the German original"],
    );
}

#[test]
fn file_name_must_be_a_url_slug() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.write("municipalities/Köln.yaml", &tree.read(BIELEFELD));
    let error = only_error(&tree);
    assert_mentions(&error, "municipalities/Köln.yaml", &["lowercase"]);
}

#[test]
fn the_same_official_key_twice_is_refused() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.write("municipalities/bielefeld-copy.yaml", &tree.read(BIELEFELD));
    let error = only_error(&tree);
    assert_mentions(&error, "municipalities/bielefeld", &["already used by"]);
}

#[test]
fn several_mistakes_are_reported_together_in_file_order() {
    let tree = Tree::sample(&["bielefeld", "koeln"]);
    tree.edit(BIELEFELD, "kind: kreisfreie_stadt", "kind: stadt");
    tree.edit("municipalities/koeln.yaml", "name: Köln", "name: \"\"");
    let errors = tree.editor_errors();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].to_string().starts_with(BIELEFELD));
    assert!(
        errors[1]
            .to_string()
            .starts_with("municipalities/koeln.yaml")
    );
}

#[test]
fn a_failed_build_leaves_the_published_site_untouched() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.build().expect("the sample builds");
    let before = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    tree.edit("content/de/kosten.md", "255 Euro", "300 Euro");
    tree.edit(BIELEFELD, "name: Bielefeld", "name: [Bielefeld]");
    assert!(!tree.editor_errors().is_empty());
    let after = std::fs::read_to_string(tree.out().join("bielefeld/de/index.html")).unwrap();
    assert_eq!(before, after, "the failed build changed the published site");
    assert!(after.contains("255 Euro"));
}

#[test]
fn empty_and_non_utf8_files_are_refused_not_panicked_on() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.write(BIELEFELD, "");
    assert_mentions(&only_error(&tree), BIELEFELD, &[]);
    std::fs::write(tree.path(BIELEFELD), b"name: Bielefeld\xff\n").unwrap();
    let error = only_error(&tree);
    assert_mentions(&error, BIELEFELD, &["UTF-8"]);
    assert_eq!((error.line, error.column), (1, 16));
}

/// No input makes the loader panic: every single-character change of a real
/// municipality file is either accepted or refused with a located error.
#[test]
fn no_panic_on_mutated_municipality_files() {
    let tree = Tree::sample(&["kreis-paderborn"]);
    let file = "municipalities/kreis-paderborn.yaml";
    let original = tree.read(file);
    let content = site_gen::content::load_content(tree.root()).expect("sample content");
    let path = tree.path(file);
    let replacements = [
        "", ":", "-", "[", "{", "\"", "'", "&a", "*a", "!!int ", "\t", "\n", "x", "0",
    ];
    let mut refused = 0;
    for (index, _) in original.char_indices().step_by(3) {
        for replacement in replacements {
            let mut mutated = original.clone();
            let end = index + original[index..].chars().next().map_or(0, char::len_utf8);
            mutated.replace_range(index..end, replacement);
            std::fs::write(&path, &mutated).unwrap();
            let result = std::panic::catch_unwind(|| {
                site_gen::municipality::load_municipality(tree.root(), &path, &content)
            });
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(errors)) => {
                    refused += 1;
                    assert!(!errors.is_empty());
                    assert!(
                        errors
                            .iter()
                            .all(|e| e.file.ends_with("kreis-paderborn.yaml"))
                    );
                }
                Err(_) => panic!("loader panicked on:\n{mutated}"),
            }
        }
    }
    assert!(
        refused > 100,
        "mutations should mostly be refused, got {refused}"
    );
}

#[test]
fn a_broken_quick_check_stops_the_build_with_file_and_line() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "content/quick-check.yaml";
    tree.edit(file, "next: not_yet_german", "next: not_yet_deutsch");
    let line = line_of(&tree.read(file), "next: not_yet_deutsch");
    let error = only_error(&tree);
    assert_eq!(error.line, line, "{error}");
    assert_mentions(
        &error,
        file,
        &["`not_yet_deutsch`", "neither a question nor a result"],
    );
    assert!(!tree.out().exists(), "nothing was written");
}

#[test]
fn transport_mistakes_are_refused_where_they_were_written() {
    let tree = Tree::sample(&["bielefeld"]);
    let mailbox = "    location: \"mailboxes/bielefeld\"";
    tree.edit(
        BIELEFELD,
        mailbox,
        "    location: \"s3://Bad_Bucket/bielefeld\"",
    );
    let error = only_error(&tree);
    let text = tree.read(BIELEFELD);
    assert_eq!(
        (error.line, error.column),
        (line_of(&text, "Bad_Bucket"), 15),
        "{error}"
    );
    assert_mentions(&error, BIELEFELD, &["not a mailbox location", "s3://"]);

    tree.edit(
        BIELEFELD,
        "  mailbox:\n    location: \"s3://Bad_Bucket/bielefeld\"",
        "  webhook:\n    url: \"https://intake.bielefeld.example/antrag\"\n    secret: { env: \"correct horse battery\" }",
    );
    let error = only_error(&tree);
    assert_eq!(
        error.line,
        line_of(&tree.read(BIELEFELD), "correct horse"),
        "{error}"
    );
    assert_mentions(
        &error,
        BIELEFELD,
        &[
            "not an environment variable name",
            "never the secret itself",
        ],
    );

    tree.edit(
        BIELEFELD,
        "  webhook:\n    url: \"https://intake.bielefeld.example/antrag\"\n    secret: { env: \"correct horse battery\" }",
        "  xta2:\n    send_url: \"http://xta.bielefeld.example/send\"",
    );
    let error = only_error(&tree);
    assert_eq!(
        error.line,
        line_of(&tree.read(BIELEFELD), "send_url"),
        "{error}"
    );
    assert_mentions(&error, BIELEFELD, &["not a service address", "https://"]);

    tree.edit(
        BIELEFELD,
        "  xta2:\n    send_url: \"http://xta.bielefeld.example/send\"",
        "  carrier_pigeon:\n    loft: \"Rathaus\"",
    );
    let error = only_error(&tree);
    assert_mentions(
        &error,
        BIELEFELD,
        &["carrier_pigeon", "xta2", "mailbox", "webhook"],
    );
}

/// `notify:` reaches form-fn's registry as written; a mistake in it is
/// refused at its line, in the editor's words.
#[test]
fn notify_settings_reach_the_registry_and_mistakes_are_refused_where_written() {
    let tree = Tree::sample(&["bielefeld"]);
    let notify = "notify:\n  email:\n    to: [\"einbuergerung@bielefeld.example\"]\n    \
                  from: \"antraege@einbuergerung.example\"\n    smtp:\n      \
                  host: smtp.bielefeld.example\n      username: { env: BIELEFELD_SMTP_USER }\n      \
                  password: { aws_secret: \"einbuergerung/bielefeld/smtp\" }\n  \
                  webhook:\n    url: \"https://intake.bielefeld.example/neu\"\n";
    tree.write(BIELEFELD, &(tree.read(BIELEFELD) + notify));
    tree.build_with_endpoint(Some("http://127.0.0.1:8081"))
        .expect("valid notify settings build");
    let registry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tree.function_out().join("registry.json")).unwrap())
            .unwrap();
    let written = &registry["municipalities"]["bielefeld"]["notify"];
    assert_eq!(written["email"]["to"][0], "einbuergerung@bielefeld.example");
    assert_eq!(
        written["email"]["smtp"]["port"], 587,
        "submission port by default"
    );
    assert_eq!(
        written["email"]["smtp"]["password"]["aws_secret"], "einbuergerung/bielefeld/smtp",
        "the secret is named, not copied"
    );
    assert_eq!(
        written["webhook"]["url"],
        "https://intake.bielefeld.example/neu"
    );

    for (from, to, words) in [
        (
            "to: [\"einbuergerung@bielefeld.example\"]",
            "to: [\"Einbürgerung <einbuergerung@bielefeld.example>\"]",
            &["not an e-mail address", "without a display name"][..],
        ),
        (
            "host: smtp.bielefeld.example",
            "host: \"smtp.bielefeld.example:587\"",
            &["not a host name", "no port"][..],
        ),
        (
            "password: { aws_secret: \"einbuergerung/bielefeld/smtp\" }",
            "password: \"hunter2\"",
            &["env", "file", "aws_secret"][..],
        ),
        (
            "url: \"https://intake.bielefeld.example/neu\"",
            "url: \"http://intake.bielefeld.example/neu\"",
            &["not a service address", "https://"][..],
        ),
    ] {
        tree.edit(BIELEFELD, from, to);
        let error = only_error(&tree);
        let line = to.split(':').next().unwrap();
        let text = tree.read(BIELEFELD);
        assert_eq!(
            error.line,
            text.lines()
                .position(|l| l.trim_start().starts_with(line))
                .unwrap()
                + 1,
            "{error}"
        );
        assert_mentions(&error, BIELEFELD, words);
        tree.edit(BIELEFELD, to, from);
    }
    tree.edit(BIELEFELD, "  webhook:\n", "  sms:\n");
    assert_mentions(&only_error(&tree), BIELEFELD, &["sms", "email", "webhook"]);
}

#[test]
fn an_online_form_needs_a_way_to_the_office_and_a_key() {
    let tree = Tree::sample(&["bielefeld"]);
    let text = tree.read(BIELEFELD);
    let without = text[..text.find("# SAMPLE: applications are delivered").unwrap()].to_owned();
    let without = without.replace(
        "recipients:\n  - \"age1a9atepkgmfayeu9v3000nj0z89jl4pxmcmvkpg7hdhjrchr94ezqn7xplc\"\n",
        "",
    );
    tree.write(BIELEFELD, &without);
    tree.use_own_signing_key();
    let endpoint = Some("https://forms.bielefeld.example");
    assert!(tree.build().is_ok(), "offline, neither is needed");
    tree.build_with_endpoint(endpoint)
        .expect("not set up at all: the municipality stays offline");
    let apply = std::fs::read_to_string(tree.out().join("bielefeld/de/apply/index.html")).unwrap();
    assert!(!apply.contains("<form"), "no online form without a key");
    let errors_with = |text: &str| {
        tree.write(BIELEFELD, text);
        match tree.build_with_endpoint(endpoint) {
            Err(site_gen::BuildError::Editor(errors)) => {
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            }
            other => panic!("expected editor errors, got {other:?}"),
        }
    };
    let key_only = format!(
        "{without}recipients: [\"{}\"]\n",
        age::x25519::Identity::generate().to_public()
    );
    let text = errors_with(&key_only);
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(
        text[0].contains("no `transport` says how they reach the office"),
        "{text:#?}"
    );
    let transport_only =
        format!("{without}transport:\n  mailbox:\n    location: \"mailboxes/bielefeld\"\n");
    let text = errors_with(&transport_only);
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(
        text[0].contains("`recipients` needs the office's age public key"),
        "{text:#?}"
    );
}

#[test]
fn an_online_form_needs_a_signing_key() {
    let tree = Tree::sample(&["bielefeld"]);
    let text = tree.read("site.yaml");
    tree.write(
        "site.yaml",
        &text[..text.find("# How form-fn signs").unwrap()],
    );
    assert!(tree.build().is_ok(), "offline, no key is needed");
    let errors = match tree.build_with_endpoint(Some("http://127.0.0.1:8081")) {
        Err(site_gen::BuildError::Editor(errors)) => errors,
        other => panic!("expected editor errors, got {other:?}"),
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_mentions(&errors[0], "site.yaml", &["`signing:`", "form-fn keygen"]);
}

#[test]
fn a_coat_of_arms_must_be_a_plain_picture() {
    let tree = Tree::sample(&["bielefeld"]);
    let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 12\">\
                 <path d=\"M0 0h10v8l-5 4-5-4z\" fill=\"#c00\"/></svg>";
    tree.write("municipalities/wappen/bielefeld.svg", plain);
    let text = tree.read(BIELEFELD) + "coat_of_arms: wappen/bielefeld.svg\n";
    tree.write(BIELEFELD, &text);
    tree.build().expect("a plain SVG is published");
    assert_eq!(
        std::fs::read_to_string(tree.out().join("bielefeld/coat-of-arms.svg")).unwrap(),
        plain
    );
    for (svg, words) in [
        (
            plain.replace("<path", "<path onload=\"fetch('//evil.example')\""),
            &["event handler `onload`"][..],
        ),
        (
            plain.replace("<path", "<foreignObject><p>x</p></foreignObject><path"),
            &["<foreignObject>"][..],
        ),
        (
            plain.replace(
                "<path",
                "<image href=\"https://tracker.example/t.png\"/><path",
            ),
            &["refers to `https://tracker.example/t.png`"][..],
        ),
    ] {
        tree.write("municipalities/wappen/bielefeld.svg", &svg);
        let error = only_error(&tree);
        assert_eq!(error.line, line_of(&tree.read(BIELEFELD), "coat_of_arms"));
        assert_mentions(&error, BIELEFELD, words);
        assert_eq!(
            std::fs::read_to_string(tree.out().join("bielefeld/coat-of-arms.svg")).unwrap(),
            plain,
            "the published picture stays as it was"
        );
    }
}

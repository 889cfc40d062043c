//! form-fn as citizens and offices meet it: a real process on 127.0.0.1,
//! the sample registry from site-gen, a folder store, and the Debian `age`
//! CLI opening what was stored.

mod common;

use std::path::Path;

use base64::Engine;
use common::*;

const SUBMIT: &str = "/submit/bielefeld/einbuergerung";

struct Setup {
    dir: tempfile::TempDir,
    store: std::path::PathBuf,
    /// Where the stored applications are (the store also holds the outbox).
    submissions: std::path::PathBuf,
    form_fn: FormFn,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let function = build_site(dir.path());
    let store = dir.path().join("store");
    let form_fn = FormFn::start(
        dir.path(),
        &function.join("registry.json"),
        store.to_str().unwrap(),
        &[],
    );
    Setup {
        submissions: store.join("submissions"),
        dir,
        store,
        form_fn,
    }
}

fn reference_from(location: &str) -> String {
    location
        .split("ref=")
        .nth(1)
        .expect("reference in Location")
        .to_owned()
}

#[test]
fn a_valid_application_is_stored_encrypted_then_acknowledged() {
    let s = setup();
    let response = post_form(&s.form_fn.addr, SUBMIT, &valid_application("en"), &[]);
    assert_eq!(response.status, 303, "{}", response.body);
    let location = response.header("Location").unwrap();
    assert!(
        location.starts_with("https://einbuergerung.example/bielefeld/en/apply/done/?ref="),
        "{location}"
    );
    let reference = reference_from(location);
    let files = files_below(&s.submissions);
    assert_eq!(files.len(), 1, "{files:?}");
    let key = files[0]
        .strip_prefix(&s.store)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        key.starts_with("submissions/05711000/") && key.ends_with(&format!("/{reference}.age")),
        "{key}"
    );
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1"), "an age file");
    assert!(
        !String::from_utf8_lossy(&raw).contains("Yılmaz"),
        "no plaintext at rest"
    );
    let document = decrypt("bielefeld", &files[0]);
    assert_eq!(document["reference"], reference.as_str());
    assert_eq!(document["municipality"]["ags"], "05711000");
    assert_eq!(document["form"]["id"], "einbuergerung");
    assert_eq!(document["language"], "en");
    assert_eq!(document["values"]["family_name"], "Yılmaz");
    assert_eq!(document["values"]["nationalities"][0]["country"], "TR");
    assert_eq!(document["values"]["children"][0]["given_names"], "Elif");
    assert_eq!(document["values"]["fdgo_declaration"], true);
    assert!(document["received_at"].as_str().unwrap().ends_with('Z'));
    let other_office = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(repo_root().join("tests/keys/koeln.txt"))
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        !other_office.status.success(),
        "another office cannot open it"
    );
}

#[test]
fn attachments_travel_inside_the_encrypted_document() {
    let s = setup();
    let pdf: &[u8] = b"%PDF-1.7\n% test document\n";
    let (content_type, body) = multipart(
        &valid_application("de"),
        &[("documents", "Pass scan.pdf", pdf)],
    );
    let response = request(
        &s.form_fn.addr,
        "POST",
        SUBMIT,
        &[("Content-Type", &content_type)],
        &body,
    );
    assert_eq!(response.status, 303, "{}", response.body);
    let files = files_below(&s.submissions);
    let document = decrypt("bielefeld", &files[0]);
    let attachment = &document["attachments"][0];
    assert_eq!(attachment["name"], "Pass scan.pdf");
    assert_eq!(attachment["media_type"], "application/pdf");
    let content = base64::engine::general_purpose::STANDARD
        .decode(attachment["content_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(content, pdf);
    assert_eq!(attachment["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn an_invalid_application_comes_back_with_errors_and_the_values_kept() {
    let s = setup();
    let fields = with(
        with(valid_application("de"), "birth_date", "2020-01-01"),
        "family_name",
        "<b>Yılmaz</b> & Co",
    );
    let fields = with(fields, "postcode", "3360");
    let response = post_form(&s.form_fn.addr, SUBMIT, &fields, &[]);
    assert_eq!(response.status, 422);
    let html = &response.body;
    assert!(
        html.contains("<html lang=\"de\""),
        "the themed page from site-gen"
    );
    assert!(html.contains("class=\"error-summary\""));
    assert!(html.contains("<a href=\"#f-birth_date\">Ab 16 Jahren stellen Sie den Antrag selbst"));
    assert!(
        html.contains("<a href=\"#f-postcode\">Geben Sie eine Postleitzahl mit 5 Ziffern an.</a>")
    );
    assert!(
        html.contains("value=\"&lt;b&gt;Yılmaz&lt;/b&gt; &amp; Co\""),
        "values kept, escaped"
    );
    assert!(!html.contains("<b>Yılmaz</b>"));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("action=\"/submit/bielefeld/einbuergerung\""));
    assert!(
        html.contains("href=\"https://einbuergerung.example/assets/style."),
        "styles from the site"
    );
    assert!(
        files_below(&s.store).is_empty(),
        "nothing stored, nothing queued"
    );
}

#[test]
fn json_clients_get_201_or_the_errors_and_cors_only_for_the_site() {
    let s = setup();
    let site = ("Origin", "https://einbuergerung.example");
    let json = ("Accept", "application/json");
    let created = post_form(
        &s.form_fn.addr,
        SUBMIT,
        &valid_application("de"),
        &[json, site],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let body: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(body["reference"].as_str().unwrap().len(), 14);
    assert_eq!(
        created.header("Access-Control-Allow-Origin"),
        Some("https://einbuergerung.example")
    );
    let refused = post_form(
        &s.form_fn.addr,
        SUBMIT,
        &[("lang".to_owned(), "en".to_owned())],
        &[json, ("Origin", "https://elsewhere.example")],
    );
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.header("Access-Control-Allow-Origin"),
        None,
        "no CORS for other origins"
    );
    let errors: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    let first = &errors["errors"][0];
    assert_eq!(
        (first["field"].as_str(), first["code"].as_str()),
        (Some("family_name"), Some("required"))
    );
    assert_eq!(first["message"], "Enter Family name.");
    let preflight = request(
        &s.form_fn.addr,
        "OPTIONS",
        SUBMIT,
        &[site, ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("Access-Control-Allow-Methods"),
        Some("POST")
    );
}

#[test]
fn conditional_fields_and_excluded_codes_are_enforced_by_the_server() {
    let s = setup();
    let json = [("Accept", "application/json")];
    let fields = with(
        with(valid_application("en"), "convicted", "yes"),
        "nationalities.0.country",
        "DE",
    );
    let refused = post_form(&s.form_fn.addr, SUBMIT, &fields, &json);
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    let found: Vec<(&str, &str)> = errors["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("nationalities.0.country", "option"),
            ("conviction_details", "required")
        ]
    );
    // The spouse may be German, and then § 9 needs the date since when;
    // the details make the conviction complete.
    let fields = with(
        with(
            with(valid_application("en"), "convicted", "yes"),
            "conviction_details",
            "Amtsgericht Bielefeld, 2019, fine of 30 daily rates",
        ),
        "spouse_nationality",
        "DE",
    );
    let refused = post_form(&s.form_fn.addr, SUBMIT, &fields, &json);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("\"field\":\"spouse_german_since\""),
        "{}",
        refused.body
    );
    let fields = with(fields, "spouse_german_since", "1985-02-01");
    let accepted = post_form(&s.form_fn.addr, SUBMIT, &fields, &json);
    assert_eq!(accepted.status, 201, "{}", accepted.body);
}

#[test]
fn statuses_follow_the_http_contract() {
    let s = setup();
    let addr = &s.form_fn.addr;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(
        request(
            addr,
            "POST",
            "/submit/atlantis/einbuergerung",
            &form,
            b"a=1"
        )
        .status,
        404
    );
    assert_eq!(
        request(addr, "POST", "/submit/bielefeld/other-form", &form, b"a=1").status,
        404
    );
    assert_eq!(request(addr, "GET", "/", &[], b"").status, 404);
    assert_eq!(request(addr, "GET", SUBMIT, &[], b"").status, 405);
    assert_eq!(
        request(
            addr,
            "POST",
            SUBMIT,
            &[("Content-Type", "application/json")],
            b"{}"
        )
        .status,
        415
    );
    assert_eq!(
        request(
            addr,
            "POST",
            SUBMIT,
            &[("Content-Type", "multipart/form-data")],
            b"x"
        )
        .status,
        415,
        "no boundary"
    );
    let big = vec![b'a'; 11 * 1024 * 1024];
    assert_eq!(request(addr, "POST", SUBMIT, &form, &big).status, 413);
    let garbled = request(
        addr,
        "POST",
        SUBMIT,
        &[("Content-Type", "multipart/form-data; boundary=zz")],
        b"\xff\xfe not multipart",
    );
    assert_eq!(garbled.status, 422, "bad input is never a 500");
    assert!(files_below(&s.store).is_empty());
}

#[test]
fn the_honeypot_stores_nothing() {
    let s = setup();
    let response = post_form(
        &s.form_fn.addr,
        SUBMIT,
        &with(
            valid_application("de"),
            "hp_leave_empty",
            "http://spam.example",
        ),
        &[],
    );
    assert_eq!(response.status, 303);
    assert!(
        !response
            .header("Location")
            .unwrap_or_default()
            .contains("ref=")
    );
    assert!(files_below(&s.store).is_empty());
}

#[test]
fn storage_failure_is_503_and_nothing_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let function = build_site(dir.path());
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file where the store should be").unwrap();
    let form_fn = FormFn::start(
        dir.path(),
        &function.join("registry.json"),
        blocker.to_str().unwrap(),
        &[],
    );
    let response = post_form(&form_fn.addr, SUBMIT, &valid_application("de"), &[]);
    assert_eq!(response.status, 503);
    assert_eq!(response.header("Location"), None);
    assert!(response.body.contains("Es wurde nichts gespeichert"));
    assert_eq!(response.header("Retry-After"), Some("120"));
}

/// Form fields as (name, value).
type Fields = Vec<(String, String)>;

/// Every field a citizen types free text into, each with its own value that
/// starts with `canary` (the second list), in a valid application with the
/// answers that make the conditional ones count (the first).
fn canary_application(canary: &str) -> (Fields, Fields) {
    let typed: Fields = [
        "family_name",
        "given_names",
        "birth_name",
        "birth_place",
        "id_document_number",
        "street",
        "city",
        "email",
        "permit_basis",
        "stays_abroad_details",
        "spouse_name",
        "children.0.given_names",
        "children.0.family_name",
        "children.0.birth_place",
        "conviction_details",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| {
        let value = match *name {
            "email" => format!("{canary}z{i}@example.org"),
            // The legal basis starts with the number of a section.
            "permit_basis" => format!("9 {canary}z{i}"),
            _ => format!("{canary}z{i}"),
        };
        ((*name).to_owned(), value)
    })
    .collect();
    let answers = [("long_stays_abroad", "yes"), ("convicted", "yes")];
    let fields = typed
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain(answers)
        .fold(valid_application("de"), |fields, (name, value)| {
            with(fields, name, value)
        });
    (fields, typed)
}

/// A value only the citizen typed must appear nowhere but on their own error
/// page and, decrypted, at the office; every free-text field is tried.
#[test]
fn a_canary_value_reaches_no_log_no_stored_object_and_no_other_response() {
    let s = setup();
    let canary = format!("Kanarienvogel{}", std::process::id());
    let (application, typed) = canary_application(&canary);
    let accepted = post_form(&s.form_fn.addr, SUBMIT, &application, &[]);
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let refused = post_form(
        &s.form_fn.addr,
        SUBMIT,
        &with(application.clone(), "postcode", "x"),
        &[],
    );
    assert_eq!(refused.status, 422);
    for (name, value) in &typed {
        assert!(
            refused.body.contains(value.as_str()),
            "the citizen's own error page keeps {name}"
        );
    }
    let json = post_form(
        &s.form_fn.addr,
        SUBMIT,
        &with(valid_application("de"), "family_name", &canary),
        &[("Accept", "application/json")],
    );
    assert_eq!(json.status, 201);
    for response in [&accepted, &json] {
        assert!(
            !response.body.contains(&canary)
                && !format!("{:?}", response.headers).contains(&canary)
        );
    }
    assert!(
        !s.form_fn.logs().contains(&canary),
        "logs carry no field value"
    );
    let files = files_below(&s.submissions);
    assert_eq!(files.len(), 2);
    // Everything written on the way: stored packages, outbox markers, and
    // what was delivered to the office's mailbox.
    wait_for_empty_outbox(&s.store);
    let delivered = files_below(&s.dir.path().join("mailboxes/bielefeld"));
    assert_eq!(
        delivered.len(),
        4,
        "two packages with their metadata: {delivered:?}"
    );
    let written = files_below(&s.store).into_iter().chain(delivered);
    for file in written {
        let raw = std::fs::read(&file).unwrap();
        assert!(
            !raw.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{}",
            file.display()
        );
    }
    let document = decrypt("bielefeld", &files[0]);
    let all = document.to_string() + &decrypt("bielefeld", &files[1]).to_string();
    for (name, value) in &typed {
        assert!(all.contains(value.as_str()), "the office does get {name}");
    }
    let logs = s.form_fn.logs();
    assert!(
        logs.contains("\"event\":\"delivered\"") && !logs.contains(&canary),
        "after delivery too, the logs carry no field value"
    );
    assert!(
        logs.contains("\"status\":303") && logs.contains("\"reference\":"),
        "logs carry reference and status"
    );
}

#[test]
fn the_registry_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_form-fn"))
        .args(["serve", "--registry"])
        .arg(Path::new("/nonexistent/registry.json"))
        .args(["--store", "/tmp/x"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/registry.json")
    );
}

//! The application pages: the form rendered from content/forms/ with the
//! constraints form-fn enforces, the confirmation page, and form-fn's registry.json.

mod common;

use common::Tree;

fn page(tree: &Tree, path: &str) -> String {
    std::fs::read_to_string(tree.out().join(path)).unwrap_or_else(|_| panic!("{path} missing"))
}

#[test]
fn with_an_endpoint_the_form_posts_to_form_fn_with_html5_constraints() {
    let tree = Tree::sample(&["bielefeld", "koeln"]);
    tree.use_own_recipient("bielefeld");
    tree.use_own_recipient("koeln");
    tree.use_own_signing_key();
    tree.build_with_endpoint(Some("https://forms.example"))
        .unwrap();
    let html = page(&tree, "bielefeld/de/apply/index.html");
    assert!(html.contains(
        "<form class=\"application\" method=\"post\" action=\"https://forms.example/submit/bielefeld/einbuergerung\" enctype=\"multipart/form-data\""
    ));
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("<input type=\"hidden\" name=\"lang\" value=\"de\">"));
    assert!(html.contains("<label for=\"f-family_name\">Familienname</label>"));
    assert!(html.contains("name=\"family_name\" value=\"\" type=\"text\" required maxlength=\"100\" autocomplete=\"family-name\""));
    assert!(html.contains("name=\"postcode\" value=\"\" type=\"text\" inputmode=\"numeric\" required pattern=\"[0-9]{5}\""));
    assert!(html.contains("name=\"birth_date\" value=\"\" type=\"date\" required autocomplete=\"bday\" min=\"1900-01-01\""));
    assert!(html.contains("<label for=\"f-birth_name\">Geburtsname <span class=\"optional\">(freiwillig)</span></label>"));
    assert!(
        html.contains("name=\"nationalities.0.country\" required"),
        "first entry of a group required"
    );
    assert!(
        html.contains("name=\"nationalities.1.country\">"),
        "further entries optional"
    );
    assert!(
        html.contains("<option value=\"TR\">Türkei</option>")
            && html.contains("<option value=\"XXA\">staatenlos</option>")
            && html.contains("<option value=\"XK\">Kosovo</option>")
    );
    let list = |name: &str| {
        html.split(&format!("name=\"{name}\""))
            .nth(1)
            .and_then(|rest| rest.split("</select>").next())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        !list("nationalities.0.country").contains("value=\"DE\"")
            && !list("children.0.nationality").contains("value=\"DE\""),
        "no German nationality for whoever is naturalised"
    );
    assert!(
        list("spouse_nationality").contains("<option value=\"DE\">Deutschland</option>"),
        "the spouse may be German"
    );
    assert!(
        html.contains(
            "<label for=\"f-conviction_details\">Angaben zu Verurteilungen und Verfahren</label>\
             <p class=\"hint\" id=\"f-conviction_details-hint\">Für jede Verurteilung und jedes \
             Verfahren: Gericht oder Behörde, Datum, Aktenzeichen und Strafe. Pflichtangabe, wenn Sie \
             bei „Wurden Sie wegen einer Straftat verurteilt, die Sie nach diesen Hinweisen angeben \
             müssen?“ „Ja“ oder bei „Läuft gegen Sie ein Ermittlungs- oder Strafverfahren?“ „Ja“ \
             gewählt haben.</p><textarea id=\"f-conviction_details\" name=\"conviction_details\" \
             rows=\"5\" maxlength=\"2000\" aria-describedby"
        ),
        "a conditional field says when it is required, with no HTML `required`"
    );
    assert!(
        html.contains("Belehrung nach § 53 Abs. 2 BZRG") && html.contains("§ 41 Abs. 1 Nr. 6 BZRG"),
        "the instruction the register law requires"
    );
    assert!(html.contains("name=\"children.5.birth_place\"") && !html.contains("children.6."));
    assert!(!html.contains("nationalities.0.since") && !html.contains("privacy_notice"));
    assert!(html.contains("type=\"checkbox\" id=\"f-fdgo_declaration\" name=\"fdgo_declaration\" value=\"yes\" required"));
    assert!(
        html.contains("Ich bekenne mich zur freiheitlichen demokratischen Grundordnung"),
        "full declaration text"
    );
    assert!(
        html.contains(
            "<p class=\"privacy-note\">Wie die Behörde Ihre Angaben verarbeitet und welche Rechte \
             Sie haben, steht in den <a href=\"/bielefeld/de/privacy/\">Datenschutzhinweisen</a>.</p>"
        ),
        "the privacy notice (GDPR Art. 13) is linked, not asked to be ticked"
    );
    assert!(
        html.contains(
            "Die verbindliche schriftliche Erklärung unterschreiben Sie persönlich bei der Behörde"
        ),
        "the declarations say what the tick means"
    );
    assert!(html.contains("type=\"file\" id=\"f-documents\" name=\"documents\" multiple accept=\"application/pdf,image/jpeg,image/png"));
    assert!(
        html.contains("<div class=\"hp\" aria-hidden=\"true\">")
            && html.contains("name=\"hp_leave_empty\" tabindex=\"-1\""),
        "honeypot"
    );
    let english = page(&tree, "koeln/en/apply/index.html");
    assert!(english.contains("action=\"https://forms.example/submit/koeln/einbuergerung\""));
    assert!(
        english.contains("<option value=\"TR\">Türkiye</option>")
            && english.contains("Send application")
    );
    assert!(english.contains("<a href=\"/koeln/en/privacy/\">privacy notice</a>."));
    assert!(english.contains("The German text is the binding one."));
    let done = page(&tree, "bielefeld/de/apply/done/index.html");
    assert!(done.contains("Ihr Antrag ist eingegangen") && done.contains("data-reference"));
    assert!(
        done.contains("hinter „ref=“"),
        "reference findable without JavaScript"
    );
}

#[test]
fn without_an_endpoint_the_page_explains_how_to_apply_at_the_office() {
    let tree = Tree::sample(&["bielefeld"]);
    tree.build().unwrap();
    let html = page(&tree, "bielefeld/de/apply/index.html");
    assert!(!html.contains("<form"));
    assert!(
        html.contains("Den Antrag auf Einbürgerung stellen Sie bei Ihrer Einbürgerungsbehörde.")
    );
    assert!(!tree.out().join("bielefeld/de/apply/done").exists());
}

#[test]
fn the_registry_hands_form_fn_keys_forms_and_recipients() {
    let tree = Tree::sample(&["bielefeld", "kreis-paderborn"]);
    let recipient = tree.use_own_recipient("bielefeld");
    let signing_key = tree.use_own_signing_key();
    let file = "municipalities/bielefeld.yaml";
    tree.write(
        file,
        &(tree.read(file) + "form_endpoint: \"https://forms.bielefeld.example\"\n"),
    );
    tree.build().unwrap();
    let registry: form_spec::registry::Registry = serde_json::from_str(
        &std::fs::read_to_string(tree.function_out().join("registry.json")).unwrap(),
    )
    .expect("registry parses with form-spec's types");
    assert_eq!(registry.site_origin, "https://einbuergerung.example");
    let bielefeld = &registry.municipalities["bielefeld"];
    assert_eq!(bielefeld.ags, "05711000");
    assert_eq!(bielefeld.recipients, [recipient]);
    assert_eq!(bielefeld.forms, ["einbuergerung"]);
    let signing = registry
        .signing
        .as_ref()
        .expect("form-fn's signing settings");
    assert_eq!(signing.public_keys[0].as_str(), signing_key);
    assert!(
        registry.municipalities["kreis-paderborn"].forms.is_empty(),
        "no endpoint, no online form"
    );
    let form = &registry.forms["einbuergerung"];
    assert!(form.fields().any(|f| f.id == "birth_date"));
    assert!(registry.countries.iter().any(|c| c.code == "DE"));
    let html = page(&tree, "bielefeld/de/apply/index.html");
    assert!(
        html.contains("action=\"https://forms.bielefeld.example/submit/bielefeld/einbuergerung\"")
    );
}

#[test]
fn a_broken_form_definition_is_refused_at_the_field() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "content/forms/einbuergerung.yaml";
    tree.edit(
        file,
        "label: { de: Geburtsort, en: Place of birth, ",
        "label: { de: Geburtsort, ",
    );
    let errors = tree.editor_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let line = tree
        .read(file)
        .lines()
        .position(|l| l.contains("id: birth_place"))
        .unwrap()
        + 1;
    assert_eq!(errors[0].line, line);
    assert!(
        errors[0].to_string().contains(
            "sections.person.birth_place: missing translation: `label` has no text for `en`"
        ),
        "{}",
        errors[0]
    );
    tree.edit(file, "type: postcode", "type: plz");
    let errors = tree.editor_errors();
    assert!(
        errors[0].to_string().contains("unknown variant `plz`"),
        "{}",
        errors[0]
    );
}

#[test]
fn excluded_codes_and_conditions_are_checked_against_the_form_and_the_lists() {
    let tree = Tree::sample(&["bielefeld"]);
    let file = "content/forms/einbuergerung.yaml";
    let line_of = |id: &str| {
        tree.read(file)
            .lines()
            .position(|l| l.trim_start().trim_start_matches("- ") == format!("id: {id}"))
            .unwrap()
            + 1
    };
    tree.edit(
        file,
        "needs no naturalisation.\n            exclude: [DE]",
        "needs no naturalisation.\n            exclude: [DD]",
    );
    tree.edit(
        file,
        "- { field: proceedings_pending, value: \"yes\" }",
        "- { field: proceedings_pending, value: \"ja\" }",
    );
    let errors = tree.editor_errors();
    let found: Vec<(usize, String)> = errors.iter().map(|e| (e.line, e.to_string())).collect();
    assert_eq!(errors.len(), 2, "{found:?}");
    assert!(
        found.contains(&(
            line_of("conviction_details"),
            format!(
                "{file}:{}:1: sections.convictions.conviction_details: `required_if`: \
                 `proceedings_pending` has no option `ja`",
                line_of("conviction_details")
            )
        )),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(line, message)| {
            *line == line_of("country")
            && message.ends_with(
                "sections.person.nationalities.country: `exclude`: `DD` is not in the field's list"
            )
        }),
        "{found:?}"
    );
}

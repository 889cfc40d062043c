//! A municipality as configured in `municipalities/<slug>.yaml`: its official
//! key, its naturalization office, languages and postcodes, plus optional
//! overrides of description blocks in `municipalities/<slug>/<lang>/<id>.md`.
//! Parsing is strict (unknown keys are errors); checks that span several
//! fields (translations, key vs. kind) run after parsing, with locations.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use form_spec::transport::Transport;

use crate::content::{Block, SiteContent, load_block_dir, relative, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::languages::{Lang, Translated, translation_errors};
use crate::markdown::render_section_markdown;
use crate::values::{
    AgeRecipient, Ags, ClockTime, Email, FormEndpoint, HttpsUrl, NonEmpty, Phone, Postcode, is_slug,
};
use crate::yaml::{parse_yaml, read_text};

/// What kind of authority the municipality is; decides whether its key ends in `000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    KreisfreieStadt,
    GrosseKreisangehoerigeStadt,
    MittlereKreisangehoerigeStadt,
    Kreis,
    Stadtstaat,
    Gemeinde,
}

impl Kind {
    /// Kreise, kreisfreie Städte and city states carry a district-level key (`…000`).
    fn is_district_level(self) -> bool {
        matches!(self, Self::KreisfreieStadt | Self::Kreis | Self::Stadtstaat)
    }

    /// The key of the interface string naming this kind (`kind_<kind>` in ui.yaml).
    pub fn ui_key(self) -> &'static str {
        match self {
            Self::KreisfreieStadt => "kind_kreisfreie_stadt",
            Self::GrosseKreisangehoerigeStadt => "kind_grosse_kreisangehoerige_stadt",
            Self::MittlereKreisangehoerigeStadt => "kind_mittlere_kreisangehoerige_stadt",
            Self::Kreis => "kind_kreis",
            Self::Stadtstaat => "kind_stadtstaat",
            Self::Gemeinde => "kind_gemeinde",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    pub days: Vec<Weekday>,
    pub opens: ClockTime,
    pub closes: Spanned<ClockTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub street: NonEmpty,
    pub postcode: Postcode,
    pub city: NonEmpty,
}

/// How people with disabilities reach the office (shown on every service page).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildingAccess {
    pub step_free: bool,
    pub accessible_toilet: bool,
    pub hearing_loop: bool,
    #[serde(default)]
    pub note: Option<Spanned<Translated>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    pub name: NonEmpty,
    pub address: Address,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub web: Option<HttpsUrl>,
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
    #[serde(default)]
    pub opening_hours_note: Option<Spanned<Translated>>,
    /// Visits only by appointment.
    #[serde(default)]
    pub appointment_required: bool,
    #[serde(default)]
    pub appointment_url: Option<HttpsUrl>,
    pub accessibility: BuildingAccess,
    /// `false` until someone checked address, phone and e-mail with the office;
    /// pages then show them as sample data.
    pub contact_verified: bool,
}

/// One municipality file, as parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    /// From the file name, not the YAML.
    #[serde(skip_deserializing, default)]
    pub slug: String,
    pub name: NonEmpty,
    pub ags: Spanned<Ags>,
    pub kind: Kind,
    pub languages: Spanned<Vec<Lang>>,
    pub postcodes: Spanned<Vec<Postcode>>,
    /// Municipalities whose residents this office serves (a Kreis serves many).
    #[serde(default)]
    pub serves: Vec<NonEmpty>,
    pub office: Office,
    /// Overrides `form_endpoint` of site.yaml for this municipality.
    #[serde(default)]
    pub form_endpoint: Option<FormEndpoint>,
    #[serde(default)]
    pub recipients: Vec<Spanned<AgeRecipient>>,
    /// How applications reach the office (form-spec checks the settings).
    #[serde(default)]
    pub transport: Option<Spanned<Transport>>,
    /// SVG file, relative to `municipalities/`.
    #[serde(default)]
    pub coat_of_arms: Option<Spanned<String>>,
    #[serde(default)]
    pub local_notes: Option<Spanned<Translated>>,
    /// Replaced or added blocks per language, from the overrides folder.
    #[serde(skip)]
    pub overrides: BTreeMap<Lang, Vec<Block>>,
    #[serde(skip)]
    pub source: PathBuf,
}

impl Municipality {
    pub fn languages(&self) -> &[Lang] {
        &self.languages.value
    }

    /// Local notes in `lang`, rendered from Markdown.
    pub fn local_notes_html(&self, lang: Lang) -> Option<String> {
        let notes = self.local_notes.as_ref()?;
        notes.value.get(&lang).map(|md| render_section_markdown(md))
    }

    /// The description blocks of this municipality's page in `lang`: the
    /// shared ones, with the municipality's replacements and additions.
    pub fn blocks<'a>(&'a self, shared: &'a [Block], lang: Lang) -> Vec<&'a Block> {
        let own = self.overrides.get(&lang).map_or(&[][..], Vec::as_slice);
        let mut blocks: Vec<&Block> = shared
            .iter()
            .map(|block| own.iter().find(|o| o.id == block.id).unwrap_or(block))
            .chain(own.iter().filter(|o| !shared.iter().any(|b| b.id == o.id)))
            .collect();
        blocks.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        blocks
    }

    /// The coat of arms file, if configured.
    pub fn coat_of_arms_path(&self, root: &Path) -> Option<PathBuf> {
        self.coat_of_arms
            .as_ref()
            .map(|c| root.join("municipalities").join(&c.value))
    }
}

/// Loads and checks every `municipalities/*.yaml`, in parallel, sorted by slug.
pub fn load_municipalities(
    root: &Path,
    content: &SiteContent,
) -> Result<Vec<Municipality>, BuildError> {
    let dir = root.join("municipalities");
    let files: Vec<PathBuf> = sorted_entries(&dir)
        .map_err(|e| e.relative_to(root))?
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    let results: Vec<Result<Municipality, Vec<EditorError>>> = files
        .par_iter()
        .map(|path| load_municipality(root, path, content))
        .collect();
    let mut errors = EditorErrors::default();
    let mut municipalities = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(m) => municipalities.push(m),
            Err(found) => errors.extend(found),
        }
    }
    if files.is_empty() {
        errors.push(EditorError::whole_file(
            Path::new("municipalities"),
            "no municipality: expected at least one file municipalities/<slug>.yaml",
        ));
    }
    check_unique_keys(&municipalities, &mut errors);
    errors.into_result()?;
    Ok(municipalities)
}

/// Loads one municipality file with its overrides folder and checks it.
pub fn load_municipality(
    root: &Path,
    path: &Path,
    content: &SiteContent,
) -> Result<Municipality, Vec<EditorError>> {
    let shown = relative(root, path);
    let slug = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    if !is_slug(&slug) {
        return Err(vec![EditorError::whole_file(
            &shown,
            "expected a file name of lowercase ASCII letters, digits and hyphens \
             (it becomes the web address), e.g. `koeln.yaml` for Köln",
        )]);
    }
    if path.extension().is_some_and(|ext| ext == "yml") {
        return Err(vec![EditorError::whole_file(
            &shown,
            "expected the extension .yaml (not .yml)",
        )]);
    }
    let text = read_text(path, &shown).map_err(|e| vec![e])?;
    let mut municipality: Municipality = parse_yaml(&text, &shown, 0).map_err(|e| vec![e])?;
    municipality.slug = slug;
    municipality.source = shown;
    let mut errors = check_municipality(&municipality, root, content);
    match load_overrides(root, &municipality, content) {
        Ok(overrides) => municipality.overrides = overrides,
        Err(found) => errors.extend(found),
    }
    if errors.is_empty() {
        Ok(municipality)
    } else {
        Err(errors)
    }
}

/// Checks that span several fields or depend on the shared content.
fn check_municipality(m: &Municipality, root: &Path, content: &SiteContent) -> Vec<EditorError> {
    let file = &m.source;
    let mut errors = Vec::new();
    let at = |spanned_line: serde_saphyr::Location, message: String| {
        EditorError::at(file, spanned_line, 0, message)
    };

    let langs = &m.languages;
    if langs.value.first() != Some(&Lang::primary()) {
        errors.push(at(
            langs.referenced,
            "expected `de` first in `languages`: every site is German first, \
             other languages follow"
                .to_owned(),
        ));
    }
    let mut seen = BTreeSet::new();
    for lang in &langs.value {
        if !seen.insert(*lang) {
            errors.push(at(
                langs.referenced,
                format!("language `{lang}` is listed twice"),
            ));
        } else if content.get(*lang).is_none() {
            errors.push(at(
                langs.referenced,
                format!(
                    "missing translation: language `{lang}` is offered here but there is \
                     no folder content/{lang}/ with the translated content"
                ),
            ));
        }
    }
    if m.postcodes.value.is_empty() {
        errors.push(at(
            m.postcodes.referenced,
            "expected at least one postcode served by this office".to_owned(),
        ));
    }
    let ags = &m.ags;
    if m.kind.is_district_level() != ags.value.is_district_level() {
        let expected = if m.kind.is_district_level() {
            "a Kreis, kreisfreie Stadt or city state has a key ending in 000"
        } else {
            "a municipality within a Kreis has its own key, not ending in 000"
        };
        errors.push(at(
            ags.referenced,
            format!("key `{}` does not fit the kind: {expected}", ags.value),
        ));
    }

    let mut translated = vec![("local_notes", m.local_notes.as_ref())];
    translated.push((
        "office.opening_hours_note",
        m.office.opening_hours_note.as_ref(),
    ));
    translated.push((
        "office.accessibility.note",
        m.office.accessibility.note.as_ref(),
    ));
    for (field, text) in translated {
        if let Some(text) = text {
            errors.extend(translation_errors(file, field, text, &langs.value));
        }
    }

    for hours in &m.office.opening_hours {
        if hours.closes.value <= hours.opens {
            errors.push(at(
                hours.closes.referenced,
                format!(
                    "expected `closes` after `opens` ({} is not after {})",
                    hours.closes.value, hours.opens
                ),
            ));
        }
    }

    if let Some(coat) = &m.coat_of_arms {
        let path = root.join("municipalities").join(&coat.value);
        let svg = std::fs::read_to_string(&path).unwrap_or_default();
        if !coat.value.ends_with(".svg") || coat.value.contains("..") {
            errors.push(at(
                coat.referenced,
                "expected an .svg file inside municipalities/, e.g. `wappen/koeln.svg`".to_owned(),
            ));
        } else if svg.is_empty() {
            errors.push(at(
                coat.referenced,
                format!("expected an SVG image at municipalities/{}", coat.value),
            ));
        } else if let Err(problem) = crate::svg::check_plain_svg(&svg) {
            errors.push(at(
                coat.referenced,
                format!("municipalities/{}: {problem}", coat.value),
            ));
        }
    }
    errors
}

/// Reads `municipalities/<slug>/<lang>/<id>.md`: a block with the id of a shared
/// block replaces it, any other id adds a block (and then needs an `order`).
fn load_overrides(
    root: &Path,
    m: &Municipality,
    content: &SiteContent,
) -> Result<BTreeMap<Lang, Vec<Block>>, Vec<EditorError>> {
    let dir = root.join("municipalities").join(&m.slug);
    let mut overrides = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(overrides);
    }
    let mut errors = Vec::new();
    let mut ids_by_lang: BTreeMap<Lang, BTreeSet<String>> = BTreeMap::new();
    for lang_dir in sorted_entries(&dir).map_err(|e| vec![e.relative_to(root)])? {
        if !lang_dir.is_dir() {
            continue;
        }
        let name = lang_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let lang = match Lang::parse(name).filter(|l| m.languages().contains(l)) {
            Some(lang) => lang,
            None => {
                errors.push(EditorError::whole_file(
                    &relative(root, &lang_dir),
                    format!(
                        "`{name}` is not one of this municipality's languages ({})",
                        join_codes(m.languages())
                    ),
                ));
                continue;
            }
        };
        let Some(shared) = content.get(lang) else {
            continue;
        };
        let loaded = match load_block_dir(root, &lang_dir) {
            Ok(loaded) => loaded,
            Err(found) => {
                errors.extend(found);
                continue;
            }
        };
        let mut blocks = Vec::new();
        for block in loaded {
            let order = block.front.order.or_else(|| {
                shared
                    .blocks
                    .iter()
                    .find(|b| b.id == block.id)
                    .map(|b| b.order)
            });
            let Some(order) = order else {
                errors.push(EditorError::new(
                    &block.source,
                    2,
                    1,
                    "missing field `order`: a block the shared content does not have \
                     needs its position on the page, e.g. `order: 125`",
                ));
                continue;
            };
            ids_by_lang
                .entry(lang)
                .or_default()
                .insert(block.id.clone());
            blocks.push(Block {
                id: block.id,
                heading: block.front.heading.to_string(),
                order,
                html: block.html,
                source: block.source,
            });
        }
        overrides.insert(lang, blocks);
    }
    // Every language of the municipality must replace or add the same blocks.
    let all_ids: BTreeSet<&String> = ids_by_lang.values().flatten().collect();
    for lang in m.languages() {
        for id in &all_ids {
            if !ids_by_lang.get(lang).is_some_and(|ids| ids.contains(*id)) {
                errors.push(EditorError::whole_file(
                    &relative(root, &dir.join(lang.code()).join(format!("{id}.md"))),
                    format!(
                        "missing translation: this municipality overrides `{id}` in another \
                         language, so it needs a `{}` version too",
                        lang.code()
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(overrides)
    } else {
        Err(errors)
    }
}

fn check_unique_keys(municipalities: &[Municipality], errors: &mut EditorErrors) {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for m in municipalities {
        let ags = m.ags.value.as_str();
        if let Some(first) = seen.insert(ags, &m.source) {
            errors.push(EditorError::at(
                &m.source,
                m.ags.referenced,
                0,
                format!("key `{ags}` is already used by {}", first.display()),
            ));
        }
    }
}

fn join_codes(langs: &[Lang]) -> String {
    langs
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ")
}

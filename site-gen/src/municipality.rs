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

use form_spec::notify::Notify;
use form_spec::transport::Transport;

use crate::content::{Block, SiteContent, load_block_dir, relative, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::languages::{
    Lang, Translated, in_lang_or_german, missing_translations, unknown_translations,
};
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
    /// Every kind, in the order editors see them listed.
    pub const ALL: [Self; 6] = [
        Self::KreisfreieStadt,
        Self::GrosseKreisangehoerigeStadt,
        Self::MittlereKreisangehoerigeStadt,
        Self::Kreis,
        Self::Gemeinde,
        Self::Stadtstaat,
    ];

    /// The id written in YAML (`kreisfreie_stadt`, …).
    pub fn id(self) -> &'static str {
        self.ui_key().trim_start_matches("kind_")
    }

    /// The kind an editor named by its id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// Kreise, kreisfreie Städte and city states carry a district-level key (`…000`).
    pub fn is_district_level(self) -> bool {
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

/// A town whose residents a Kreis serves: its name and official key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedTown {
    pub name: NonEmpty,
    pub ags: Spanned<Ags>,
}

/// A way to reach a person or unit of the public body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<NonEmpty>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub address: Option<Address>,
}

/// The public body behind the pages: controller of the applicants' data
/// (GDPR), publisher named in the legal notice (§ 5 DDG), and who answers
/// feedback on accessibility (BITV 2.0). Every part that is missing is
/// shown as missing on the pages, never made up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicBody {
    /// The legal entity, e.g. "Stadt Bielefeld" or "Kreis Paderborn".
    pub name: NonEmpty,
    /// Who represents it by law, e.g. "Der Oberbürgermeister".
    #[serde(default)]
    pub represented_by: Option<NonEmpty>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub web: Option<HttpsUrl>,
    #[serde(default)]
    pub data_protection_officer: Option<Contact>,
    /// Who answers reports of barriers on these pages.
    #[serde(default)]
    pub accessibility_feedback: Option<Contact>,
    /// The technical operator of the site and the form function (a processor
    /// under GDPR Art. 28, or the public body's own name if it runs them).
    #[serde(default)]
    pub operator: Option<NonEmpty>,
    /// `false` until someone checked these data with the public body; pages
    /// then show them as sample data.
    pub verified: bool,
}

/// A video in German Sign Language, hosted with the site: the video, its
/// captions (WebVTT) and a transcript, all required, so that nobody is left
/// out. Paths are relative to `municipalities/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignLanguageVideo {
    /// An `.mp4` or `.webm` file.
    pub video: Spanned<String>,
    /// A `.vtt` file in German.
    pub captions: Spanned<String>,
    /// What the video says, in German (Markdown).
    pub transcript: Spanned<NonEmpty>,
}

/// The video's formats, by file extension, with their media types.
const SIGN_LANGUAGE_VIDEO_TYPES: &[(&str, &str)] = &[("mp4", "video/mp4"), ("webm", "video/webm")];

impl SignLanguageVideo {
    /// The video's media type, if its extension is one the page can offer.
    pub fn media_type(&self) -> Option<&'static str> {
        let extension = self.video.value.rsplit_once('.')?.1.to_ascii_lowercase();
        SIGN_LANGUAGE_VIDEO_TYPES
            .iter()
            .find(|(ext, _)| *ext == extension)
            .map(|(_, media)| *media)
    }

    /// The names under which video and captions are published, beside the page.
    pub fn published_names(&self) -> [String; 2] {
        [&self.video.value, &self.captions.value].map(|path| {
            Path::new(path)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned()
        })
    }
}

/// A path an editor may name: relative, inside `municipalities/` (no `..`,
/// no root, no drive).
fn is_plain_relative(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
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
    pub serves: Vec<ServedTown>,
    /// Controller, publisher and accessibility contact; see [`PublicBody`].
    #[serde(default)]
    pub public_body: Option<PublicBody>,
    pub office: Office,
    /// Overrides `form_endpoint` of site.yaml for this municipality.
    #[serde(default)]
    pub form_endpoint: Option<FormEndpoint>,
    #[serde(default)]
    pub recipients: Vec<Spanned<AgeRecipient>>,
    /// How applications reach the office (form-spec checks the settings).
    #[serde(default)]
    pub transport: Option<Spanned<Transport>>,
    /// Whom form-fn tells that an application reached the office (form-spec
    /// checks the settings).
    #[serde(default)]
    pub notify: Option<Spanned<Notify>>,
    /// SVG file, relative to `municipalities/`.
    #[serde(default)]
    pub coat_of_arms: Option<Spanned<String>>,
    #[serde(default)]
    pub local_notes: Option<Spanned<Translated>>,
    /// Information in German Sign Language; without it the sign-language
    /// page says honestly that there is no video yet.
    #[serde(default)]
    pub sign_language: Option<SignLanguageVideo>,
    /// Replaced or added blocks per language, from the overrides folder.
    #[serde(skip)]
    pub overrides: BTreeMap<Lang, Vec<Block>>,
    /// Overrides a language lacks, where the German one stands in.
    #[serde(skip)]
    pub untranslated_overrides: Vec<EditorError>,
    #[serde(skip)]
    pub source: PathBuf,
}

impl Municipality {
    pub fn languages(&self) -> &[Lang] {
        &self.languages.value
    }

    /// The Land's number: the first two digits of the key.
    pub fn land_key(&self) -> &str {
        self.ags.value.as_str().get(..2).unwrap_or_default()
    }

    /// The towns this office serves, each as "name (official key)".
    pub fn served_labels(&self) -> Vec<String> {
        self.serves
            .iter()
            .map(|town| format!("{} ({})", town.name, town.ags.value))
            .collect()
    }

    /// The key a citizen should see: a Kreis has no municipality key of its
    /// own, only its 5-digit Kreisschlüssel; everyone else the full key.
    pub fn shown_key(&self) -> &str {
        let ags = self.ags.value.as_str();
        if self.kind == Kind::Kreis {
            ags.get(..5).unwrap_or(ags)
        } else {
            ags
        }
    }

    /// Local notes in `lang` (or German where not translated, then with
    /// `Some("de")`), rendered from Markdown.
    pub fn local_notes_html(&self, lang: Lang) -> Option<(String, Option<&'static str>)> {
        let notes = self.local_notes.as_ref()?;
        in_lang_or_german(&notes.value, lang).map(|(md, from)| (render_section_markdown(md), from))
    }

    /// The texts of this file that lack a language it offers, where German
    /// stands in: one warning each (`file` as the editor knows it).
    pub fn missing_translations(&self, file: &Path) -> Vec<EditorError> {
        let texts = [
            ("local_notes", self.local_notes.as_ref()),
            (
                "office.opening_hours_note",
                self.office.opening_hours_note.as_ref(),
            ),
            (
                "office.accessibility.note",
                self.office.accessibility.note.as_ref(),
            ),
        ];
        texts
            .into_iter()
            .filter_map(|(field, text)| Some((field, text?)))
            .flat_map(|(field, text)| {
                missing_translations(file, field, text, &self.languages.value)
            })
            .chain(self.untranslated_overrides.iter().cloned())
            .collect()
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

    /// The sign-language video and captions as (source file, published
    /// name below `/<slug>/de/sign-language/`), if configured.
    pub fn sign_language_files(&self, root: &Path) -> Vec<(PathBuf, String)> {
        let Some(video) = &self.sign_language else {
            return Vec::new();
        };
        [&video.video.value, &video.captions.value]
            .into_iter()
            .zip(video.published_names())
            .map(|(relative, name)| (root.join("municipalities").join(relative), name))
            .collect()
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
        Ok((overrides, untranslated)) => {
            municipality.overrides = overrides;
            municipality.untranslated_overrides = untranslated;
        }
        Err(found) => errors.extend(found),
    }
    if errors.is_empty() {
        Ok(municipality)
    } else {
        Err(errors)
    }
}

/// A Kreis serves towns within it: their keys start with its Kreisschlüssel
/// and are municipality keys, not district keys.
fn check_served_towns(m: &Municipality, errors: &mut Vec<EditorError>) {
    if m.kind != Kind::Kreis {
        return;
    }
    let kreis = m.shown_key();
    for town in &m.serves {
        let key = town.ags.value.as_str();
        if !key.starts_with(kreis) || town.ags.value.is_district_level() {
            errors.push(EditorError::at(
                &m.source,
                town.ags.referenced,
                0,
                format!(
                    "`{key}` ({}) is not a municipality of this Kreis: expected a key starting \
                     with its Kreisschlüssel {kreis} and not ending in 000",
                    town.name
                ),
            ));
        }
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
    if !content.lands.contains_key(m.land_key()) {
        errors.push(at(
            ags.referenced,
            format!(
                "no file for Land `{}` (the key's first two digits) in content/lands/: \
                 add one with its naturalization authorities, data protection authority \
                 and accessibility enforcement body",
                m.land_key()
            ),
        ));
    }
    check_served_towns(m, &mut errors);
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
    // A missing translation is not an error: German stands in (a warning,
    // `Municipality::missing_translations`).
    for (field, text) in translated {
        if let Some(text) = text {
            errors.extend(unknown_translations(file, field, text, &langs.value));
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

    if let Some(video) = &m.sign_language {
        check_sign_language(m, video, root, &mut errors);
    }
    if let Some(coat) = &m.coat_of_arms {
        let path = root.join("municipalities").join(&coat.value);
        let svg = std::fs::read_to_string(&path).unwrap_or_default();
        if !coat.value.ends_with(".svg") || !is_plain_relative(&coat.value) {
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

/// The sign-language video, its captions and transcript exist and have the
/// expected formats.
fn check_sign_language(
    m: &Municipality,
    video: &SignLanguageVideo,
    root: &Path,
    errors: &mut Vec<EditorError>,
) {
    let dir = root.join("municipalities");
    let at = |location, message: String| EditorError::at(&m.source, location, 0, message);
    let file = &video.video;
    if video.media_type().is_none() || !is_plain_relative(&file.value) {
        errors.push(at(
            file.referenced,
            "expected an .mp4 or .webm file inside municipalities/, e.g. `media/dgs.mp4`"
                .to_owned(),
        ));
    } else if !dir.join(&file.value).is_file() {
        errors.push(at(
            file.referenced,
            format!("expected a video at municipalities/{}", file.value),
        ));
    }
    let captions = &video.captions;
    let text = std::fs::read_to_string(dir.join(&captions.value)).unwrap_or_default();
    if !captions.value.to_ascii_lowercase().ends_with(".vtt")
        || !is_plain_relative(&captions.value)
        || !text.trim_start_matches('\u{feff}').starts_with("WEBVTT")
    {
        errors.push(at(
            captions.referenced,
            format!(
                "expected captions in WebVTT (a .vtt file starting with `WEBVTT`) at \
                 municipalities/{}",
                captions.value
            ),
        ));
    }
}

/// Reads `municipalities/<slug>/<lang>/<id>.md`: a block with the id of a shared
/// block replaces it, any other id adds a block (and then needs an `order`).
/// A municipality's overrides per language, and the warnings for those a
/// language lacks (the German one stands in).
type LoadedOverrides = (BTreeMap<Lang, Vec<Block>>, Vec<EditorError>);

fn load_overrides(
    root: &Path,
    m: &Municipality,
    content: &SiteContent,
) -> Result<LoadedOverrides, Vec<EditorError>> {
    let dir = root.join("municipalities").join(&m.slug);
    let mut overrides = BTreeMap::new();
    if !dir.is_dir() {
        return Ok((overrides, Vec::new()));
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
                text_lang: lang,
            });
        }
        overrides.insert(lang, blocks);
    }
    // German replaces or adds every block first; where another language
    // lacks its version, the German one stands in (a warning).
    let all_ids: BTreeSet<String> = ids_by_lang.values().flatten().cloned().collect();
    let german = overrides.get(&Lang::primary()).cloned().unwrap_or_default();
    let mut untranslated = Vec::new();
    for id in &all_ids {
        let Some(block) = german.iter().find(|b| &b.id == id) else {
            let file = relative(root, &dir.join(PRIMARY_DIR).join(format!("{id}.md")));
            errors.push(EditorError::whole_file(
                &file,
                format!(
                    "missing the German original: this municipality overrides `{id}` in \
                     another language; write `{}` first, then translate it",
                    file.display()
                ),
            ));
            continue;
        };
        for lang in m.languages() {
            if ids_by_lang.get(lang).is_some_and(|ids| ids.contains(id)) {
                continue;
            }
            let file = relative(root, &dir.join(lang.code()).join(format!("{id}.md")));
            untranslated.push(EditorError::whole_file(
                &file,
                format!(
                    "missing translation of {}: the German text stands in, marked as German",
                    block.source.display()
                ),
            ));
            overrides.entry(*lang).or_default().push(block.clone());
        }
    }
    if errors.is_empty() {
        Ok((overrides, untranslated))
    } else {
        Err(errors)
    }
}

/// The folder of the German overrides.
const PRIMARY_DIR: &str = crate::languages::PRIMARY;

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

//! The directory of places: every municipality of a Land that has a
//! responsibility rule, each pointing to the naturalization office that
//! serves it, and every office the site has pages for. The index is built
//! from it.
//!
//! Which office serves a municipality is data, not code: the municipalities
//! with their keys come from `data/gemeinden.csv` (DWD, see its README), and
//! per Land `data/responsibility/<land>.yaml` says who is responsible. For
//! North Rhine-Westphalia a kreisfreie Stadt or a große kreisangehörige Stadt
//! has its own office and every other municipality is served by its Kreis; a
//! große kreisangehörige Stadt may have handed the task to its Kreis
//! (`delegated_to`). Where the office has no municipality file the place
//! still appears, naming the office and saying the online service is not
//! offered here yet: no contact data is ever made up.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::content::{relative, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::municipality::{Kind, Municipality};
use crate::yaml::{parse_yaml, read_text};

/// Every municipality in Germany with its key, Kreis and Land.
pub const MUNICIPALITIES_CSV: &str = "data/gemeinden.csv";
/// One rule file per Land.
pub const RULES_DIR: &str = "data/responsibility";
/// The folder below the site root that holds the directory's pages.
pub const PLACES_DIR: &str = "orte";
/// Top-level folders of the site that no municipality may take as its slug.
const RESERVED_SLUGS: &[&str] = &[PLACES_DIR, "assets"];

/// One row of `gemeinden.csv`.
#[derive(Debug, Clone)]
struct Row {
    ags: String,
    name: String,
    kreis_ags: String,
    kreis_name: String,
    land: String,
}

/// The kinds of municipality that can have their own office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OwnOffice {
    KreisfreieStadt,
    GrosseKreisangehoerigeStadt,
}

/// Who serves everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Otherwise {
    Kreis,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    own_office: Vec<OwnOffice>,
    otherwise: Otherwise,
    /// The norm the rule rests on (for editors; checked to be text).
    #[serde(rename = "source")]
    _source: String,
}

/// A große kreisangehörige Stadt as the rule file lists it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LargeTown {
    ags: Spanned<String>,
    name: String,
    /// Named in the source the file cites (checked by a person).
    #[serde(rename = "verified")]
    _verified: bool,
    /// The Kreis that took over naturalization by agreement.
    #[serde(default)]
    delegated_to: Option<Spanned<String>>,
    /// Whether the agreement itself was found (for editors).
    #[serde(default, rename = "delegation_verified")]
    _delegation_verified: Option<bool>,
    #[serde(default, rename = "note")]
    _note: Option<String>,
}

/// `data/responsibility/<land>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    /// The Land's code as in `gemeinden.csv` (`NW`).
    land: Spanned<String>,
    rule: Rule,
    #[serde(default)]
    grosse_kreisangehoerige_staedte: Vec<LargeTown>,
}

/// The office a place turns to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub name: String,
    /// The office's own key: a municipality's, or a Kreis's (`…000`).
    pub key: String,
    /// The office's municipality file, where the site has one.
    pub slug: Option<String>,
}

/// A municipality, and the office that serves it.
#[derive(Debug, Clone)]
pub struct Place {
    /// The name without its title: "Bad Lippspringe" for "Stadt Bad Lippspringe".
    pub name: String,
    /// "Stadt", "Gemeinde", … where the official name carries one.
    pub title: Option<String>,
    /// The key as people know it: 8 digits, 5 for a Kreis.
    pub key: String,
    /// The first five digits: the Kreis or kreisfreie Stadt.
    pub kreis_key: String,
    pub office: Office,
    /// Where the place is the office itself: the postcodes it lists.
    pub postcodes: Vec<String>,
}

/// A Kreis or kreisfreie Stadt, for finding a place by its key.
#[derive(Debug, Clone)]
pub struct KreisGroup {
    pub key: String,
    pub name: String,
}

/// Every place, sorted by name, and the Kreise they lie in, sorted by key.
#[derive(Debug, Default)]
pub struct Directory {
    pub places: Vec<Place>,
    pub kreise: Vec<KreisGroup>,
}

impl Directory {
    /// Reads the data under `root` (none is fine: then the directory holds
    /// the site's offices only) and resolves every place's office.
    pub fn load(root: &Path, municipalities: &[Municipality]) -> Result<Self, BuildError> {
        let rows = load_rows(root)?;
        let rules = load_rules(root)?;
        let mut errors = EditorErrors::default();
        check_slugs(municipalities, &mut errors);
        let mut directory = Self::default();
        let by_key: HashMap<&str, &Municipality> = municipalities
            .iter()
            .map(|m| (m.ags.value.as_str(), m))
            .collect();
        let kreis_names: HashMap<&str, &str> = rows
            .iter()
            .map(|r| (r.kreis_ags.as_str(), r.kreis_name.as_str()))
            .collect();
        let mut covered: HashSet<String> = HashSet::new();
        for (file, rules) in &rules {
            let land_rows: Vec<&Row> = rows.iter().filter(|r| r.land == rules.land.value).collect();
            if land_rows.is_empty() {
                errors.push(EditorError::at(
                    file,
                    rules.land.referenced,
                    0,
                    format!(
                        "no municipality of Land `{}` in {MUNICIPALITIES_CSV}",
                        rules.land.value
                    ),
                ));
            }
            let towns = check_large_towns(file, rules, &land_rows, &kreis_names, &mut errors);
            for row in land_rows {
                let (office_key, office_name) = responsible(rules, &towns, row, &kreis_names);
                let office = Office {
                    name: office_name,
                    slug: by_key.get(office_key.as_str()).map(|m| m.slug.clone()),
                    key: office_key.clone(),
                };
                let own = office_key == row.ags;
                directory.places.push(place_from_row(
                    row,
                    office,
                    own.then(|| by_key.get(row.ags.as_str())).flatten(),
                ));
                covered.insert(row.ags.clone());
            }
        }
        errors.into_result()?;
        for m in municipalities
            .iter()
            .filter(|m| !covered.contains(m.ags.value.as_str()))
        {
            directory.places.extend(office_places(m, &covered));
        }
        directory.kreise = kreis_groups(&directory.places, &kreis_names, municipalities);
        directory
            .places
            .sort_by_cached_key(|p| (sort_key(&p.name), p.key.clone()));
        Ok(directory)
    }
}

/// A municipality file may not take the name of a folder of the site.
fn check_slugs(municipalities: &[Municipality], errors: &mut EditorErrors) {
    for m in municipalities
        .iter()
        .filter(|m| RESERVED_SLUGS.contains(&m.slug.as_str()))
    {
        errors.push(EditorError::whole_file(
            &m.source,
            format!(
                "`{}` is a folder of the site itself ({}); rename the file to another slug",
                m.slug,
                RESERVED_SLUGS.join(", ")
            ),
        ));
    }
}

/// The office key and name responsible for `row` under `rules`.
fn responsible(
    rules: &RuleFile,
    towns: &HashMap<&str, &LargeTown>,
    row: &Row,
    kreis_names: &HashMap<&str, &str>,
) -> (String, String) {
    let own = |kind| rules.rule.own_office.contains(&kind);
    let kreis = |key: &str| {
        let name = kreis_names.get(key).copied().unwrap_or(key);
        (key.to_owned(), name.to_owned())
    };
    if row.ags == row.kreis_ags && own(OwnOffice::KreisfreieStadt) {
        return (row.ags.clone(), row.name.clone());
    }
    if let Some(town) = towns.get(row.ags.as_str()) {
        if let Some(delegated) = &town.delegated_to {
            return kreis(&delegated.value);
        }
        if own(OwnOffice::GrosseKreisangehoerigeStadt) {
            return (row.ags.clone(), row.name.clone());
        }
    }
    match rules.rule.otherwise {
        Otherwise::Kreis => kreis(&row.kreis_ags),
    }
}

/// The große kreisangehörige Städte of `rules` by key, each checked
/// against the Land's rows.
fn check_large_towns<'r>(
    file: &Path,
    rules: &'r RuleFile,
    land_rows: &[&Row],
    kreis_names: &HashMap<&str, &str>,
    errors: &mut EditorErrors,
) -> HashMap<&'r str, &'r LargeTown> {
    let mut towns = HashMap::new();
    for town in &rules.grosse_kreisangehoerige_staedte {
        let key = town.ags.value.as_str();
        match land_rows.iter().find(|r| r.ags == key) {
            None => errors.push(EditorError::at(
                file,
                town.ags.referenced,
                0,
                format!(
                    "`{key}` ({}) is not a municipality of Land {} in {MUNICIPALITIES_CSV}",
                    town.name, rules.land.value
                ),
            )),
            Some(row) if row.ags == row.kreis_ags => errors.push(EditorError::at(
                file,
                town.ags.referenced,
                0,
                format!(
                    "`{key}` ({}) is a kreisfreie Stadt, not a große kreisangehörige Stadt",
                    town.name
                ),
            )),
            Some(_) => {}
        }
        if let Some(delegated) = &town.delegated_to
            && !kreis_names.contains_key(delegated.value.as_str())
        {
            errors.push(EditorError::at(
                file,
                delegated.referenced,
                0,
                format!(
                    "`delegated_to: {}` is not a Kreis key in {MUNICIPALITIES_CSV}",
                    delegated.value
                ),
            ));
        }
        if towns.insert(key, town).is_some() {
            errors.push(EditorError::at(
                file,
                town.ags.referenced,
                0,
                format!("`{key}` is listed twice"),
            ));
        }
    }
    towns
}

/// "Stadt Bad Lippspringe" → ("Bad Lippspringe", Some("Stadt")).
fn split_title(official: &str) -> (String, Option<String>) {
    const TITLES: &[&str] = &[
        "Stadt",
        "Gemeinde",
        "Hansestadt",
        "Markt",
        "Flecken",
        "Landeshauptstadt",
        "Kreisstadt",
        "Große Kreisstadt",
        "Universitätsstadt",
        "Wissenschaftsstadt",
    ];
    let mut titles: Vec<&str> = TITLES.to_vec();
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for title in titles {
        if let Some(rest) = official
            .strip_prefix(title)
            .and_then(|r| r.strip_prefix(' '))
        {
            return (rest.to_owned(), Some(title.to_owned()));
        }
    }
    (official.to_owned(), None)
}

fn place_from_row(row: &Row, office: Office, own_file: Option<&&Municipality>) -> Place {
    let (name, title) = split_title(&row.name);
    Place {
        name,
        title,
        key: row.ags.clone(),
        kreis_key: row.ags[..5].to_owned(),
        office,
        postcodes: own_file
            .map(|m| {
                m.postcodes
                    .value
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A municipality file the data does not cover, and the towns it serves.
fn office_places(m: &Municipality, covered: &HashSet<String>) -> Vec<Place> {
    let office = Office {
        name: m.name.as_str().to_owned(),
        key: m.ags.value.as_str().to_owned(),
        slug: Some(m.slug.clone()),
    };
    let ags = m.ags.value.as_str();
    let mut places = vec![Place {
        name: m.name.as_str().to_owned(),
        title: None,
        key: m.shown_key().to_owned(),
        kreis_key: ags.get(..5).unwrap_or(ags).to_owned(),
        office: office.clone(),
        postcodes: m
            .postcodes
            .value
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    }];
    for town in m
        .serves
        .iter()
        .filter(|t| !covered.contains(t.ags.value.as_str()))
    {
        let key = town.ags.value.as_str();
        places.push(Place {
            name: town.name.as_str().to_owned(),
            title: None,
            key: key.to_owned(),
            kreis_key: key.get(..5).unwrap_or(key).to_owned(),
            office: office.clone(),
            postcodes: Vec::new(),
        });
    }
    places
}

/// The Kreise the places lie in, named from the data or from the site's
/// Kreis and kreisfreie Stadt files.
fn kreis_groups(
    places: &[Place],
    kreis_names: &HashMap<&str, &str>,
    municipalities: &[Municipality],
) -> Vec<KreisGroup> {
    let district_files: HashMap<&str, &str> = municipalities
        .iter()
        .filter(|m| matches!(m.kind, Kind::Kreis | Kind::KreisfreieStadt))
        .filter_map(|m| Some((m.ags.value.as_str().get(..5)?, m.name.as_str())))
        .collect();
    let mut groups: BTreeMap<&str, String> = BTreeMap::new();
    for place in places {
        groups.entry(place.kreis_key.as_str()).or_insert_with(|| {
            let full = format!("{}000", place.kreis_key);
            kreis_names
                .get(full.as_str())
                .map(|n| (*n).to_owned())
                .or_else(|| {
                    district_files
                        .get(place.kreis_key.as_str())
                        .map(|n| (*n).to_owned())
                })
                .unwrap_or_else(|| format!("Kreis {}", place.kreis_key))
        });
    }
    groups
        .into_iter()
        .map(|(key, name)| KreisGroup {
            key: key.to_owned(),
            name,
        })
        .collect()
}

/// Reads `gemeinden.csv`; no file means no rows.
fn load_rows(root: &Path) -> Result<Vec<Row>, BuildError> {
    let path = root.join(MUNICIPALITIES_CSV);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let shown = Path::new(MUNICIPALITIES_CSV);
    let text = read_text(&path, shown).map_err(|e| BuildError::Editor(vec![e]))?;
    let mut rows = Vec::new();
    let mut errors = EditorErrors::default();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(line) {
            Ok(row) => rows.push(row),
            Err(message) => errors.push(EditorError::new(shown, index + 1, 1, message)),
        }
    }
    errors.into_result()?;
    Ok(rows)
}

fn parse_row(line: &str) -> Result<Row, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [ags, name, kreis_ags, kreis_name, land] = fields.as_slice() else {
        return Err(format!(
            "expected 5 fields (ags,name,kreis_ags,kreis_name,land), found {}",
            fields.len()
        ));
    };
    for (field, key) in [("ags", ags), ("kreis_ags", kreis_ags)] {
        if key.len() != 8 || !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{field}` must be 8 digits, found `{key}`"));
        }
    }
    if !ags.starts_with(&kreis_ags[..5]) {
        return Err(format!("`{ags}` does not lie in Kreis `{kreis_ags}`"));
    }
    if name.is_empty() || kreis_name.is_empty() || land.len() != 2 {
        return Err("a name is empty or the Land is not a two-letter code".to_owned());
    }
    Ok(Row {
        ags: (*ags).to_owned(),
        name: (*name).to_owned(),
        kreis_ags: (*kreis_ags).to_owned(),
        kreis_name: (*kreis_name).to_owned(),
        land: (*land).to_owned(),
    })
}

/// Reads every `data/responsibility/*.yaml`, with the path shown to editors.
fn load_rules(root: &Path) -> Result<Vec<(std::path::PathBuf, RuleFile)>, BuildError> {
    let dir = root.join(RULES_DIR);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let mut errors = EditorErrors::default();
    for path in sorted_entries(&dir).map_err(|e| BuildError::Editor(vec![e.relative_to(root)]))? {
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let shown = relative(root, &path);
        match read_text(&path, &shown).and_then(|text| parse_yaml::<RuleFile>(&text, &shown, 0)) {
            Ok(rules) => files.push((shown, rules)),
            Err(error) => errors.push(error),
        }
    }
    errors.into_result()?;
    Ok(files)
}

/// Lower case with umlauts and accents folded, so "Köln" sorts and is
/// found as "koln" and "Ärzen" under A.
pub fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'á' | 'à' | 'â' => key.push('a'),
            'ö' | 'ó' | 'ô' => key.push('o'),
            'ü' | 'ú' | 'û' => key.push('u'),
            'é' | 'è' | 'ê' => key.push('e'),
            'ß' => key.push_str("ss"),
            other => key.push(other),
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_split_off_the_official_name() {
        assert_eq!(
            split_title("Stadt Bad Lippspringe"),
            ("Bad Lippspringe".to_owned(), Some("Stadt".to_owned()))
        );
        assert_eq!(split_title("Altenbeken"), ("Altenbeken".to_owned(), None));
        assert_eq!(split_title("Stadtallendorf").1, None);
    }

    #[test]
    fn a_broken_row_says_what_was_expected() {
        assert!(
            parse_row("0511100,Stadt X,05111000,Stadt X,NW")
                .unwrap_err()
                .contains("8 digits")
        );
        assert!(
            parse_row("05111000,Stadt X,05111000")
                .unwrap_err()
                .contains("5 fields")
        );
        assert!(
            parse_row("05111000,Stadt X,05112000,Stadt Y,NW")
                .unwrap_err()
                .contains("does not lie")
        );
        assert!(parse_row("05111000,Stadt X,05111000,Stadt X,NW").is_ok());
    }
}

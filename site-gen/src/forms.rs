//! The application forms of `content/forms/`: loaded into form-spec's model
//! (so the page and form-fn share every rule), checked for the site's
//! languages, with the country list they offer.

use std::collections::BTreeMap;
use std::path::Path;

use form_spec::definition::{Country, FormDefinition};
use serde::Deserialize;

use crate::content::{relative, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::languages::Lang;
use crate::yaml::{load_yaml_file, parse_yaml, read_text};

/// The country list every form shares.
pub const COUNTRIES_FILE: &str = "content/forms/countries.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountriesFile {
    countries: Vec<Country>,
    nationality_extra: Vec<Country>,
}

/// Every form with the lists it needs.
#[derive(Debug, Clone)]
pub struct Forms {
    pub definitions: BTreeMap<String, FormDefinition>,
    pub countries: Vec<Country>,
    pub nationality_extra: Vec<Country>,
}

impl Forms {
    pub fn load(root: &Path, languages: &[Lang]) -> Result<Self, BuildError> {
        let codes: Vec<String> = languages.iter().map(|l| l.code().to_owned()).collect();
        let lists: CountriesFile =
            load_yaml_file(&root.join(COUNTRIES_FILE), Path::new(COUNTRIES_FILE))?;
        let mut errors = EditorErrors::default();
        for country in lists.countries.iter().chain(&lists.nationality_extra) {
            for lang in codes.iter().filter(|l| !country.names.contains_key(*l)) {
                errors.push(EditorError::whole_file(
                    Path::new(COUNTRIES_FILE),
                    format!(
                        "missing translation: country `{}` has no name for `{lang}`",
                        country.code
                    ),
                ));
            }
        }
        let mut definitions = BTreeMap::new();
        let dir = root.join("content/forms");
        for path in sorted_entries(&dir).map_err(|e| e.relative_to(root))? {
            let shown = relative(root, &path);
            if shown == Path::new(COUNTRIES_FILE) || path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = read_text(&path, &shown)?;
            let definition: FormDefinition = match parse_yaml(&text, &shown, 0) {
                Ok(definition) => definition,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if definition.id != stem {
                errors.push(EditorError::new(
                    &shown,
                    line_of_id(&text, &definition.id),
                    1,
                    format!(
                        "`id: {}` must match the file name `{stem}.yaml`",
                        definition.id
                    ),
                ));
            }
            let problems = definition
                .check(&codes)
                .into_iter()
                .chain(definition.check_lists(&lists.countries, &lists.nationality_extra));
            for problem in problems {
                errors.push(EditorError::new(
                    &shown,
                    line_of_id(&text, &problem.id),
                    1,
                    problem.to_string(),
                ));
            }
            definitions.insert(definition.id.clone(), definition);
        }
        errors.into_result()?;
        Ok(Self {
            definitions,
            countries: lists.countries,
            nationality_extra: lists.nationality_extra,
        })
    }
}

/// The line where `id: <id>` is written (the element a definition error is
/// about), or 0 when the error concerns the whole form.
fn line_of_id(text: &str, id: &str) -> usize {
    if id.is_empty() {
        return 0;
    }
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            line.strip_prefix("id:")
                .is_some_and(|rest| rest.trim().trim_matches('"') == id)
        })
        .map_or(0, |index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_of_an_id() {
        let text = "id: form\nsections:\n  - id: person\n    fields:\n      - id: family_name\n";
        assert_eq!(line_of_id(text, "family_name"), 5);
        assert_eq!(line_of_id(text, "person"), 3);
        assert_eq!(line_of_id(text, ""), 0);
    }
}

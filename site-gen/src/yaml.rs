//! Strict YAML loading: every mistake becomes an [`EditorError`] naming the
//! file, line, column and what was expected. Uses serde-saphyr (panic-free,
//! with resource budgets) instead of the deprecated serde_yaml.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_saphyr::{DefaultMessageFormatter, MessageFormatter};

use crate::error::EditorError;

/// Parses `text` (the YAML part of `file`, starting after `line_offset` lines).
pub fn parse_yaml<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    line_offset: usize,
) -> Result<T, EditorError> {
    serde_saphyr::from_str::<T>(text).map_err(|error| {
        let message = DefaultMessageFormatter
            .format_message(error.without_snippet())
            .into_owned();
        let name = file.display().to_string();
        let rendered = error.render_with_options(serde_saphyr::render_options! {
            source_name: Some(name.as_str()),
            line_offset: line_offset as u64,
        });
        // The first line repeats the message; keep only the excerpt.
        let snippet = rendered
            .split_once('\n')
            .map_or(rendered.as_str(), |(_, excerpt)| excerpt)
            .to_owned();
        let located = match error.location() {
            Some(location) => EditorError::at(file, location, line_offset, message),
            None => EditorError::whole_file(file, message),
        };
        EditorError {
            snippet: Some(snippet),
            ..located
        }
    })
}

/// Reads and parses a whole YAML file.
pub fn load_yaml_file<T: DeserializeOwned>(path: &Path, shown_as: &Path) -> Result<T, EditorError> {
    let text = read_text(path, shown_as)?;
    parse_yaml(&text, shown_as, 0)
}

/// Reads a text file an editor wrote; unreadable or non-UTF-8 is their error to fix.
pub fn read_text(path: &Path, shown_as: &Path) -> Result<String, EditorError> {
    let bytes = std::fs::read(path)
        .map_err(|error| EditorError::whole_file(shown_as, format!("cannot read file: {error}")))?;
    String::from_utf8(bytes).map_err(|error| {
        let before = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        EditorError::new(
            shown_as,
            line,
            column,
            "expected UTF-8 text; save the file as UTF-8",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let error = parse_yaml::<Sample>("name: a\nnmae: b\n", Path::new("x.yaml"), 0).unwrap_err();
        assert_eq!((error.line, error.column), (2, 1));
        assert!(error.message.contains("unknown field `nmae`"), "{error}");
        assert!(error.to_string().starts_with("x.yaml:2:1: "), "{error}");
    }

    #[test]
    fn line_offset_shifts_front_matter_errors() {
        let error = parse_yaml::<Sample>("name: [1]\n", Path::new("a.md"), 1).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.snippet.unwrap_or_default().contains("a.md:2:"));
    }

    #[test]
    fn non_utf8_is_refused_with_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, b"name: ok\nname2: \xff\n").unwrap();
        let error = read_text(&path, Path::new("bad.yaml")).unwrap_err();
        assert_eq!((error.line, error.column), (2, 8));
    }
}

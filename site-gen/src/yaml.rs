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

/// The largest file an editor may give the build (Markdown, YAML, the
/// municipalities' CSV): far above any real one (the CSV of every German
/// municipality is 0.7 MB), so that a mistake cannot fill the memory.
pub const MAX_EDITOR_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a text file an editor wrote; unreadable, too large or non-UTF-8 is
/// their error to fix.
pub fn read_text(path: &Path, shown_as: &Path) -> Result<String, EditorError> {
    use std::io::Read;
    let cannot_read = |error: std::io::Error| {
        EditorError::whole_file(shown_as, format!("cannot read file: {error}"))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_EDITOR_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_EDITOR_FILE_BYTES {
        return Err(EditorError::whole_file(
            shown_as,
            format!(
                "the file is larger than {} MiB, the most an editor's file may be; \
                 is it the right file?",
                MAX_EDITOR_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
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
    fn a_file_up_to_the_limit_is_read_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gemeinden.csv");
        let limit = usize::try_from(MAX_EDITOR_FILE_BYTES).unwrap();
        std::fs::write(&path, "a".repeat(limit)).unwrap();
        assert_eq!(
            read_text(&path, Path::new("data/gemeinden.csv"))
                .unwrap()
                .len(),
            limit
        );
        std::fs::write(&path, "a".repeat(limit + 1)).unwrap();
        let error = read_text(&path, Path::new("data/gemeinden.csv")).unwrap_err();
        assert!(
            error.to_string().starts_with("data/gemeinden.csv"),
            "{error}"
        );
        assert!(error.message.contains("larger than 16 MiB"), "{error}");
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

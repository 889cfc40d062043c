//! `site-gen check`: everything the build validates, plus what a build does
//! not look at: links and anchors written in Markdown, images without a text
//! alternative, and legal wording that was right once and misleads now.
//! Every finding names file, line, column, a stable code and what to do.

mod links;
mod sources;
mod wording;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::build::{BuildOptions, SiteData};
use crate::error::{BuildError, EditorError};

/// How bad a finding is: errors make `check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One problem, where it is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when the problem concerns the whole file or line.
    pub column: usize,
    pub severity: Severity,
    /// Stable, for tools: `invalid` (the build refuses it), `broken-link`,
    /// `missing-anchor`, `image-alt`, `outdated-residence`,
    /// `outdated-fast-track`, `outdated-renunciation`, `todo`,
    /// `missing-translation` (German stands in).
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.severity,
            self.message
        )
    }
}

impl Finding {
    fn error(file: &Path, line: usize, column: usize, code: &'static str, message: String) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            column,
            severity: Severity::Error,
            code,
            message,
        }
    }
}

impl From<EditorError> for Finding {
    fn from(error: EditorError) -> Self {
        Self::error(
            &error.file,
            error.line,
            error.column,
            "invalid",
            error.message,
        )
    }
}

/// Checks the site in `root` without writing anything; the findings are
/// sorted by file and position. Only a failure of the machine is an `Err`.
pub fn check_site(root: &Path) -> Result<Vec<Finding>, BuildError> {
    let sources = sources::read_sources(root);
    let mut findings = wording::check(&sources);
    findings.extend(links::check_images(&sources));
    findings.extend(placeholders(&sources));
    // Loading needs no output folder; the options only name the root.
    let options = BuildOptions::new(root, root.join("public"));
    let loaded = SiteData::load(&options).and_then(|data| {
        let renderer = data.renderer()?;
        let mut found = links::check_links(&data, &renderer, &sources);
        found.extend(
            data.missing_translations()
                .into_iter()
                .map(missing_translation),
        );
        Ok(found)
    });
    match loaded {
        Ok(found) => findings.extend(found),
        Err(BuildError::Editor(errors)) => findings.extend(errors.into_iter().map(Finding::from)),
        Err(other) => return Err(other),
    }
    findings.sort();
    findings.dedup();
    Ok(findings)
}

/// A text a language lacks: German stands in, so it is a warning.
fn missing_translation(missing: EditorError) -> Finding {
    Finding {
        severity: Severity::Warning,
        code: "missing-translation",
        ..Finding::from(missing)
    }
}

/// What `site-gen new municipality` left to fill in: `TODO` and the
/// placeholder postcode, as warnings (the file builds, as sample data).
fn placeholders(sources: &[sources::Source]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for source in sources
        .iter()
        .filter(|s| s.file.starts_with("municipalities"))
    {
        for (needle, what) in [
            ("TODO", "still to fill in"),
            ("\"00000\"", "a placeholder postcode"),
        ] {
            for (offset, _) in source.text.match_indices(needle) {
                let (line, column) = position(&source.text, offset);
                let text = source.text.lines().nth(line - 1).unwrap_or_default().trim();
                findings.push(Finding {
                    file: source.file.clone(),
                    line,
                    column,
                    severity: Severity::Warning,
                    code: "todo",
                    message: format!("{what}: {text}"),
                });
            }
        }
    }
    findings
}

/// 1-based line and column of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        assert_eq!(position("ab\ncäd", 0), (1, 1));
        assert_eq!(position("ab\ncäd", 3), (2, 1));
        assert_eq!(position("ab\ncäd", 6), (2, 3), "ä is one column");
    }

    #[test]
    fn a_finding_prints_as_file_line_column_severity_message() {
        let finding = Finding::error(Path::new("a.md"), 3, 7, "broken-link", "gone".to_owned());
        assert_eq!(finding.to_string(), "a.md:3:7: error: gone");
    }
}

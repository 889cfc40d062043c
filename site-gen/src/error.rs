//! Errors of a build: an editor's mistake with its location, or a failure of
//! the machine (I/O, a broken theme) that no editor caused.

use std::fmt;
use std::path::{Path, PathBuf};

/// A mistake in a file an editor wrote: which file, where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EditorError {
    pub file: PathBuf,
    /// 1-based line; 0 when the mistake concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when the mistake concerns the whole file or line.
    pub column: usize,
    pub message: String,
    /// Source excerpt pointing at the mistake, for the terminal.
    pub snippet: Option<String>,
}

impl EditorError {
    pub fn new(file: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            snippet: None,
        }
    }

    /// A mistake that concerns a whole file (e.g. a missing translation of it).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Self::new(file, 0, 0, message)
    }

    /// At a location recorded while parsing YAML, shifted by the lines that
    /// precede the YAML in its file (front matter starts after `---`).
    pub fn at(
        file: &Path,
        location: serde_saphyr::Location,
        line_offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let line = location.line() as usize;
        if line == 0 {
            return Self::whole_file(file, message);
        }
        Self::new(
            file,
            line + line_offset,
            location.column() as usize,
            message,
        )
    }
}

impl fmt::Display for EditorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Editors' mistakes, sorted by file and line; nothing was written.
    #[error("{}", list_editor_errors(.0))]
    Editor(Vec<EditorError>),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A template of the theme is broken: a developer's mistake, not an editor's.
    #[error("theme template {name}: {detail}")]
    Theme { name: String, detail: String },
    #[error("{0}")]
    OutputDir(String),
}

impl BuildError {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn theme(name: &str, error: &minijinja::Error) -> Self {
        Self::Theme {
            name: name.to_owned(),
            detail: describe_template_error(error),
        }
    }
}

impl From<EditorError> for BuildError {
    fn from(error: EditorError) -> Self {
        Self::Editor(vec![error])
    }
}

fn list_editor_errors(errors: &[EditorError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

/// minijinja keeps the useful part (line, cause) in the error chain.
pub fn describe_template_error(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Collects editor errors so that one build reports all of them at once.
#[derive(Debug, Default)]
pub struct EditorErrors(Vec<EditorError>);

impl EditorErrors {
    pub fn push(&mut self, error: EditorError) {
        self.0.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = EditorError>) {
        self.0.extend(errors);
    }

    /// `Ok` when no mistake was found, else every mistake in file order.
    pub fn into_result(mut self) -> Result<(), BuildError> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        self.0.dedup();
        Err(BuildError::Editor(self.0))
    }
}

//! `site-gen new municipality`: a commented municipality file an editor
//! fills in. It builds at once as sample data (every page says so) and
//! without an online form until the office's key and transport are set.

use std::path::{Path, PathBuf};

use crate::content::sorted_entries;
use crate::languages::Lang;
use crate::municipality::Kind;
use crate::values::{Ags, is_slug};

/// Why no file was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "`{0}` cannot be a slug: expected lowercase ASCII letters, digits and hyphens, e.g. `koeln`"
    )]
    Slug(String),
    #[error("{0}")]
    Ags(String),
    #[error("`{0}` is not a kind: expected one of {1}")]
    Kind(String, String),
    #[error("the name must not be empty or contain line breaks or other control characters")]
    Name,
    #[error("`{kind}` does not fit the key {ags}: {why}")]
    KindAndKey {
        kind: &'static str,
        ags: String,
        why: &'static str,
    },
    #[error("{} exists already: nothing was written (edit it, or choose another slug)", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the editor asked for.
pub struct NewMunicipality<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub ags: &'a str,
    /// `None`: a key ending in `000` is a kreisfreie Stadt, others a Gemeinde.
    pub kind: Option<&'a str>,
}

/// Writes `municipalities/<slug>.yaml` below `root`; returns its path.
pub fn new_municipality(root: &Path, new: &NewMunicipality) -> Result<PathBuf, ScaffoldError> {
    if !is_slug(new.slug) {
        return Err(ScaffoldError::Slug(new.slug.to_owned()));
    }
    let name = new.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(ScaffoldError::Name);
    }
    let ags = Ags::try_from(new.ags.to_owned()).map_err(ScaffoldError::Ags)?;
    let kind = match new.kind {
        Some(kind) => Kind::from_id(kind).ok_or_else(|| {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
            ScaffoldError::Kind(kind.to_owned(), known.join(", "))
        })?,
        None if ags.is_district_level() => Kind::KreisfreieStadt,
        None => Kind::Gemeinde,
    };
    if kind.is_district_level() != ags.is_district_level() {
        return Err(ScaffoldError::KindAndKey {
            kind: kind.id(),
            ags: ags.to_string(),
            why: "a Kreis, kreisfreie Stadt or city state has a key ending in 000, a town within a Kreis does not",
        });
    }
    let path = root
        .join("municipalities")
        .join(format!("{}.yaml", new.slug));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    let text = municipality_yaml(name, &ags, kind, &site_languages(root));
    std::fs::write(&path, text).map_err(|source| ScaffoldError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The languages the site's content is written in, German first.
fn site_languages(root: &Path) -> Vec<Lang> {
    let mut langs: Vec<Lang> = sorted_entries(&root.join("content"))
        .unwrap_or_default()
        .iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).and_then(Lang::parse))
        .filter(|l| *l != Lang::primary())
        .collect();
    langs.insert(0, Lang::primary());
    langs
}

/// The file's text: every field the build needs, with what to fill in.
fn municipality_yaml(name: &str, ags: &Ags, kind: Kind, langs: &[Lang]) -> String {
    let quoted = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let langs: Vec<&str> = langs.iter().map(|l| l.code()).collect();
    let serves = if kind == Kind::Kreis {
        "# The towns this Kreis serves, with their official keys, e.g.\n\
         # serves:\n#   - { name: \"Altenbeken\", ags: \"05774004\" }\n"
    } else {
        ""
    };
    format!(
        include_str!("scaffold/municipality.yaml"),
        name = quoted(name),
        office = quoted(&format!("{name} – Einbürgerung")),
        ags = ags,
        kind = kind.id(),
        langs = langs.join(", "),
        serves = serves,
    )
}

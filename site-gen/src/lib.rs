//! site-gen: builds the static naturalization service site, one section per
//! municipality and language, from Markdown, YAML and a minijinja theme.
//!
//! Pipeline: [`content`], [`municipality`] and [`quick_check`] load and check
//! what editors wrote (errors carry file, line, column), [`render`] templates it with the
//! theme, [`build`] writes it all through [`output`] only when nothing failed.

pub mod build;
pub mod check;
mod cldr_languages;
pub mod committed_keys;
pub mod content;
pub mod deploy;
pub mod directory;
pub mod error;
pub mod file_list;
pub mod forms;
pub mod inputs;
pub mod land;
pub mod languages;
pub mod markdown;
pub mod municipality;
pub mod output;
pub mod quick_check;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod sitemap;
pub mod svg;
pub mod values;
pub mod yaml;

pub use build::{BuildOptions, BuildReport, build};
pub use error::{BuildError, EditorError};

//! Site-wide settings from `site.yaml`: where the site is published.

use std::path::Path;

use form_spec::transport::Signing;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::error::{BuildError, EditorError};
use crate::values::{FormEndpoint, SiteUrl};
use crate::yaml::load_yaml_file;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Public address of the site root, e.g. `https://einbuergerung.example/`;
    /// absolute links (sitemap) start with it, and its path prefixes every link.
    pub base_url: SiteUrl,
    /// Folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Where form-fn accepts applications for every municipality that does
    /// not name its own endpoint; without one, the application page explains
    /// how to apply at the office instead of showing the form.
    #[serde(default)]
    pub form_endpoint: Option<FormEndpoint>,
    /// How form-fn signs the packages it delivers (its key's source and the
    /// public keys offices accept); required wherever a form is online.
    #[serde(default)]
    pub signing: Option<Spanned<Signing>>,
    /// The municipality (its slug) that operates the site: the index and the
    /// 404 page link to its accessibility statement, privacy and legal notice.
    #[serde(default)]
    pub operator: Option<Spanned<String>>,
}

fn default_theme() -> String {
    "default".to_owned()
}

impl SiteConfig {
    pub fn load(root: &Path) -> Result<Self, BuildError> {
        let config: Self = load_yaml_file(&root.join("site.yaml"), Path::new("site.yaml"))?;
        if !crate::values::is_slug(&config.theme)
            || !root.join("themes").join(&config.theme).is_dir()
        {
            return Err(EditorError::whole_file(
                Path::new("site.yaml"),
                format!(
                    "theme `{}`: expected the name of a folder in themes/",
                    config.theme
                ),
            )
            .into());
        }
        Ok(config)
    }

    /// `scheme://host[:port]` of the site: the origin form-fn allows for JSON clients.
    pub fn origin(&self) -> String {
        crate::values::origin_of(self.base_url.as_str())
    }

    /// The base URL without a trailing slash, for absolute links.
    pub fn origin_and_prefix(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }

    /// The path prefix every site-relative link starts with, ending in `/`.
    pub fn base_path(&self) -> String {
        let prefix = self.origin_and_prefix();
        let after_scheme = prefix.split_once("://").map_or(prefix, |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(index) => format!("{}/", &after_scheme[index..]),
            None => "/".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> SiteConfig {
        SiteConfig {
            base_url: SiteUrl::try_from(url.to_owned()).unwrap(),
            theme: default_theme(),
            form_endpoint: None,
            signing: None,
            operator: None,
        }
    }

    #[test]
    fn base_path_comes_from_the_url() {
        assert_eq!(config("https://a.example").base_path(), "/");
        assert_eq!(config("https://a.example/").base_path(), "/");
        assert_eq!(config("https://a.example/nrw/").base_path(), "/nrw/");
        assert_eq!(
            config("https://a.example/nrw").origin_and_prefix(),
            "https://a.example/nrw"
        );
    }
}

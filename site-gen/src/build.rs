//! One build: load → validate → render → write, with every editor mistake
//! found before the first file is written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::content::{load_content, sorted_entries};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::forms::Forms;
use crate::municipality::{Municipality, load_municipalities};
use crate::output::{Staging, content_hash};
use crate::quick_check::QuickCheck;
use crate::render::{AssetUrls, Renderer};
use crate::site::SiteConfig;
use crate::sitemap::{render_robots, render_sitemap};
use crate::values::{FormEndpoint, SiteUrl};
use form_spec::registry::{MunicipalityEntry, Registry};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Folder with `site.yaml`, `content/`, `municipalities/` and `themes/`.
    pub root: PathBuf,
    /// Where the site is written (replaced as a whole).
    pub out: PathBuf,
    /// Overrides `base_url` of `site.yaml`, e.g. for a staging deployment.
    pub base_url: Option<SiteUrl>,
    /// Overrides `form_endpoint` of `site.yaml` (e.g. a local form-fn for the demo).
    pub form_endpoint: Option<FormEndpoint>,
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    pub municipalities: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

/// Builds the whole site, or changes nothing and says why not.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let root = &options.root;
    let mut site = SiteConfig::load(root)?;
    if let Some(base_url) = &options.base_url {
        site.base_url = base_url.clone();
    }
    if let Some(endpoint) = &options.form_endpoint {
        site.form_endpoint = Some(endpoint.clone());
    }
    let content = load_content(root)?;
    let languages: Vec<_> = content.languages.keys().copied().collect();
    let quick_check = QuickCheck::load(root, &languages)?;
    let forms = Forms::load(root, &languages)?;
    let municipalities = load_municipalities(root, &content)?;
    let theme_assets = root.join("themes").join(&site.theme).join("assets");
    let assets = asset_urls(&theme_assets, &site.base_path())?;
    let renderer = Renderer::new(
        root,
        &site,
        &content,
        &quick_check,
        &forms,
        &municipalities,
        assets,
    )?;
    // Shared blocks are the same for everyone: one municipality proves them;
    // municipal overrides are proved where they are used.
    let to_check = municipalities
        .first()
        .into_iter()
        .chain(municipalities.iter().filter(|m| !m.overrides.is_empty()));
    for m in to_check {
        renderer.check_blocks(m)?;
    }
    check_online_delivery(&renderer, &municipalities)?;

    let staging = Staging::new(&options.out)?;
    match write_site(
        root,
        &site,
        &renderer,
        &forms,
        &municipalities,
        &theme_assets,
        &staging,
    ) {
        Ok(pages) => {
            staging.publish()?;
            Ok(BuildReport {
                municipalities: municipalities.len(),
                pages,
                elapsed: started.elapsed(),
            })
        }
        Err(error) => {
            staging.discard();
            Err(error)
        }
    }
}

/// A municipality that accepts applications online must name who can open
/// them and how they reach the office; otherwise they would pile up unseen.
fn check_online_delivery(
    renderer: &Renderer,
    municipalities: &[Municipality],
) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    for m in municipalities
        .iter()
        .filter(|m| renderer.form_endpoint(m).is_some())
    {
        if m.recipients.is_empty() {
            errors.push(EditorError::whole_file(
                &m.source,
                "applications are accepted online here, so `recipients` needs the office's \
                 age public key, e.g. recipients: [\"age1…\"] (`office keygen` prints it)",
            ));
        }
        if m.transport.is_none() {
            errors.push(EditorError::whole_file(
                &m.source,
                "applications are accepted online here, but no `transport` says how they \
                 reach the office: expected transport: with one of xta2, mailbox or webhook \
                 (README, \"Delivery to the office\")",
            ));
        }
    }
    errors.into_result()
}

/// Writes every page and file; returns the number of HTML pages.
fn write_site(
    root: &Path,
    site: &SiteConfig,
    renderer: &Renderer,
    forms: &Forms,
    municipalities: &[Municipality],
    theme_assets: &Path,
    staging: &Staging,
) -> Result<usize, BuildError> {
    let (origin, base) = (site.origin(), site.base_path());
    let municipal_pages: usize = municipalities
        .par_iter()
        .map(|m| -> Result<usize, BuildError> {
            let mut pages = 0;
            for lang in m.languages() {
                let dir = format!("{}/{}/", m.slug, lang.code());
                let html = renderer.render_service_page(m, *lang)?;
                staging.write(&format!("{dir}index.html"), html.as_bytes())?;
                let mut more = renderer.render_quick_check_pages(m, *lang)?;
                let (apply, shell) = renderer.render_apply_pages(m, *lang)?;
                more.extend(apply);
                if let Some(shell) = shell {
                    // The form page without its form, for form-fn to show a
                    // refused submission in the same page; links absolute,
                    // since form-fn serves it from its own origin.
                    let absolute = absolute_links(&shell, &origin, &base);
                    staging.write(
                        &format!("_shells/{}/{}.html", m.slug, lang.code()),
                        absolute.as_bytes(),
                    )?;
                }
                for (path, html) in &more {
                    staging.write(&format!("{dir}{path}index.html"), html.as_bytes())?;
                }
                pages += 1 + more.len();
            }
            if let Some(svg) = m.coat_of_arms_path(root) {
                let bytes = std::fs::read(&svg).map_err(|e| BuildError::io("read", &svg, e))?;
                staging.write(&format!("{}/coat-of-arms.svg", m.slug), &bytes)?;
            }
            Ok(pages)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    staging.write(
        "index.html",
        renderer.render_index(municipalities)?.as_bytes(),
    )?;
    staging.write("404.html", renderer.render_not_found()?.as_bytes())?;
    let registry = build_registry(site, renderer, municipalities, forms)?;
    staging.write("_registry.json", &registry)?;
    let sitemap = render_sitemap(site, municipalities, &["", "quick-check/"]);
    staging.write("sitemap.xml", sitemap.as_bytes())?;
    staging.write("robots.txt", render_robots(site).as_bytes())?;
    for path in sorted_entries(theme_assets).map_err(|e| BuildError::Theme {
        name: theme_assets.display().to_string(),
        detail: e.message,
    })? {
        if let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|_| path.is_file())
        {
            let bytes = std::fs::read(&path).map_err(|e| BuildError::io("read", &path, e))?;
            staging.write(&format!("assets/{name}"), &bytes)?;
        }
    }
    Ok(municipal_pages + 2)
}

/// Rewrites site-relative `href`/`src`/`action` values (`="<base>…`) to
/// absolute ones under `origin`.
fn absolute_links(html: &str, origin: &str, base: &str) -> String {
    let mut out = html.to_owned();
    for attribute in ["href", "src", "action"] {
        out = out.replace(
            &format!("{attribute}=\"{base}"),
            &format!("{attribute}=\"{origin}{base}"),
        );
    }
    out
}

/// `_registry.json`: what form-fn needs, from the same files as the pages.
fn build_registry(
    site: &SiteConfig,
    renderer: &Renderer,
    municipalities: &[Municipality],
    forms: &Forms,
) -> Result<Vec<u8>, BuildError> {
    let entries = municipalities
        .iter()
        .map(|m| {
            let online = renderer.form_endpoint(m).is_some();
            let entry = MunicipalityEntry {
                name: m.name.to_string(),
                ags: m.ags.value.to_string(),
                languages: m.languages().iter().map(|l| l.code().to_owned()).collect(),
                recipients: m.recipients.iter().map(ToString::to_string).collect(),
                transport: m.transport.as_ref().map(|t| t.value.clone()),
                forms: if online {
                    forms.definitions.keys().cloned().collect()
                } else {
                    Vec::new()
                },
            };
            (m.slug.clone(), entry)
        })
        .collect();
    let registry = Registry {
        site_origin: site.origin(),
        base_path: site.base_path(),
        municipalities: entries,
        forms: forms.definitions.clone(),
        form_intros: renderer.form_intros_by_form(),
        countries: forms.countries.clone(),
        nationality_extra: forms.nationality_extra.clone(),
    };
    serde_json::to_vec_pretty(&registry)
        .map_err(|e| BuildError::OutputDir(format!("cannot write _registry.json: {e}")))
}

fn asset_urls(theme_assets: &Path, base: &str) -> Result<AssetUrls, BuildError> {
    let url = |name: &str| -> Result<String, BuildError> {
        let path = theme_assets.join(name);
        let bytes =
            std::fs::read(&path).map_err(|e| BuildError::io("read theme asset", &path, e))?;
        Ok(format!("{base}assets/{name}?v={}", content_hash(&bytes)))
    };
    Ok(AssetUrls {
        css: url("style.css")?,
        js: url("site.js")?,
    })
}

//! One build: load → validate → render → write, with every editor mistake
//! found before the first file is written.
//!
//! Two folders come out: the published site (`--out`) and form-fn's own
//! (`--function-out`: the registry and the form shells, which name transport
//! endpoints, mailboxes and where secrets are read from, so they are never
//! published). Both are replaced together, and only when everything worked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use rayon::prelude::*;

use crate::committed_keys::committed_identity;
use crate::content::{PUBLIC_PAGES, SiteContent, load_content, sorted_entries};
use crate::directory::{Directory, PLACES_DIR};
use crate::error::{BuildError, EditorError, EditorErrors};
use crate::forms::Forms;
use crate::inputs::fingerprint;
use crate::languages::Lang;
use crate::municipality::{Municipality, load_municipalities};
use crate::output::{
    FolderKind, MemorySink, Published, Sink, Staging, fingerprinted_name, holds_build_of,
    publish_all,
};
use crate::quick_check::QuickCheck;
use crate::render::{AssetUrls, Renderer, SEARCH_SCRIPT};
use crate::site::SiteConfig;
use crate::sitemap::{render_robots, render_sitemap};
use crate::values::{FormEndpoint, SiteUrl};
use form_spec::checked::is_loopback_http;
use form_spec::registry::{MunicipalityEntry, Registry};

/// Where form-fn finds the registry inside `--function-out`.
pub const REGISTRY_FILE: &str = "registry.json";
/// Where form-fn finds the form shells inside `--function-out`.
pub const SHELLS_DIR: &str = "shells";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Folder with `site.yaml`, `content/`, `municipalities/` and `themes/`.
    pub root: PathBuf,
    /// Where the published site is written (only changed files are replaced).
    pub out: PathBuf,
    /// Where form-fn's registry and form shells are written (the same way
    /// as `out`); never inside `out`.
    pub function_out: PathBuf,
    /// Overrides `base_url` of `site.yaml`, e.g. for a staging deployment.
    pub base_url: Option<SiteUrl>,
    /// Overrides `form_endpoint` of `site.yaml` (e.g. a local form-fn for the demo).
    pub form_endpoint: Option<FormEndpoint>,
    /// Shows a progress bar on a terminal (hidden when stderr is not one).
    pub progress: bool,
}

impl BuildOptions {
    /// Builds `root` into `out`, with form-fn's folder `function/` beside it.
    pub fn new(root: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        let out = out.into();
        let function_out = out.with_file_name("function");
        Self {
            root: root.into(),
            out,
            function_out,
            base_url: None,
            form_endpoint: None,
            progress: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    pub municipalities: usize,
    pub pages: usize,
    pub elapsed: Duration,
    /// Where the time went, phase by phase, in order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Texts a language lacks, where German stands in (the build succeeds).
    pub warnings: Vec<EditorError>,
    /// Files written and removed in the output folders: a rebuild writes
    /// only what changed (zero for both when nothing did).
    pub published: Published,
    /// Nothing was rendered: everything the build reads was the same as for
    /// the build already in both output folders (`pages` is then 0).
    pub unchanged: bool,
}

/// Everything a build reads, loaded and checked, before anything is rendered.
pub struct SiteData {
    pub root: PathBuf,
    pub site: SiteConfig,
    pub content: SiteContent,
    pub quick_check: QuickCheck,
    pub forms: Forms,
    pub municipalities: Vec<Municipality>,
    /// Every place findable on the index, with its responsible office.
    pub directory: Directory,
    theme_assets: ThemeAssets,
    /// How long loading took: `Markdown` (content/ read and rendered) and
    /// `load` (everything else).
    pub timings: Vec<(&'static str, Duration)>,
}

impl SiteData {
    /// Every text a language lacks where German stands in: shared blocks and
    /// pages, and the municipality files' notes.
    #[must_use]
    pub fn missing_translations(&self) -> Vec<EditorError> {
        let mut missing = self.content.missing_translations.clone();
        for m in &self.municipalities {
            let file = PathBuf::from("municipalities").join(format!("{}.yaml", m.slug));
            missing.extend(m.missing_translations(&file));
        }
        missing
    }

    /// Loads and checks site.yaml, the content, the quick-check, the forms,
    /// the municipalities and the theme's assets, with the overrides of `options`.
    pub fn load(options: &BuildOptions) -> Result<Self, BuildError> {
        let root = &options.root;
        let site_started = Instant::now();
        let mut site = SiteConfig::load(root)?;
        let site_loading = site_started.elapsed();
        if let Some(base_url) = &options.base_url {
            site.base_url = base_url.clone();
        }
        if let Some(endpoint) = &options.form_endpoint {
            site.form_endpoint = Some(endpoint.clone());
        }
        let started = Instant::now();
        let content = load_content(root)?;
        let markdown = started.elapsed();
        let languages: Vec<_> = content.languages.keys().copied().collect();
        let quick_check = QuickCheck::load(root, &languages)?;
        let forms = Forms::load(root, &languages)?;
        let municipalities = load_municipalities(root, &content)?;
        let directory = Directory::load(root, &municipalities)?;
        check_operator(&site, &municipalities)?;
        let theme_assets =
            ThemeAssets::load(&root.join("themes").join(&site.theme).join("assets"))?;
        Ok(Self {
            root: root.clone(),
            site,
            content,
            quick_check,
            forms,
            municipalities,
            directory,
            theme_assets,
            timings: vec![
                ("load", site_loading + started.elapsed() - markdown),
                ("Markdown", markdown),
            ],
        })
    }

    /// The theme's templates with every block compiled, and every page's
    /// templates proved once: what is left to do cannot fail for an editor.
    pub fn renderer(&self) -> Result<Renderer<'_>, BuildError> {
        let renderer = Renderer::new(
            &self.root,
            &self.site,
            &self.content,
            &self.quick_check,
            &self.forms,
            &self.municipalities,
            self.theme_assets.urls(&self.site.base_path())?,
        )?;
        // Shared blocks are the same for everyone: one municipality proves them;
        // municipal overrides are proved where they are used.
        let to_check = self.municipalities.first().into_iter().chain(
            self.municipalities
                .iter()
                .filter(|m| !m.overrides.is_empty()),
        );
        for m in to_check {
            renderer.check_blocks(m)?;
        }
        check_online_delivery(&self.site, &renderer, &self.municipalities)?;
        Ok(renderer)
    }
}

/// Builds the whole site, or changes nothing and says why not. Everything
/// is always loaded and checked; rendering is skipped when the output
/// folders hold a build of exactly these inputs.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    check_output_folders(options)?;
    // Taken before anything is read: a file saved during the build makes
    // the next build render again rather than be recorded as built.
    let (inputs, fingerprinting) = timed(|| fingerprint(options));
    let data = SiteData::load(options)?;
    let (renderer, validated) = timed(|| data.renderer());
    let renderer = renderer?;
    if holds_build_of(&options.out, FolderKind::Site, inputs.as_deref())
        && holds_build_of(
            &options.function_out,
            FolderKind::Function,
            inputs.as_deref(),
        )
    {
        let nothing = Rendered {
            pages: 0,
            templates: Duration::ZERO,
            writing: Duration::ZERO,
        };
        let mut report = nothing.report(&data, validated, Duration::ZERO, started);
        report.timings.insert(0, ("inputs", fingerprinting));
        report.unchanged = true;
        return Ok(report);
    }
    let site_out = Staging::new(&options.out, FolderKind::Site, inputs.clone())?;
    let function_out = Staging::new(&options.function_out, FolderKind::Function, inputs)?;
    match render_site(
        &data,
        &renderer,
        &site_out,
        &function_out,
        options.progress,
        &Scope::All,
    ) {
        Ok(rendered) => {
            let (published, publishing) = timed(|| publish_all(vec![site_out, function_out]));
            let mut report = rendered.report(&data, validated, publishing, started);
            report.timings.insert(0, ("inputs", fingerprinting));
            report.published = published?;
            Ok(report)
        }
        Err(error) => {
            site_out.discard();
            function_out.discard();
            Err(error)
        }
    }
}

/// A build kept in memory: the site's files and form-fn's, by path.
pub struct MemoryBuild {
    pub site: BTreeMap<String, Vec<u8>>,
    pub function: BTreeMap<String, Vec<u8>>,
    pub report: BuildReport,
}

/// Builds the whole site into memory (for `serve`); writes nothing.
pub fn build_in_memory(options: &BuildOptions) -> Result<MemoryBuild, BuildError> {
    build_in_memory_scoped(options, &Scope::All)
}

/// Which files a change can affect. Everything is always loaded and
/// checked; only the files in scope are rendered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every file (a template, site.yaml, the rules, a form, interface
    /// strings, a Land, a new or removed file).
    All,
    /// The service pages in these languages (a shared block changed).
    ServicePages(BTreeSet<Lang>),
    /// The public body's pages in these languages.
    PublicPages(BTreeSet<Lang>),
    /// Every file of these municipalities, and the site-wide index,
    /// sitemap and form-fn's registry.
    Municipalities(BTreeSet<String>),
}

/// Builds into memory only the files in `scope`, after loading and
/// checking everything.
pub fn build_in_memory_scoped(
    options: &BuildOptions,
    scope: &Scope,
) -> Result<MemoryBuild, BuildError> {
    let started = Instant::now();
    let data = SiteData::load(options)?;
    let (renderer, validated) = timed(|| data.renderer());
    let renderer = renderer?;
    let (site, function) = (MemorySink::default(), MemorySink::default());
    let rendered = render_site(&data, &renderer, &site, &function, options.progress, scope)?;
    Ok(MemoryBuild {
        site: site.into_files(),
        function: function.into_files(),
        report: rendered.report(&data, validated, Duration::ZERO, started),
    })
}

/// What rendering did: pages, and its wall time split into templates and writing.
struct Rendered {
    pages: usize,
    templates: Duration,
    writing: Duration,
}

impl Rendered {
    fn report(
        &self,
        data: &SiteData,
        validated: Duration,
        publishing: Duration,
        started: Instant,
    ) -> BuildReport {
        let mut timings = data.timings.clone();
        timings.push(("validate", validated));
        timings.push(("templates", self.templates));
        timings.push(("write", self.writing + publishing));
        BuildReport {
            municipalities: data.municipalities.len(),
            pages: self.pages,
            elapsed: started.elapsed(),
            timings,
            warnings: data.missing_translations(),
            published: Published::default(),
            unchanged: false,
        }
    }
}

/// Renders every file of the site into `site_out` and form-fn's into `function_out`.
fn render_site(
    data: &SiteData,
    renderer: &Renderer<'_>,
    site_out: &dyn Sink,
    function_out: &dyn Sink,
    progress: bool,
    scope: &Scope,
) -> Result<Rendered, BuildError> {
    let writer = SiteWriter {
        root: &data.root,
        site: &data.site,
        renderer,
        forms: &data.forms,
        municipalities: &data.municipalities,
        directory: &data.directory,
        theme_assets: &data.theme_assets,
        site_out,
        function_out,
        progress: progress_bar(progress, data.municipalities.len()),
        writing: AtomicU64::new(0),
        busy: AtomicU64::new(0),
        scope,
    };
    let rendering = Instant::now();
    let pages = writer.write();
    writer.progress.finish_and_clear();
    let (templates, writing) = writer.split(rendering.elapsed());
    Ok(Rendered {
        pages: pages?,
        templates,
        writing,
    })
}

/// Runs `f` and says how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// form-fn's folder must never end up published: not inside the site's
/// folder, and not the other way round.
fn check_output_folders(options: &BuildOptions) -> Result<(), BuildError> {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let (out, function_out) = (absolute(&options.out), absolute(&options.function_out));
    if out.starts_with(&function_out) || function_out.starts_with(&out) {
        return Err(BuildError::OutputDir(format!(
            "--function-out {} and --out {} overlap: form-fn's folder holds transport \
             settings and must never be published with the site; choose two separate \
             folders, e.g. --out public --function-out function",
            options.function_out.display(),
            options.out.display()
        )));
    }
    Ok(())
}

/// A municipality that accepts applications online must name who can open
/// them and how they reach the office; otherwise they would pile up unseen.
/// Where the form is reachable from other machines, nobody but the office
/// may hold the key: recipients of identities committed here are refused.
fn check_online_delivery(
    site: &SiteConfig,
    renderer: &Renderer,
    municipalities: &[Municipality],
) -> Result<(), BuildError> {
    let mut errors = EditorErrors::default();
    check_signing(site, renderer, municipalities, &mut errors);
    for m in municipalities {
        let Some(endpoint) = renderer.form_endpoint(m) else {
            continue;
        };
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
        if is_loopback_http(endpoint) {
            continue;
        }
        for recipient in &m.recipients {
            if let Some(identity) = committed_identity(recipient.value.as_str()) {
                errors.push(EditorError::at(
                    &m.source,
                    recipient.referenced,
                    0,
                    format!(
                        "`{}` is a test key: its identity is committed in this repository \
                         ({identity}), so anyone could read the applications. The form is \
                         online at {endpoint}; run `office keygen --out <file>` on the \
                         office's computer and put the recipient it prints here instead",
                        recipient.value
                    ),
                ));
            }
        }
    }
    errors.into_result()
}

/// Offices accept only packages form-fn signed: wherever a form is online,
/// site.yaml names the signing key, and off this machine never one whose
/// private half is committed here.
fn check_signing(
    site: &SiteConfig,
    renderer: &Renderer,
    municipalities: &[Municipality],
    errors: &mut EditorErrors,
) {
    let endpoints: Vec<&str> = municipalities
        .iter()
        .filter_map(|m| renderer.form_endpoint(m))
        .collect();
    let Some(first) = endpoints.first() else {
        return;
    };
    let site_yaml = Path::new("site.yaml");
    let Some(signing) = &site.signing else {
        errors.push(EditorError::whole_file(
            site_yaml,
            format!(
                "applications are accepted online (at {first}), so `signing:` needs form-fn's \
                 signing key, which offices check every package against: run `form-fn keygen \
                 --out signing-key.txt`, keep the file secret, and write signing: {{ key: {{ \
                 env: FORM_FN_SIGNING_KEY }}, public_keys: [\"ed25519:…\"] }}"
            ),
        ));
        return;
    };
    let Some(online) = endpoints.iter().find(|e| !is_loopback_http(e)) else {
        return;
    };
    for public_key in &signing.value.public_keys {
        if let Some(file) = committed_identity(public_key.as_str()) {
            errors.push(EditorError::at(
                site_yaml,
                signing.referenced,
                0,
                format!(
                    "`{public_key}` is a test signing key: its private half is committed in this \
                     repository ({file}), so anyone could sign a forged application. The form \
                     is online at {online}; run `form-fn keygen --out <file>` and use the key it \
                     prints instead"
                ),
            ));
        }
    }
}

/// The theme's static files, with the content-fingerprinted names they are
/// published under (`style.css` → `style.<hash>.css`), read once.
struct ThemeAssets {
    /// `(file, published name, content)`, sorted by file.
    files: Vec<(PathBuf, String, Vec<u8>)>,
}

impl ThemeAssets {
    fn load(dir: &Path) -> Result<Self, BuildError> {
        let mut files = Vec::new();
        for path in sorted_entries(dir).map_err(|e| BuildError::Theme {
            name: dir.display().to_string(),
            detail: e.message,
        })? {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if path.is_file() {
                let bytes = std::fs::read(&path).map_err(|e| BuildError::io("read", &path, e))?;
                let published = fingerprinted_name(name, &bytes);
                files.push((path, published, bytes));
            }
        }
        Ok(Self { files })
    }

    /// The URLs of the stylesheet, the script every page links and the form's script.
    fn urls(&self, base: &str) -> Result<AssetUrls, BuildError> {
        let url = |name: &str| -> Result<String, BuildError> {
            self.files
                .iter()
                .find(|(path, _, _)| path.file_name().is_some_and(|n| n == name))
                .map(|(_, published, _)| format!("{base}assets/{published}"))
                .ok_or_else(|| BuildError::Theme {
                    name: "assets".to_owned(),
                    detail: format!("the theme has no assets/{name}"),
                })
        };
        Ok(AssetUrls {
            css: url("style.css")?,
            js: url("site.js")?,
            form_js: url("form.js")?,
        })
    }
}

/// Everything one build writes, as named steps.
struct SiteWriter<'a> {
    root: &'a Path,
    site: &'a SiteConfig,
    renderer: &'a Renderer<'a>,
    forms: &'a Forms,
    municipalities: &'a [Municipality],
    directory: &'a Directory,
    theme_assets: &'a ThemeAssets,
    site_out: &'a dyn Sink,
    function_out: &'a dyn Sink,
    /// One step per municipality; hidden unless asked for and on a terminal.
    progress: ProgressBar,
    /// Nanoseconds spent writing files, summed over threads.
    writing: AtomicU64,
    /// Nanoseconds spent on municipalities (templates and writing), summed
    /// over threads.
    busy: AtomicU64,
    /// What to render.
    scope: &'a Scope,
}

impl SiteWriter<'_> {
    /// Writes every page and file in scope; returns the number of HTML pages.
    fn write(&self) -> Result<usize, BuildError> {
        match self.scope {
            Scope::All => {}
            Scope::ServicePages(langs) => {
                return self.for_each_language(langs, |m, lang| {
                    let html = self.renderer.render_service_page(m, lang)?;
                    self.write_site(
                        &format!("{}/{}/index.html", m.slug, lang.code()),
                        html.as_bytes(),
                    )?;
                    Ok(1)
                });
            }
            Scope::PublicPages(langs) => {
                return self.for_each_language(langs, |m, lang| {
                    let pages = self.renderer.render_public_pages(m, lang)?;
                    for (path, html) in &pages {
                        let at = format!("{}/{}/{path}index.html", m.slug, lang.code());
                        self.write_site(&at, html.as_bytes())?;
                    }
                    Ok(pages.len())
                });
            }
            Scope::Municipalities(slugs) => {
                let mut pages = 0;
                for m in self
                    .municipalities
                    .iter()
                    .filter(|m| slugs.contains(&m.slug))
                {
                    let started = Instant::now();
                    pages += self.render_municipality(m)?;
                    add_nanos(&self.busy, started.elapsed());
                }
                // A municipality's languages decide those of the site-wide pages.
                let index_pages = self.render_index()?;
                self.render_not_found()?;
                self.render_sitemap()?;
                self.write_registry()?;
                return Ok(pages + index_pages + 1);
            }
        }
        let pages = self.render_municipalities()?;
        let index_pages = self.render_index()?;
        self.render_not_found()?;
        self.render_sitemap()?;
        self.render_robots()?;
        self.copy_assets()?;
        self.write_registry()?;
        Ok(pages + index_pages + 1)
    }

    /// `render` for every municipality in each of its languages in `langs`, in parallel.
    fn for_each_language(
        &self,
        langs: &BTreeSet<Lang>,
        render: impl Fn(&Municipality, Lang) -> Result<usize, BuildError> + Sync,
    ) -> Result<usize, BuildError> {
        self.municipalities
            .par_iter()
            .map(|m| {
                let started = Instant::now();
                let pages = m
                    .languages()
                    .iter()
                    .filter(|lang| langs.contains(lang))
                    .map(|lang| render(m, *lang))
                    .sum::<Result<usize, BuildError>>();
                add_nanos(&self.busy, started.elapsed());
                pages
            })
            .try_reduce(|| 0, |a, b| Ok(a + b))
    }

    /// Every page of every municipality in every language, in parallel.
    fn render_municipalities(&self) -> Result<usize, BuildError> {
        self.municipalities
            .par_iter()
            .map(|m| {
                let started = Instant::now();
                let pages = self.render_municipality(m);
                add_nanos(&self.busy, started.elapsed());
                self.progress.inc(1);
                pages
            })
            .try_reduce(|| 0, |a, b| Ok(a + b))
    }

    /// Writes a file of the site, counting the time it takes.
    fn write_site(&self, path: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.timed_write(self.site_out, path, bytes)
    }

    /// Writes a file of form-fn's folder, counting the time it takes.
    fn write_function(&self, path: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.timed_write(self.function_out, path, bytes)
    }

    fn timed_write(&self, to: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let started = Instant::now();
        let written = to.write(path, bytes);
        add_nanos(&self.writing, started.elapsed());
        written
    }

    /// Splits the wall time of rendering into templates and writing, in the
    /// proportion the threads spent on each.
    fn split(&self, wall: Duration) -> (Duration, Duration) {
        let writing = self.writing.load(Ordering::Relaxed) as f64;
        let busy = (self.busy.load(Ordering::Relaxed) as f64).max(writing);
        let share = if busy > 0.0 { writing / busy } else { 0.0 };
        let written = wall.mul_f64(share);
        (wall.saturating_sub(written), written)
    }

    fn render_municipality(&self, m: &Municipality) -> Result<usize, BuildError> {
        let (origin, base) = (self.site.origin(), self.site.base_path());
        let mut pages = 0;
        for lang in m.languages() {
            let dir = format!("{}/{}/", m.slug, lang.code());
            let html = self.renderer.render_service_page(m, *lang)?;
            self.write_site(&format!("{dir}index.html"), html.as_bytes())?;
            let mut more = self.renderer.render_quick_check_pages(m, *lang)?;
            let (apply, shell) = self.renderer.render_apply_pages(m, *lang)?;
            more.extend(apply);
            more.extend(self.renderer.render_public_pages(m, *lang)?);
            if let Some(shell) = shell {
                // The form page without its form, for form-fn to show a
                // refused submission in the same page; links absolute,
                // since form-fn serves it from its own origin.
                let absolute = absolute_links(&shell, &origin, &base);
                self.write_function(
                    &format!("{SHELLS_DIR}/{}/{}.html", m.slug, lang.code()),
                    absolute.as_bytes(),
                )?;
            }
            for (path, html) in &more {
                self.write_site(&format!("{dir}{path}index.html"), html.as_bytes())?;
            }
            pages += 1 + more.len();
        }
        for (source, name) in m.sign_language_files(self.root) {
            let bytes = std::fs::read(&source).map_err(|e| BuildError::io("read", &source, e))?;
            self.write_site(&format!("{}/de/sign-language/{name}", m.slug), &bytes)?;
        }
        if let Some(svg) = m.coat_of_arms_path(self.root) {
            let bytes = std::fs::read(&svg).map_err(|e| BuildError::io("read", &svg, e))?;
            self.write_site(&format!("{}/coat-of-arms.svg", m.slug), &bytes)?;
        }
        Ok(pages)
    }

    /// The index, the pages of places per letter and per Kreis, and the
    /// search box's list; returns the number of HTML pages.
    fn render_index(&self) -> Result<usize, BuildError> {
        let html = self.renderer.render_index(self.directory)?;
        self.write_site("index.html", html.as_bytes())?;
        let pages = self.renderer.render_places_pages(self.directory)?;
        for (path, html) in &pages {
            self.write_site(path, html.as_bytes())?;
        }
        let script = self.renderer.render_search_script(self.directory);
        self.write_site(&format!("{PLACES_DIR}/{SEARCH_SCRIPT}"), script.as_bytes())?;
        Ok(1 + pages.len())
    }

    fn render_not_found(&self) -> Result<(), BuildError> {
        let html = self.renderer.render_not_found()?;
        self.write_site("404.html", html.as_bytes())
    }

    fn render_sitemap(&self) -> Result<(), BuildError> {
        let public: Vec<String> = PUBLIC_PAGES
            .iter()
            .filter(|p| !p.german_only)
            .map(|p| format!("{}/", p.id))
            .collect();
        let mut pages = vec!["", "quick-check/"];
        pages.extend(public.iter().map(String::as_str));
        let xml = render_sitemap(self.site, self.municipalities, &pages);
        self.write_site("sitemap.xml", xml.as_bytes())
    }

    fn render_robots(&self) -> Result<(), BuildError> {
        self.write_site("robots.txt", render_robots(self.site).as_bytes())
    }

    /// The theme's files under their fingerprinted names.
    fn copy_assets(&self) -> Result<(), BuildError> {
        for (_, published, bytes) in &self.theme_assets.files {
            self.write_site(&format!("assets/{published}"), bytes)?;
        }
        Ok(())
    }

    /// `registry.json`: what form-fn needs, from the same files as the pages.
    fn write_registry(&self) -> Result<(), BuildError> {
        let entries = self
            .municipalities
            .iter()
            .map(|m| {
                let online = self.renderer.form_endpoint(m).is_some();
                let entry = MunicipalityEntry {
                    name: m.name.to_string(),
                    ags: m.ags.value.to_string(),
                    languages: m.languages().iter().map(|l| l.code().to_owned()).collect(),
                    recipients: m.recipients.iter().map(|r| r.value.to_string()).collect(),
                    transport: m.transport.as_ref().map(|t| t.value.clone()),
                    notify: m.notify.as_ref().map(|n| n.value.clone()),
                    forms: if online {
                        self.forms.definitions.keys().cloned().collect()
                    } else {
                        Vec::new()
                    },
                };
                (m.slug.clone(), entry)
            })
            .collect();
        let registry = Registry {
            site_origin: self.site.origin(),
            base_path: self.site.base_path(),
            municipalities: entries,
            forms: self.forms.definitions.clone(),
            form_intros: self.renderer.form_intros_by_form(),
            countries: self.forms.countries.clone(),
            nationality_extra: self.forms.nationality_extra.clone(),
            signing: self.site.signing.as_ref().map(|s| s.value.clone()),
        };
        let json = serde_json::to_vec_pretty(&registry)
            .map_err(|e| BuildError::OutputDir(format!("cannot write {REGISTRY_FILE}: {e}")))?;
        self.write_function(REGISTRY_FILE, &json)
    }
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

fn add_nanos(counter: &AtomicU64, took: Duration) {
    let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
    counter.fetch_add(nanos, Ordering::Relaxed);
}

/// A progress bar over `len` municipalities, drawn on stderr only when
/// `wanted` and stderr is a terminal (indicatif hides it otherwise).
fn progress_bar(wanted: bool, len: usize) -> ProgressBar {
    if wanted {
        ProgressBar::new(len as u64)
    } else {
        ProgressBar::hidden()
    }
}

/// `operator:` in site.yaml names one of the municipalities.
fn check_operator(site: &SiteConfig, municipalities: &[Municipality]) -> Result<(), BuildError> {
    let Some(operator) = &site.operator else {
        return Ok(());
    };
    if municipalities.iter().any(|m| m.slug == operator.value) {
        return Ok(());
    }
    let slugs: Vec<&str> = municipalities.iter().map(|m| m.slug.as_str()).collect();
    Err(EditorError::at(
        Path::new("site.yaml"),
        operator.referenced,
        0,
        format!(
            "`operator: {}` is not a municipality of this site: expected one of {}",
            operator.value,
            slugs.join(", ")
        ),
    )
    .into())
}

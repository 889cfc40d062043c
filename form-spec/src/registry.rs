//! `registry.json` (in `site-gen build --function-out`): everything form-fn needs to accept applications, written
//! by site-gen from the same files the pages were built from: per
//! municipality its key, languages, site origin, the office's age recipients,
//! transport and notifications, and the compiled form definitions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{Country, FormDefinition};
use crate::notify::Notify;
use crate::transport::Transport;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// Origin of the static site (`https://host`), the only origin allowed for JSON clients.
    pub site_origin: String,
    /// Path prefix of the site, ending in `/`.
    pub base_path: String,
    pub municipalities: BTreeMap<String, MunicipalityEntry>,
    pub forms: BTreeMap<String, FormDefinition>,
    /// The forms' Markdown intros as HTML: form id → section id ("" for the
    /// form itself) → language → HTML, so form-fn needs no Markdown renderer.
    pub form_intros: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    pub countries: Vec<Country>,
    pub nationality_extra: Vec<Country>,
    /// How form-fn signs the packages it delivers, and the public keys the
    /// offices accept; site-gen requires it wherever a form is online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<crate::transport::Signing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityEntry {
    pub name: String,
    pub ags: String,
    pub languages: Vec<String>,
    /// The office's age public keys; a submission is encrypted to all of them.
    pub recipients: Vec<String>,
    /// How applications reach the office; `None` where none is configured
    /// (site-gen requires one wherever the form is online).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// Whom form-fn tells that an application reached the office; `None`
    /// for nobody (the office then looks with `office list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// Ids of the forms this municipality accepts.
    pub forms: Vec<String>,
}

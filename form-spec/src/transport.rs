//! How applications reach the office: the `transport:` of a municipality
//! file. site-gen reads it from YAML (mistakes reported at their line and
//! column) and hands it to form-fn in `registry.json`, which reads it with
//! the same types, so every rule here is written once. Secrets (the XTA
//! client key, the webhook's signing key) are never written here: a setting
//! names the environment variable or file to read them from.

use serde::{Deserialize, Serialize};

use crate::checked::{S3Location, is_https_url, is_loopback_http};
use crate::checked_string;

/// One of the ways to the office; `{xta2: …}`, `{mailbox: …}` or `{webhook: …}` in YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Transport {
    /// XTA 2 `sendMessage` to the office's XTA server (OSCI infrastructure).
    Xta2(Xta2),
    /// A folder or object-storage prefix the office (or its gateway) collects from.
    Mailbox(Mailbox),
    /// A signed HTTPS POST to the office's own intake.
    Webhook(Webhook),
}

impl Transport {
    /// Every secret or certificate these settings name.
    #[must_use]
    pub fn sources(&self) -> Vec<&Source> {
        match self {
            Self::Xta2(x) => [Some(&x.client_identity), x.server_ca.as_ref()]
                .into_iter()
                .flatten()
                .collect(),
            Self::Mailbox(_) => Vec::new(),
            Self::Webhook(w) => [Some(&w.secret), w.server_ca.as_ref()]
                .into_iter()
                .flatten()
                .collect(),
        }
    }

    /// The name used in the municipality file and in logs.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Xta2(_) => "xta2",
            Self::Mailbox(_) => "mailbox",
            Self::Webhook(_) => "webhook",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub url: ServiceUrl,
    /// The key both sides share for the HMAC signature.
    pub secret: Source,
    /// Trust only this CA (PEM) for the intake's certificate.
    #[serde(default)]
    pub server_ca: Option<Source>,
    #[serde(default)]
    pub timeout_seconds: TimeoutSeconds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Xta2 {
    /// The XTA server's send port (`sendMessage`).
    pub send_url: ServiceUrl,
    /// The XTA server's management port (`getTransportReport`).
    pub management_url: ServiceUrl,
    /// TLS client certificate and its private key, one PEM.
    pub client_identity: Source,
    /// Trust only this CA (PEM) for the XTA server's certificate.
    #[serde(default)]
    pub server_ca: Option<Source>,
    /// DVDV prefix of the sender; the author is `<prefix>:<AGS>`.
    pub author_prefix: IdentifierPrefix,
    /// DVDV prefix of the naturalization office; the reader is `<prefix>:<AGS>`.
    pub reader_prefix: IdentifierPrefix,
    /// The service URI the office is registered with in the DVDV.
    pub service: Uri,
    #[serde(default)]
    pub business_scenario: BusinessScenario,
    /// Mark messages as test messages (`TestMsg="true"`) while connecting.
    #[serde(default)]
    pub test_messages: bool,
    #[serde(default)]
    pub timeout_seconds: TimeoutSeconds,
}

/// How form-fn signs every package it delivers (`signing:` in site.yaml):
/// its private key, read like any secret, and every public key the offices
/// accept (the current one, and during a rotation the next or the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    /// The private key (`form-fn keygen` writes one).
    pub key: Source,
    pub public_keys: Vec<SigningPublicKey>,
}

/// Where a secret or certificate is read from when form-fn needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// An environment variable of form-fn's process.
    Env(EnvName),
    /// A file on form-fn's machine.
    File(FilePath),
    /// A secret in AWS Secrets Manager (name or ARN), read with form-fn's
    /// own role when it starts: nothing secret in its configuration.
    AwsSecret(SecretId),
}

/// XTA's business scenario: a code from a code list, or a plain name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BusinessScenario {
    Defined(ListCode),
    Undefined(Token),
}

impl Default for BusinessScenario {
    fn default() -> Self {
        Self::Undefined(Token("EINBUERGERUNG".to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListCode {
    pub code: Token,
    pub list_uri: Uri,
    pub list_version: Token,
}

/// Seconds to wait for the other side before trying again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct TimeoutSeconds(u16);

impl TimeoutSeconds {
    #[must_use]
    pub fn get(self) -> u64 {
        u64::from(self.0)
    }
}

impl Default for TimeoutSeconds {
    fn default() -> Self {
        Self(30)
    }
}

impl TryFrom<u64> for TimeoutSeconds {
    type Error = String;

    fn try_from(value: u64) -> Result<Self, Self::Error> {
        match u16::try_from(value) {
            Ok(seconds @ 1..=300) => Ok(Self(seconds)),
            _ => Err(format!(
                "`{value}` is not a timeout: expected seconds from 1 to 300, e.g. 30"
            )),
        }
    }
}

impl From<TimeoutSeconds> for u64 {
    fn from(value: TimeoutSeconds) -> Self {
        value.get()
    }
}

checked_string!(
    /// Where a service listens: https, or plain http on this machine for tests.
    ServiceUrl,
    |value| {
        if (is_https_url(value) || is_loopback_http(value)) && !value.contains('#') {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a service address: expected https://… \
                 (http:// only for 127.0.0.1 or localhost), e.g. \
                 \"https://xta.stadt.example/XTA210sendPort.svc\""
            ))
        }
    }
);

checked_string!(
    /// A mailbox: `s3://bucket[/prefix]` or a folder.
    Location,
    |value| {
        let valid = match S3Location::parse(value) {
            Some(parsed) => parsed.is_ok(),
            None => !value.trim().is_empty() && !value.contains("://") && !value.contains('\0'),
        };
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a mailbox location: expected s3://bucket/prefix \
                 (bucket: 3–63 lowercase letters, digits, dots, hyphens) or a folder, \
                 e.g. \"s3://einbuergerung-postfach/bielefeld\""
            ))
        }
    }
);

impl Location {
    /// The bucket and prefix of an `s3://` location; `None` for a folder.
    #[must_use]
    pub fn s3(&self) -> Option<S3Location> {
        S3Location::parse(&self.0).and_then(Result::ok)
    }
}

checked_string!(
    /// The name of an environment variable.
    EnvName,
    |value| {
        let valid = value.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not an environment variable name: expected capital letters, \
                 digits and underscores, e.g. \"BIELEFELD_WEBHOOK_SECRET\" \
                 (write the name here, never the secret itself)"
            ))
        }
    }
);

checked_string!(
    /// A public Ed25519 key: `ed25519:` and the base64 of its 32 bytes.
    SigningPublicKey,
    |value| {
        let b64 = value.strip_prefix("ed25519:").unwrap_or_default();
        let valid = b64.len() == 44
            && b64.ends_with('=')
            && b64[..43]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a signing key: expected the public key line printed by \
                 `form-fn keygen`, \"ed25519:\" and 44 characters"
            ))
        }
    }
);

checked_string!(
    /// The name or ARN of a secret in AWS Secrets Manager.
    SecretId,
    |value| {
        let valid = (1..=2048).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@:-".contains(&b));
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a secret name: expected the name or ARN of a secret in AWS \
                 Secrets Manager, e.g. \"einbuergerung/bielefeld/xta-client\" (write its \
                 name here, never the secret itself)"
            ))
        }
    }
);

checked_string!(
    /// A file path on form-fn's machine.
    FilePath,
    |value| {
        if value.trim().is_empty() || value.contains('\0') {
            Err("expected a file path, e.g. \"/etc/form-fn/xta-client.pem\"".to_owned())
        } else {
            Ok(())
        }
    }
);

checked_string!(
    /// A DVDV identifier prefix, e.g. `psw` in `psw:05711000`.
    IdentifierPrefix,
    |value| {
        if (1..=20).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not an identifier prefix: expected 1–20 lowercase letters \
                 or digits, as registered in the DVDV, e.g. \"psw\""
            ))
        }
    }
);

checked_string!(
    /// An absolute URI (`scheme:rest`), e.g. a DVDV service URI.
    Uri,
    |value| {
        let valid = value.split_once(':').is_some_and(|(scheme, rest)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && !rest.is_empty()
        }) && !value
            .chars()
            .any(|c| c.is_whitespace() || "<>\"'`&".contains(c));
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a URI: expected scheme:…, e.g. \
                 \"urn:de:example:service\" or \"https://…\""
            ))
        }
    }
);

checked_string!(
    /// A code or name without spaces or markup.
    Token,
    |value| {
        if !value.is_empty()
            && value.len() <= 200
            && !value
                .chars()
                .any(|c| c.is_whitespace() || "<>\"'`&".contains(c))
        {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a code: expected letters, digits and punctuation \
                 without spaces, e.g. \"EINBUERGERUNG\""
            ))
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checked::accepts as ok;

    #[test]
    fn locations_are_buckets_or_folders() {
        assert!(ok::<Location>("s3://einbuergerung-postfach/bielefeld"));
        assert!(ok::<Location>("mailboxes/bielefeld"));
        assert!(!ok::<Location>("s3://Bad_Bucket/x"));
        assert!(!ok::<Location>("https://example.org/"));
        let location = Location::try_from("s3://box/a/b/".to_owned()).unwrap();
        assert_eq!(
            location.s3().map(|l| l.to_string()),
            Some("s3://box/a/b/".to_owned())
        );
    }

    #[test]
    fn service_urls_are_https_or_local() {
        assert!(ok::<ServiceUrl>(
            "https://xta.bielefeld.de/XTA210sendPort.svc"
        ));
        assert!(ok::<ServiceUrl>("http://127.0.0.1:9000/xta/send"));
        assert!(!ok::<ServiceUrl>("http://xta.bielefeld.de/"));
    }

    #[test]
    fn secrets_are_named_not_written() {
        assert!(ok::<EnvName>("BIELEFELD_WEBHOOK_SECRET"));
        assert!(ok::<SecretId>("einbuergerung/bielefeld/xta-client"));
        assert!(ok::<SecretId>(
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:einbuergerung/x-AbCdEf"
        ));
        assert!(!ok::<SecretId>("with space"));
        assert!(!ok::<SecretId>(""));
        assert!(!ok::<EnvName>("s3cr3t-value"));
    }

    #[test]
    fn timeouts_and_identifiers() {
        assert!(TimeoutSeconds::try_from(0).is_err());
        assert!(TimeoutSeconds::try_from(301).is_err());
        assert_eq!(TimeoutSeconds::default().get(), 30);
        assert!(ok::<IdentifierPrefix>("psw"));
        assert!(!ok::<IdentifierPrefix>("PSW:1"));
        assert!(ok::<Uri>("urn:de:example:service"));
        assert!(!ok::<Uri>("no scheme"));
    }

    #[test]
    fn the_registry_form_reads_back_and_refuses_bad_values() {
        let json = r#"{"webhook":{"url":"https://intake.example/x","secret":{"env":"KEY"},"timeout_seconds":5}}"#;
        let transport: Transport = serde_json::from_str(json).unwrap();
        assert_eq!(transport.kind(), "webhook");
        assert_eq!(
            serde_json::to_string(&transport).unwrap(),
            r#"{"webhook":{"url":"https://intake.example/x","secret":{"env":"KEY"},"server_ca":null,"timeout_seconds":5}}"#
        );
        let inline_secret = json.replace(r#"{"env":"KEY"}"#, r#"{"env":"hunter2 "}"#);
        assert!(serde_json::from_str::<Transport>(&inline_secret).is_err());
        let plain_http = json.replace("https://intake", "http://intake");
        assert!(serde_json::from_str::<Transport>(&plain_http).is_err());
    }
}

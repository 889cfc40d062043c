//! Whom form-fn tells that an application reached the office: the
//! `notify:` of a municipality file, an e-mail to the office's addresses
//! (SMTP with STARTTLS) and/or a small HTTPS POST to a webhook. Like the
//! transport, site-gen reads it from YAML (mistakes at their line and
//! column) and hands it to form-fn in `registry.json`; secrets (the SMTP
//! account and password, the webhook's signing key) are named, never written.
//!
//! A notification says that something arrived, never what: reference, time
//! of receipt and of delivery, municipality. No value the citizen typed is
//! ever part of one.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::checked_string;
use crate::transport::{ServiceUrl, Source, TimeoutSeconds};

/// `notify:` with `email:`, `webhook:` or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Channels", into = "Channels")]
pub struct Notify {
    pub email: Option<Email>,
    pub webhook: Option<Webhook>,
}

/// The fields of `notify:` as written, before the check that one is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook: Option<Webhook>,
}

impl TryFrom<Channels> for Notify {
    type Error = String;

    fn try_from(channels: Channels) -> Result<Self, Self::Error> {
        if channels.email.is_none() && channels.webhook.is_none() {
            return Err("`notify:` needs `email:`, `webhook:` or both \
                        (README, \"Notifications\"); leave `notify:` out for none"
                .to_owned());
        }
        Ok(Self {
            email: channels.email,
            webhook: channels.webhook,
        })
    }
}

impl From<Notify> for Channels {
    fn from(notify: Notify) -> Self {
        Self {
            email: notify.email,
            webhook: notify.webhook,
        }
    }
}

impl Notify {
    /// Every secret or certificate these settings name.
    #[must_use]
    pub fn sources(&self) -> Vec<&Source> {
        let email = self.email.iter().flat_map(|e| {
            [
                Some(&e.smtp.username),
                Some(&e.smtp.password),
                e.smtp.server_ca.as_ref(),
            ]
        });
        let webhook = self
            .webhook
            .iter()
            .flat_map(|w| [w.secret.as_ref(), w.server_ca.as_ref()]);
        email.chain(webhook).flatten().collect()
    }

    /// Where notifications go, for logs and the start message: addresses
    /// and URL, never a secret.
    #[must_use]
    pub fn describe(&self) -> String {
        let email = self.email.as_ref().map(|e| {
            let to: Vec<&str> = e.to.addresses().iter().map(EmailAddress::as_str).collect();
            format!(
                "e-mail to {} (SMTP {}:{})",
                to.join(", "),
                e.smtp.host,
                e.smtp.port.get()
            )
        });
        let webhook = self.webhook.as_ref().map(|w| format!("webhook {}", w.url));
        [email, webhook]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// An e-mail to the office through its SMTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// The office's addresses (a team mailbox is best).
    pub to: Recipients,
    /// The sender the SMTP account may send as.
    pub from: EmailAddress,
    pub smtp: Smtp,
}

/// The SMTP server: submission with STARTTLS required (never plain text)
/// and login with the account's name and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: HostName,
    #[serde(default)]
    pub port: Port,
    pub username: Source,
    pub password: Source,
    /// Trust only this CA (PEM) for the server's certificate.
    #[serde(default)]
    pub server_ca: Option<Source>,
    #[serde(default)]
    pub timeout_seconds: TimeoutSeconds,
}

/// A POST of `{"reference", "received_at", "municipality", "ags",
/// "delivered_at"}` to the office's own system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub url: ServiceUrl,
    /// Optional: sign each POST as the webhook transport does
    /// (`callback-timestamp`, `callback-authentication`).
    #[serde(default)]
    pub secret: Option<Source>,
    /// Trust only this CA (PEM) for the receiver's certificate.
    #[serde(default)]
    pub server_ca: Option<Source>,
    #[serde(default)]
    pub timeout_seconds: TimeoutSeconds,
}

/// The SMTP port; 587 (submission with STARTTLS) unless written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Port(u16);

impl Port {
    #[must_use]
    pub fn get(self) -> u16 {
        self.0
    }
}

impl Default for Port {
    fn default() -> Self {
        Self(587)
    }
}

impl TryFrom<u64> for Port {
    type Error = String;

    fn try_from(value: u64) -> Result<Self, Self::Error> {
        match u16::try_from(value) {
            Ok(port @ 1..) => Ok(Self(port)),
            _ => Err(format!(
                "`{value}` is not a port: expected 1 to 65535, usually 587 (submission with STARTTLS)"
            )),
        }
    }
}

impl From<Port> for u64 {
    fn from(value: Port) -> Self {
        u64::from(value.0)
    }
}

/// One to twenty addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<EmailAddress>", into = "Vec<EmailAddress>")]
pub struct Recipients(Vec<EmailAddress>);

impl Recipients {
    #[must_use]
    pub fn addresses(&self) -> &[EmailAddress] {
        &self.0
    }
}

impl TryFrom<Vec<EmailAddress>> for Recipients {
    type Error = String;

    fn try_from(addresses: Vec<EmailAddress>) -> Result<Self, Self::Error> {
        if (1..=20).contains(&addresses.len()) {
            Ok(Self(addresses))
        } else {
            Err(format!(
                "`to:` has {} addresses: expected 1 to 20, e.g. to: [\"einbuergerung@stadt.example\"]",
                addresses.len()
            ))
        }
    }
}

impl From<Recipients> for Vec<EmailAddress> {
    fn from(value: Recipients) -> Self {
        value.0
    }
}

checked_string!(
    /// An e-mail address `local@domain`, plain ASCII (no display name).
    EmailAddress,
    |value| {
        let valid = value.len() <= 254
            && value.split_once('@').is_some_and(|(local, domain)| {
                is_local_part(local) && domain.contains('.') && is_host_name(domain)
            });
        if valid {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not an e-mail address: expected name@domain without a display \
                 name, e.g. \"einbuergerung@stadt.example\""
            ))
        }
    }
);

checked_string!(
    /// A server's host name or IPv4 address.
    HostName,
    |value| {
        if is_host_name(value) {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a host name: expected e.g. \"smtp.stadt.example\" \
                 (the name only: no scheme, no port, no path)"
            ))
        }
    }
);

/// The part of an address before `@`: the characters RFC 5322 allows
/// unquoted, no dot at either end or twice in a row.
fn is_local_part(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
}

/// A DNS name of letters, digits and hyphens, or an IPv4 address.
fn is_host_name(host: &str) -> bool {
    if host.parse::<Ipv4Addr>().is_ok() {
        return true;
    }
    let label = |part: &str| {
        (1..=63).contains(&part.len())
            && !part.starts_with('-')
            && !part.ends_with('-')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    (1..=253).contains(&host.len())
        && host.split('.').all(label)
        && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checked::accepts as ok;

    #[test]
    fn addresses_and_hosts() {
        assert!(ok::<EmailAddress>("einbuergerung@bielefeld.example"));
        assert!(ok::<EmailAddress>("team.einbuergerung+online@stadt-x.de"));
        assert!(!ok::<EmailAddress>("Amt <einbuergerung@bielefeld.example>"));
        assert!(!ok::<EmailAddress>("einbuergerung@localhost"));
        assert!(!ok::<EmailAddress>("a@b@c.de"));
        assert!(!ok::<EmailAddress>(".a@c.de"));
        assert!(ok::<HostName>("smtp.bielefeld.example"));
        assert!(ok::<HostName>("127.0.0.1"));
        assert!(!ok::<HostName>("smtp.bielefeld.example:587"));
        assert!(!ok::<HostName>("smtps://smtp.bielefeld.example"));
        assert!(!ok::<HostName>("999.1.1.1"));
        assert!(Port::try_from(0).is_err() && Port::try_from(65_536).is_err());
        assert_eq!(Port::default().get(), 587);
    }

    #[test]
    fn the_registry_form_reads_back_and_needs_a_channel() {
        let json = r#"{"email":{"to":["a@stadt.example"],"from":"form@stadt.example","smtp":{"host":"smtp.stadt.example","username":{"env":"SMTP_USER"},"password":{"aws_secret":"einbuergerung/smtp"}}},"webhook":{"url":"https://intake.stadt.example/neu"}}"#;
        let notify: Notify = serde_json::from_str(json).unwrap();
        assert_eq!(notify.email.as_ref().unwrap().smtp.port.get(), 587);
        assert_eq!(notify.sources().len(), 2);
        assert_eq!(
            notify.describe(),
            "e-mail to a@stadt.example (SMTP smtp.stadt.example:587) and webhook https://intake.stadt.example/neu"
        );
        let back: Notify = serde_json::from_str(&serde_json::to_string(&notify).unwrap()).unwrap();
        assert_eq!(back, notify);
        assert!(serde_json::from_str::<Notify>("{}").is_err());
        assert!(serde_json::from_str::<Notify>(r#"{"sms":{}}"#).is_err());
        let no_one = json.replace(r#"["a@stadt.example"]"#, "[]");
        assert!(serde_json::from_str::<Notify>(&no_one).is_err());
    }
}

//! The e-mail notification: a short German message to the office's
//! addresses through its SMTP server, with STARTTLS required (the
//! connection fails rather than send in plain text) and login with the
//! account named in the settings. It names the reference, the times of
//! receipt and delivery, the municipality and the next step, and never a
//! value from the application. Its Message-ID is the same for every attempt,
//! so a mail system that sees a repeat can tell it is one.

use std::time::Duration;

use form_spec::notify::Email;
use form_spec::registry::MunicipalityEntry;
use form_spec::transport::{Source, Transport};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use zeroize::Zeroizing;

use super::Notice;
use crate::transport::read_source;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl Mailer {
    /// Reads the account, password and CA the settings name; errors say
    /// where was looked, never what was found.
    pub fn new(settings: &Email, entry: &MunicipalityEntry) -> Result<Self, String> {
        let smtp = &settings.smtp;
        let username = text_secret(&smtp.username, "smtp.username")?;
        let password = text_secret(&smtp.password, "smtp.password")?;
        let mut tls = TlsParameters::builder(smtp.host.to_string());
        if let Some(ca) = &smtp.server_ca {
            let pem = read_source(ca, "smtp.server_ca").map_err(|e| e.to_string())?;
            let certificate = Certificate::from_pem(&pem)
                .map_err(|e| format!("smtp.server_ca: not a PEM certificate: {e}"))?;
            tls = tls
                .certificate_store(CertificateStore::None)
                .add_root_certificate(certificate);
        }
        let tls = tls.build().map_err(|e| format!("TLS: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
            .port(smtp.port.get())
            .tls(Tls::Required(tls))
            .credentials(Credentials::new(
                username.as_str().to_owned(),
                password.as_str().to_owned(),
            ))
            .timeout(Some(Duration::from_secs(smtp.timeout_seconds.get())))
            .build();
        let mailbox = |address: &str, name: Option<String>| -> Result<Mailbox, String> {
            address
                .parse()
                .map(|email| Mailbox::new(name, email))
                .map_err(|e| format!("`{address}`: {e}"))
        };
        let sender = format!("Einbürgerung online – {}", entry.name);
        Ok(Self {
            transport,
            from: mailbox(settings.from.as_str(), Some(sender))?,
            to: settings
                .to
                .addresses()
                .iter()
                .map(|address| mailbox(address.as_str(), None))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Sends the message for `notice` once.
    pub async fn send(
        &self,
        notice: &Notice,
        entry: Option<&MunicipalityEntry>,
    ) -> Result<(), String> {
        let (subject, body) = message_text(notice, entry);
        let domain = self.from.email.domain();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .message_id(Some(format!(
                "<notify-{}-{}@{domain}>",
                notice.ags, notice.reference
            )))
            .header(ContentType::TEXT_PLAIN)
            .header(AutoSubmitted);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder
            .body(body)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// A secret that is text (an account name, a password): UTF-8, without the
/// line end a file usually has.
fn text_secret(source: &Source, what: &str) -> Result<Zeroizing<String>, String> {
    let bytes = Zeroizing::new(read_source(source, what).map_err(|e| e.to_string())?);
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{what}: not UTF-8 text"))?;
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err(format!("{what}: empty"));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies and
/// other automatic answers are not sent back to form-fn's address.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// Subject and body, in German for the office. Only what the notice holds
/// and the municipality's settings: nothing from the application.
pub fn message_text(notice: &Notice, entry: Option<&MunicipalityEntry>) -> (String, String) {
    let name = entry.map_or(notice.municipality.as_str(), |e| e.name.as_str());
    let time = |t: &str| format!("{} UTC", t.replacen('T', " ", 1).trim_end_matches('Z'));
    let subject = format!("Neuer Einbürgerungsantrag {} – {name}", notice.reference);
    let body = format!(
        "Guten Tag,\n\n\
         für {name} ist ein neuer Einbürgerungsantrag eingegangen und Ihnen zugestellt worden.\n\n\
         Referenz:     {reference}\n\
         Eingegangen:  {received}\n\
         Zugestellt:   {delivered}\n\
         Kommune:      {name} ({slug}, AGS {ags})\n\n\
         So geht es weiter:\n{next}\n\n\
         Diese Nachricht enthält absichtlich keine Angaben aus dem Antrag.\n\
         Öffnen kann ihn nur Ihre Behörde, mit ihrem eigenen Schlüssel.\n\n\
         Diese Nachricht wurde automatisch versandt. Bitte antworten Sie nicht darauf.\n",
        reference = notice.reference,
        received = time(&notice.received_at),
        delivered = time(&notice.delivered_at),
        slug = notice.municipality,
        ags = notice.ags,
        next = next_step(&notice.reference, entry.and_then(|e| e.transport.as_ref())),
    );
    (subject, body)
}

/// What the office does next, for the way the package came.
fn next_step(reference: &str, transport: Option<&Transport>) -> String {
    let open = format!(
        "  office open --identity IHR-SCHLUESSEL.txt --registry registry.json eingang/{reference}.age"
    );
    match transport {
        Some(Transport::Mailbox(mailbox)) => format!(
            "  office list --from {location}\n  \
             office fetch --from {location} --to eingang\n{open}\n  \
             office ack --from {location} {reference}",
            location = mailbox.location
        ),
        Some(Transport::Xta2(_)) => format!(
            "Der Antrag liegt als {reference}.age (mit {reference}.json) in Ihrem XTA-Postfach \
             bzw. Fachverfahren.\nÖffnen Sie ihn mit:\n{open}"
        ),
        Some(Transport::Webhook(_)) => format!(
            "Ihr Eingangssystem hat den Antrag als {reference}.age (mit {reference}.json) \
             angenommen.\nÖffnen Sie ihn mit:\n{open}"
        ),
        None => format!("Öffnen Sie den Antrag mit:\n{open}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_reference_times_municipality_and_next_step() {
        let notice = Notice {
            reference: "K7MV-XPQ2-HD9R".to_owned(),
            municipality: "bielefeld".to_owned(),
            ags: "05711000".to_owned(),
            received_at: "2026-11-23T01:42:07Z".to_owned(),
            delivered_at: "2026-11-23T01:42:09Z".to_owned(),
            attempts: 1,
            next_attempt_at: 0,
            email_sent: false,
            webhook_sent: false,
            last_error: None,
        };
        let entry: MunicipalityEntry = serde_json::from_value(serde_json::json!({
            "name": "Bielefeld", "ags": "05711000", "languages": ["de"], "recipients": [],
            "transport": {"mailbox": {"location": "s3://postfach/bielefeld"}}, "forms": []
        }))
        .unwrap();
        let (subject, body) = message_text(&notice, Some(&entry));
        assert_eq!(
            subject,
            "Neuer Einbürgerungsantrag K7MV-XPQ2-HD9R – Bielefeld"
        );
        assert!(body.contains("Referenz:     K7MV-XPQ2-HD9R\n"), "{body}");
        assert!(
            body.contains("Eingegangen:  2026-11-23 01:42:07 UTC\n"),
            "{body}"
        );
        assert!(body.contains("Kommune:      Bielefeld (bielefeld, AGS 05711000)"));
        assert!(body.contains("office fetch --from s3://postfach/bielefeld --to eingang"));
        assert!(body.contains("office ack --from s3://postfach/bielefeld K7MV-XPQ2-HD9R"));
    }
}

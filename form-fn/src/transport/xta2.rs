//! The XTA 2 adapter: `sendMessage` to the office's XTA server over HTTPS
//! with the municipality's TLS client certificate (the XML comes from
//! [`super::xta2_message`]). The message id is the same for every attempt;
//! before trying again, the adapter asks the server (`getTransportReport`)
//! whether an earlier attempt got through, so the office never gets the
//! application twice.

use form_spec::date::UtcTime;
use form_spec::registry::MunicipalityEntry;
use form_spec::transport::Xta2;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::http::{client, request_failed};
use super::xta2_message::{
    Answer, REPORT_ACTION, REPORT_OPEN, SEND_ACTION, SendMessage, message_id, read_answer,
    request_id, send_message, transport_report_request,
};
use super::{DeliveryError, Package, Receipt, Transport};

/// The largest answer read from an XTA server; real ones are a few KB.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// The fault a server gives for a message id it does not know.
const UNKNOWN_MESSAGE_ID: &str = "InvalidMessageIDException";

pub struct Xta2Transport {
    settings: Xta2,
    municipality_name: String,
    client: reqwest::Client,
}

impl Xta2Transport {
    pub fn new(settings: &Xta2, municipality: &MunicipalityEntry) -> Result<Self, DeliveryError> {
        Ok(Self {
            settings: settings.clone(),
            municipality_name: municipality.name.clone(),
            client: client(
                settings.server_ca.as_ref(),
                Some(&settings.client_identity),
                settings.timeout_seconds,
            )?,
        })
    }

    /// Posts one SOAP request and reads the answer. A fault comes back as
    /// `Answer::Fault` for the caller to judge; anything else that is not a
    /// success is an error.
    async fn call(&self, url: &str, action: &str, xml: String) -> Result<Answer, DeliveryError> {
        let mut response = self
            .client
            .post(url)
            .header(
                "Content-Type",
                format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            )
            .body(xml)
            .send()
            .await
            .map_err(|e| request_failed(&e))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| request_failed(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(DeliveryError::BadAnswer(format!(
                    "more than {MAX_ANSWER_BYTES} bytes (HTTP {})",
                    status.as_u16()
                )));
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() && body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Answer::Done);
        }
        match (status.is_success(), read_answer(&body)) {
            (_, Ok(Answer::Fault(fault))) => Ok(Answer::Fault(fault)),
            (true, Ok(answer)) => Ok(answer),
            (true, Err(problem)) => Err(DeliveryError::BadAnswer(problem)),
            (false, _) => Err(DeliveryError::Refused(format!("HTTP {}", status.as_u16()))),
        }
    }

    /// Does the server know `id` already (an earlier attempt got through)?
    /// What the XTA server says of message `id`: unknown (not yet sent,
    /// or lost), still in transport, delivered (green or yellow), or failed
    /// (red). A failed message is not delivered: it stays pending and the
    /// office is alerted; the server's operator must clear it before a
    /// message with the same id can go again.
    async fn report(&self, ags: &str, id: &str) -> Result<Report, DeliveryError> {
        let xml = transport_report_request(
            &self.settings,
            ags,
            &self.municipality_name,
            id,
            &request_id(),
        );
        match self
            .call(self.settings.management_url.as_str(), REPORT_ACTION, xml)
            .await?
        {
            Answer::Report { message_id, status } if message_id == id => Ok(match status {
                REPORT_OPEN => Report::InTransport,
                1 | 2 => Report::Delivered,
                _ => Report::Failed(status),
            }),
            Answer::Report { message_id, .. } => Err(DeliveryError::BadAnswer(format!(
                "getTransportReport for {id} reported {message_id}"
            ))),
            Answer::Fault(fault) if fault.exception == UNKNOWN_MESSAGE_ID => Ok(Report::Unknown),
            Answer::Fault(fault) => Err(DeliveryError::Refused(format!(
                "getTransportReport: {fault}"
            ))),
            Answer::Done => Err(DeliveryError::BadAnswer(
                "getTransportReport answered without a report".to_owned(),
            )),
        }
    }
}

/// A transport report, read.
enum Report {
    Unknown,
    InTransport,
    Delivered,
    Failed(i64),
}

impl Transport for Xta2Transport {
    fn kind(&self) -> &'static str {
        "xta2"
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package<'a>,
    ) -> BoxFuture<'a, Result<Receipt, DeliveryError>> {
        async move {
            let meta = package.meta;
            let ags = &meta.municipality.ags;
            let id = message_id(ags, &meta.reference);
            if package.earlier_attempts > 0 {
                match self.report(ags, &id).await? {
                    Report::Unknown => {}
                    Report::Delivered => {
                        return Ok(Receipt(format!("{id} was at the XTA server already")));
                    }
                    Report::InTransport => {
                        return Err(DeliveryError::Pending(format!(
                            "{id} is still in transport (transport report open)"
                        )));
                    }
                    Report::Failed(status) => {
                        return Err(DeliveryError::FailedAtReceiver(format!(
                            "the XTA server's transport report for {id} is red (status \
                             {status}): the message did not reach the office; ask the XTA \
                             server's operator"
                        )));
                    }
                }
            }
            let xml = send_message(&SendMessage {
                settings: &self.settings,
                municipality_name: &self.municipality_name,
                meta,
                sealed: package.sealed,
                message_id: &id,
                request_id: &request_id(),
                sent_at: &UtcTime::now().rfc3339(),
            });
            match self
                .call(self.settings.send_url.as_str(), SEND_ACTION, xml)
                .await?
            {
                Answer::Fault(fault) => Err(DeliveryError::Refused(fault.to_string())),
                Answer::Done | Answer::Report { .. } => {
                    Ok(Receipt(format!("{id} accepted by the XTA server")))
                }
            }
        }
        .boxed()
    }
}

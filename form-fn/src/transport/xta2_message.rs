//! XTA 2 messages as XML, built after the published schemas (XTA 2.1.1 web
//! service, OSCI message metadata 2.02; copies in `tests/xta2/schemas/`):
//! the SOAP 1.2 requests for `sendMessage` and `getTransportReport`, and
//! reading the server's answers and faults. All XML of the XTA adapter is
//! written and read here, so the tests below pin it and validate it with
//! xmllint against the schemas.
//!
//! `sendMessage` carries `oscimeta:MessageMetaData` in the header and the
//! sealed package in `xta:GenericContentContainer`: the age file as the
//! message, its metadata (JSON) as an attachment. Nothing in the metadata or
//! the container is readable application data.

use base64::Engine;
use form_spec::html::escape;
use form_spec::transport::{BusinessScenario, Xta2};
use sealed_store::package::PackageMeta;

pub const SEND_ACTION: &str = "http://www.xta.de/XTA/SendMessage";
pub const REPORT_ACTION: &str = "http://www.xta.de/XTA/GetTransportReport";
/// `MessageStatus/Status` of a transport report still being written.
pub const REPORT_OPEN: i64 = 0;
/// `MessageStatus/Status` after critical errors (red): not delivered.
pub const REPORT_RED: i64 = 3;

const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSA: &str = "http://www.w3.org/2005/08/addressing";
const OSCIMETA: &str = "http://www.osci.eu/ws/2014/10/transport";
const XTA: &str = "http://xoev.de/transport/xta/211";

/// The kit's message type: the package is an age file, whatever form is inside.
const MESSAGE_TYPE_LIST: &str = "urn:de:einbuergerung-kit:codeliste:nachrichtentyp";
const MESSAGE_TYPE_CODE: &str = "einbuergerung.antrag.age";
const MESSAGE_TYPE_NAME: &str = "Antrag auf Einbürgerung (age-verschlüsselt)";
const PAYLOAD_SCHEMA: &str = "https://age-encryption.org/v1";

/// The XTA message id of a package: the same for every attempt, built as
/// the standard describes (`urn:de:xta:messageid:<prefix>:<identifier>`),
/// with the reference the citizen was given inside, so the office can match
/// them.
pub fn message_id(ags: &str, reference: &str) -> String {
    format!("urn:de:xta:messageid:einbuergerung-kit:{ags}-{reference}")
}

/// A fresh WS-Addressing id for one SOAP request (`urn:uuid:…`, version 4).
pub fn request_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Only correlates request and answer; the clock is unique enough then.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Everything one `sendMessage` request is made of.
pub struct SendMessage<'a> {
    pub settings: &'a Xta2,
    pub municipality_name: &'a str,
    pub meta: &'a PackageMeta,
    pub sealed: &'a [u8],
    pub message_id: &'a str,
    pub request_id: &'a str,
    /// RFC 3339, UTC.
    pub sent_at: &'a str,
}

fn envelope_start(action: &str, request_id: &str, to: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <env:Envelope xmlns:env=\"{SOAP}\" xmlns:wsa=\"{WSA}\" xmlns:oscimeta=\"{OSCIMETA}\" xmlns:xta=\"{XTA}\">\n\
         <env:Header>\n\
         <wsa:Action>{}</wsa:Action>\n\
         <wsa:MessageID>{}</wsa:MessageID>\n\
         <wsa:To>{}</wsa:To>\n",
        escape(action),
        escape(request_id),
        escape(to)
    )
}

fn party(element: &str, identifier: &str, name: &str, category: Option<&str>) -> String {
    let category = category
        .map(|c| format!(" category=\"{}\"", escape(c)))
        .unwrap_or_default();
    format!(
        "<oscimeta:{element}><oscimeta:Identifier type=\"xoev\" name=\"{}\"{category}>{}</oscimeta:Identifier></oscimeta:{element}>",
        escape(name),
        escape(identifier)
    )
}

fn author(settings: &Xta2, ags: &str, municipality_name: &str) -> String {
    party(
        "Author",
        &format!("{}:{ags}", settings.author_prefix),
        municipality_name,
        None,
    )
}

/// The `sendMessage` request.
pub fn send_message(m: &SendMessage) -> String {
    let s = m.settings;
    let meta = m.meta;
    let ags = &meta.municipality.ags;
    let reference = escape(&meta.reference);
    let scenario = match &s.business_scenario {
        BusinessScenario::Defined(code) => format!(
            "<oscimeta:Defined listURI=\"{}\" listVersionID=\"{}\"><code>{}</code></oscimeta:Defined>",
            escape(code.list_uri.as_str()),
            escape(code.list_version.as_str()),
            escape(code.code.as_str())
        ),
        BusinessScenario::Undefined(name) => {
            format!(
                "<oscimeta:Undefined>{}</oscimeta:Undefined>",
                escape(name.as_str())
            )
        }
    };
    let test = if s.test_messages {
        " TestMsg=\"true\""
    } else {
        ""
    };
    let base64 = base64::engine::general_purpose::STANDARD;
    let metadata_json = meta.to_json();
    let mut xml = envelope_start(SEND_ACTION, m.request_id, s.send_url.as_str());
    xml.push_str(&format!(
        "<oscimeta:MessageMetaData{test}>\n\
         <oscimeta:DeliveryAttributes><oscimeta:Origin>{origin}</oscimeta:Origin><oscimeta:InitialSend>{sent}</oscimeta:InitialSend></oscimeta:DeliveryAttributes>\n\
         <oscimeta:Originators>{author}</oscimeta:Originators>\n\
         <oscimeta:Destinations>{reader}</oscimeta:Destinations>\n\
         <oscimeta:MsgIdentification><wsa:MessageID>{id}</wsa:MessageID></oscimeta:MsgIdentification>\n\
         <oscimeta:Qualifier><oscimeta:Subject>Einbürgerungsantrag {reference}</oscimeta:Subject><oscimeta:Service>{service}</oscimeta:Service><oscimeta:BusinessScenario>{scenario}</oscimeta:BusinessScenario><oscimeta:MessageType listURI=\"{MESSAGE_TYPE_LIST}\" listVersionID=\"1\" payloadSchema=\"{PAYLOAD_SCHEMA}\"><code>{MESSAGE_TYPE_CODE}</code><name>{MESSAGE_TYPE_NAME}</name></oscimeta:MessageType></oscimeta:Qualifier>\n\
         <oscimeta:MsgSize>{size}</oscimeta:MsgSize>\n\
         </oscimeta:MessageMetaData>\n\
         </env:Header>\n\
         <env:Body>\n\
         <xta:GenericContentContainer><xta:ContentContainer>\n\
         <xta:Message contentType=\"application/octet-stream\" contentDescription=\"Antrag auf Einbürgerung, verschlüsselt mit age ({PAYLOAD_SCHEMA})\" filename=\"{reference}.age\" size=\"{size}\">{package}</xta:Message>\n\
         <xta:Attachment contentType=\"application/json\" contentDescription=\"Metadaten: Referenz, Kommune, Formular, Zeit, Größe, SHA-256\" encoding=\"UTF-8\" filename=\"{reference}.json\" size=\"{metadata_size}\">{metadata}</xta:Attachment>\n\
         </xta:ContentContainer></xta:GenericContentContainer>\n\
         </env:Body>\n\
         </env:Envelope>\n",
        origin = escape(&meta.received_at),
        sent = escape(m.sent_at),
        author = author(s, ags, m.municipality_name),
        reader = party(
            "Reader",
            &format!("{}:{ags}", s.reader_prefix),
            m.municipality_name,
            Some("Einbürgerungsbehörde"),
        ),
        id = escape(m.message_id),
        service = escape(s.service.as_str()),
        size = m.sealed.len(),
        package = base64.encode(m.sealed),
        metadata_size = metadata_json.len(),
        metadata = base64.encode(&metadata_json),
    ));
    xml
}

/// The `getTransportReport` request: does the server know `message_id`?
pub fn transport_report_request(
    settings: &Xta2,
    ags: &str,
    municipality_name: &str,
    message_id: &str,
    request_id: &str,
) -> String {
    let mut xml = envelope_start(REPORT_ACTION, request_id, settings.management_url.as_str());
    xml.push_str(&author(settings, ags, municipality_name));
    xml.push_str(&format!(
        "\n</env:Header>\n<env:Body>\n<wsa:MessageID>{}</wsa:MessageID>\n</env:Body>\n</env:Envelope>\n",
        escape(message_id)
    ));
    xml
}

/// What an XTA server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// An empty (or unrecognised) body: the operation succeeded.
    Done,
    /// A transport report for the message id it names, with its traffic
    /// light (`MessageStatus/Status`: 0 open, 1 green, 2 yellow, 3 red).
    Report {
        message_id: String,
        status: i64,
    },
    Fault(Fault),
}

/// A SOAP fault with the XTA exception inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// e.g. `XTAWSTechnicalProblemException`; empty if the fault names none.
    pub exception: String,
    /// The XTA error number, e.g. `9030`.
    pub code: String,
    pub reason: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SOAP fault")?;
        for part in [&self.exception, &self.code, &self.reason] {
            if !part.is_empty() {
                write!(f, " {part}")?;
            }
        }
        Ok(())
    }
}

/// Reads a SOAP 1.2 answer. Anything that is not one is an error, described
/// without echoing what the server sent.
pub fn read_answer(xml: &[u8]) -> Result<Answer, String> {
    let text = std::str::from_utf8(xml).map_err(|_| "the answer is not UTF-8".to_owned())?;
    let document =
        roxmltree::Document::parse(text).map_err(|e| format!("the answer is not XML ({e})"))?;
    let envelope = document.root_element();
    if !envelope.has_tag_name((SOAP, "Envelope")) {
        return Err("the answer is not a SOAP 1.2 envelope".to_owned());
    }
    let body = envelope
        .children()
        .find(|n| n.has_tag_name((SOAP, "Body")))
        .ok_or_else(|| "the SOAP answer has no body".to_owned())?;
    if let Some(fault) = body.children().find(|n| n.has_tag_name((SOAP, "Fault"))) {
        let text_of = |node: Option<roxmltree::Node>| {
            node.and_then(|n| n.text())
                .map(|t| t.trim().to_owned())
                .unwrap_or_default()
        };
        let exception = fault
            .descendants()
            .find(|n| n.has_tag_name((SOAP, "Detail")))
            .and_then(|detail| detail.children().find(roxmltree::Node::is_element));
        let code = exception.and_then(|e| e.descendants().find(|n| n.has_tag_name("code")));
        let reason = fault.descendants().find(|n| n.has_tag_name((SOAP, "Text")));
        return Ok(Answer::Fault(Fault {
            exception: exception
                .map(|e| e.tag_name().name().to_owned())
                .unwrap_or_default(),
            code: text_of(code),
            reason: text_of(reason),
        }));
    }
    if let Some(report) = body
        .children()
        .find(|n| n.has_tag_name((XTA, "TransportReport")))
    {
        let message_id = report
            .descendants()
            .find(|n| n.has_tag_name((OSCIMETA, "MsgIdentification")))
            .and_then(|n| n.children().find(|c| c.has_tag_name((WSA, "MessageID"))))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_owned())
            .unwrap_or_default();
        // A report without a readable status is not taken for a success.
        let status = report
            .children()
            .find(|n| n.has_tag_name((XTA, "MessageStatus")))
            .and_then(|n| n.children().find(|c| c.has_tag_name((XTA, "Status"))))
            .and_then(|n| n.text())
            .and_then(|t| t.trim().parse::<i64>().ok())
            .unwrap_or(REPORT_RED);
        return Ok(Answer::Report { message_id, status });
    }
    Ok(Answer::Done)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use form_spec::transport::Transport;
    use sealed_store::package::Municipality;

    use super::*;

    const SEALED: &[u8] = b"age-encryption.org/v1\n(test)";

    fn settings() -> Xta2 {
        let yaml_like = r#"{"xta2":{
            "send_url":"https://xta.bielefeld.example/XTA210sendPort.svc",
            "management_url":"https://xta.bielefeld.example/XTA210managementPort.svc",
            "client_identity":{"file":"/etc/form-fn/xta.pem"},
            "author_prefix":"ekit","reader_prefix":"sta",
            "service":"urn:de:example:einbuergerung:antrag"}}"#;
        match serde_json::from_str::<Transport>(yaml_like).unwrap() {
            Transport::Xta2(settings) => settings,
            _ => unreachable!(),
        }
    }

    fn meta() -> PackageMeta {
        let bielefeld = Municipality::new("bielefeld", "05711000");
        PackageMeta::of(
            SEALED,
            "K7MV-XPQ2-HD9R",
            bielefeld,
            "einbuergerung",
            "2026-11-23T01:42:07Z",
        )
    }

    fn example(settings: &Xta2) -> String {
        let meta = meta();
        send_message(&SendMessage {
            settings,
            municipality_name: "Bielefeld",
            meta: &meta,
            sealed: SEALED,
            message_id: &message_id("05711000", "K7MV-XPQ2-HD9R"),
            request_id: "urn:uuid:2f1c3a44-6d0e-4b7a-9c1e-0a8b7c6d5e4f",
            sent_at: "2026-11-23T01:42:09Z",
        })
    }

    fn xta2_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/xta2")
    }

    /// Runs xmllint with the XTA 2 schemas; `Err` carries its complaint.
    fn validate(xml: &str) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("request.xml");
        std::fs::write(&file, xml).unwrap();
        let output = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(xta2_dir().join("soap-envelope.xsd"))
            .arg(&file)
            .output()
            .expect("xmllint is installed (Debian libxml2-utils, scripts/install-deps.sh)");
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    #[test]
    fn send_message_is_pinned() {
        let expected = std::fs::read_to_string(xta2_dir().join("examples/send-message.xml"))
            .expect("the pinned example");
        assert_eq!(example(&settings()), expected);
    }

    #[test]
    fn send_message_validates_against_the_xta2_schemas() {
        let mut settings = settings();
        validate(&example(&settings)).unwrap();
        settings.test_messages = true;
        settings.business_scenario = serde_json::from_str(
            r#"{"defined":{"code":"XSTA_DATA","list_uri":"urn:de:xta:codeliste:business.scenario","list_version":"2"}}"#,
        )
        .unwrap();
        validate(&example(&settings)).unwrap();
    }

    #[test]
    fn the_schema_check_would_notice_a_broken_message() {
        let broken = example(&settings()).replace("<oscimeta:Service>", "<oscimeta:Servic>");
        let broken = broken.replace("</oscimeta:Service>", "</oscimeta:Servic>");
        let complaint = validate(&broken).unwrap_err();
        assert!(complaint.contains("Servic"), "{complaint}");
    }

    #[test]
    fn transport_report_request_validates_and_names_the_message() {
        let xml = transport_report_request(
            &settings(),
            "05711000",
            "Bielefeld",
            &message_id("05711000", "K7MV-XPQ2-HD9R"),
            &request_id(),
        );
        validate(&xml).unwrap();
        assert!(xml.contains(
            "<env:Body>\n<wsa:MessageID>urn:de:xta:messageid:einbuergerung-kit:05711000-K7MV-XPQ2-HD9R</wsa:MessageID>"
        ));
        assert!(xml.contains("<wsa:Action>http://www.xta.de/XTA/GetTransportReport</wsa:Action>"));
    }

    #[test]
    fn values_are_escaped() {
        let mut settings = settings();
        settings.business_scenario = serde_json::from_str(r#"{"undefined":"A;B"}"#).unwrap();
        let meta = meta();
        let xml = send_message(&SendMessage {
            settings: &settings,
            municipality_name: "Stadt <\"A&B\">",
            meta: &meta,
            sealed: SEALED,
            message_id: "urn:x:1",
            request_id: "urn:uuid:1",
            sent_at: "2026-11-23T01:42:09Z",
        });
        assert!(
            xml.contains("name=\"Stadt &lt;&quot;A&amp;B&quot;&gt;\""),
            "{xml}"
        );
        validate(&xml).unwrap();
    }

    #[test]
    fn request_ids_are_fresh_uuids() {
        let (a, b) = (request_id(), request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[23..24], "4", "{a}");
    }

    #[test]
    fn answers_faults_and_reports_are_read() {
        let done =
            format!("<env:Envelope xmlns:env=\"{SOAP}\"><env:Header/><env:Body/></env:Envelope>");
        assert_eq!(read_answer(done.as_bytes()), Ok(Answer::Done));
        let fault = format!(
            "<env:Envelope xmlns:env=\"{SOAP}\" xmlns:xta=\"{XTA}\"><env:Body><env:Fault>\
             <env:Code><env:Value>env:Sender</env:Value></env:Code>\
             <env:Reason><env:Text xml:lang=\"de\">MessageID unbekannt</env:Text></env:Reason>\
             <env:Detail><xta:InvalidMessageIDException><xta:errorCode><code>9070</code>\
             <name>x</name></xta:errorCode></xta:InvalidMessageIDException></env:Detail>\
             </env:Fault></env:Body></env:Envelope>"
        );
        let Ok(Answer::Fault(fault)) = read_answer(fault.as_bytes()) else {
            panic!("a fault");
        };
        assert_eq!(
            (fault.exception.as_str(), fault.code.as_str()),
            ("InvalidMessageIDException", "9070")
        );
        assert_eq!(
            fault.to_string(),
            "SOAP fault InvalidMessageIDException 9070 MessageID unbekannt"
        );
        let report = format!(
            "<e:Envelope xmlns:e=\"{SOAP}\"><e:Body><x:TransportReport xmlns:x=\"{XTA}\">\
             <m:MessageMetaData xmlns:m=\"{OSCIMETA}\"><m:MsgIdentification>\
             <a:MessageID xmlns:a=\"{WSA}\"> urn:x:1 </a:MessageID></m:MsgIdentification>\
             </m:MessageMetaData></x:TransportReport></e:Body></e:Envelope>"
        );
        assert_eq!(
            read_answer(report.as_bytes()),
            Ok(Answer::Report {
                message_id: "urn:x:1".to_owned(),
                status: REPORT_RED,
            }),
            "a report without a status is no success"
        );
        let green = report.replace(
            "</m:MessageMetaData>",
            "</m:MessageMetaData><x:MessageStatus><x:Status>1</x:Status></x:MessageStatus>",
        );
        assert_eq!(
            read_answer(green.as_bytes()),
            Ok(Answer::Report {
                message_id: "urn:x:1".to_owned(),
                status: 1,
            })
        );
        assert!(read_answer(b"<html>502 Bad Gateway</html>").is_err());
        assert!(read_answer(b"\xff\xfe").is_err());
        assert!(
            read_answer(b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>")
                .is_err()
        );
    }
}

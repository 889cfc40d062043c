//! `office list`: what is in the office's mailbox, so a clerk sees at a
//! glance what arrived, what was fetched and what is acknowledged, without
//! fetching or opening anything. Only the metadata beside each package is
//! read (reference, time of receipt, municipality, size): nothing of the
//! application itself, which only the office's key opens. A damaged entry
//! is shown as such, with the reason, and the others are listed as usual.

use std::process::ExitCode;

use sealed_store::mailbox::{Entry, Mailbox};
use serde::Serialize;

use crate::OfficeError;

/// How `office list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// One JSON array, for tools.
    Json,
}

/// Prints the mailbox at `from`; exit code 1 if an entry is damaged.
pub async fn run(from: &str, format: Format) -> Result<ExitCode, OfficeError> {
    let rows = list(from).await?;
    match format {
        Format::Text => print!("{}", table(&rows, from)),
        Format::Json => println!("{}", json(&rows)),
    }
    Ok(if rows.iter().any(|row| row.damaged.is_some()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One package, as a row of the table or an object of the JSON array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub reference: String,
    /// When form-fn received it (RFC 3339, UTC), from the metadata.
    pub received: Option<String>,
    /// The municipality's slug.
    pub municipality: Option<String>,
    pub ags: Option<String>,
    /// Bytes of the sealed package, from the metadata.
    pub size: Option<u64>,
    pub fetched: bool,
    pub acknowledged: bool,
    /// Why the entry cannot be read; `None` for a sound one.
    pub damaged: Option<String>,
}

impl From<Entry> for Row {
    fn from(entry: Entry) -> Self {
        let (received, municipality, ags, size, damaged) = match entry.meta {
            Ok(meta) => (
                Some(meta.received_at),
                Some(meta.municipality.slug),
                Some(meta.municipality.ags),
                Some(meta.size),
                None,
            ),
            Err(problem) => (None, None, None, None, Some(problem)),
        };
        Self {
            reference: entry.reference,
            received,
            municipality,
            ags,
            size,
            fetched: entry.fetched,
            acknowledged: entry.acknowledged,
            damaged,
        }
    }
}

/// Every package in the mailbox at `from`: newest first, damaged entries
/// (whose time is unknown) last.
pub async fn list(from: &str) -> Result<Vec<Row>, OfficeError> {
    let mailbox = Mailbox::open(from).map_err(OfficeError::Refused)?;
    let entries = mailbox
        .entries()
        .await
        .map_err(|e| OfficeError::Mailbox(e.to_string()))?;
    let mut rows: Vec<Row> = entries.into_iter().map(Row::from).collect();
    // form-fn writes every time as `YYYY-MM-DDTHH:MM:SSZ`: text order is time order.
    rows.sort_by(|a, b| {
        (b.received.is_some(), &b.received)
            .cmp(&(a.received.is_some(), &a.received))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    Ok(rows)
}

/// The rows as one JSON array, for tools.
#[must_use]
pub fn json(rows: &[Row]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".to_owned())
}

const HEADINGS: [&str; 7] = [
    "REFERENCE",
    "RECEIVED (UTC)",
    "MUNICIPALITY",
    "AGS",
    "SIZE (BYTES)",
    "FETCHED",
    "ACKNOWLEDGED",
];

/// The rows as a table for a clerk, with a closing line that counts them
/// and says what to do next.
#[must_use]
pub fn table(rows: &[Row], from: &str) -> String {
    if rows.is_empty() {
        return format!("The mailbox {from} is empty: no application has arrived.\n");
    }
    let yes_no = |flag: bool| if flag { "yes" } else { "no" }.to_owned();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.reference.clone()];
            match &row.damaged {
                Some(problem) => cells.push(format!("DAMAGED: {problem}")),
                None => cells.extend([
                    row.received
                        .as_deref()
                        .map(|t| t.replacen('T', " ", 1).trim_end_matches('Z').to_owned())
                        .unwrap_or_default(),
                    row.municipality.clone().unwrap_or_default(),
                    row.ags.clone().unwrap_or_default(),
                    row.size.map(|s| s.to_string()).unwrap_or_default(),
                    yes_no(row.fetched),
                    yes_no(row.acknowledged),
                ]),
            }
            cells
        })
        .collect();
    let mut widths: Vec<usize> = HEADINGS.iter().map(|h| h.chars().count()).collect();
    // A damaged row's reason runs on and does not widen the columns.
    for row in cells.iter().filter(|cells| cells.len() == HEADINGS.len()) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = line(&HEADINGS.map(str::to_owned), &widths);
    for row in &cells {
        out.push_str(&line(row, &widths));
    }
    out.push_str(&totals(rows, from));
    out
}

/// One table line, columns padded to `widths`, without trailing spaces.
fn line(cells: &[String], widths: &[usize]) -> String {
    let mut text = String::new();
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            text.push_str("  ");
        }
        text.push_str(cell);
        let pad = widths
            .get(index)
            .map_or(0, |w| w.saturating_sub(cell.chars().count()));
        text.extend(std::iter::repeat_n(' ', pad));
    }
    format!("{}\n", text.trim_end())
}

/// "3 packages: 1 not fetched yet, …" and the next step.
fn totals(rows: &[Row], from: &str) -> String {
    let sound = || rows.iter().filter(|r| r.damaged.is_none());
    let new = sound().filter(|r| !r.fetched && !r.acknowledged).count();
    let fetched = sound().filter(|r| r.fetched && !r.acknowledged).count();
    let acknowledged = sound().filter(|r| r.acknowledged).count();
    let damaged = rows.len() - sound().count();
    let plural = if rows.len() == 1 { "" } else { "s" };
    let mut text = format!(
        "\n{} package{plural} in {from}: {new} not fetched yet, {fetched} fetched but not \
         acknowledged, {acknowledged} acknowledged",
        rows.len()
    );
    if damaged > 0 {
        text.push_str(&format!(
            ", {damaged} damaged (tell your IT: the entry cannot be read)"
        ));
    }
    text.push_str(".\n");
    if new > 0 {
        text.push_str(&format!("Next: office fetch --from {from} --to DIR\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reference: &str, received: &str, fetched: bool, acknowledged: bool) -> Row {
        Row {
            reference: reference.to_owned(),
            received: Some(received.to_owned()),
            municipality: Some("bielefeld".to_owned()),
            ags: Some("05711000".to_owned()),
            size: Some(1234),
            fetched,
            acknowledged,
            damaged: None,
        }
    }

    #[test]
    fn the_table_lines_up_and_counts_what_is_left_to_do() {
        let mut damaged = row("ZZZZ-ZZZZ-ZZZZ", "", false, false);
        damaged.received = None;
        damaged.damaged = Some("the metadata file is not readable".to_owned());
        let rows = [
            row("K7MV-XPQ2-HD9R", "2026-11-24T09:15:00Z", false, false),
            row("AAAA-BBBB-CCCC", "2026-11-23T01:42:07Z", true, true),
            damaged,
        ];
        let text = table(&rows, "mailboxes/bielefeld");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "REFERENCE       RECEIVED (UTC)       MUNICIPALITY  AGS       SIZE (BYTES)  FETCHED  ACKNOWLEDGED"
        );
        assert_eq!(
            lines[1],
            "K7MV-XPQ2-HD9R  2026-11-24 09:15:00  bielefeld     05711000  1234          no       no"
        );
        assert_eq!(
            lines[3],
            "ZZZZ-ZZZZ-ZZZZ  DAMAGED: the metadata file is not readable"
        );
        assert!(
            text.contains(
                "3 packages in mailboxes/bielefeld: 1 not fetched yet, 0 fetched but not \
                 acknowledged, 1 acknowledged, 1 damaged"
            ),
            "{text}"
        );
        assert!(text.ends_with("Next: office fetch --from mailboxes/bielefeld --to DIR\n"));
        assert!(table(&[], "x").contains("is empty"));
    }
}

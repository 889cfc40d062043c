//! `make-corpus`: writes a synthetic site tree with N municipalities for
//! `make bench`: real-looking names, keys, postcodes and offices, with the
//! repository's own content and theme, so a build does the real work.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use site_gen::directory::Directory;

#[derive(Parser)]
#[command(about = "Write a synthetic corpus of municipalities for benchmarks")]
struct Args {
    /// Number of synthetic municipalities.
    #[arg(
        long,
        required_unless_present_any = ["nrw", "germany"],
        conflicts_with_all = ["nrw", "germany"]
    )]
    count: Option<usize>,
    /// Instead: one file per naturalization office of North Rhine-Westphalia
    /// (real names and keys from data/, synthetic contact data), and the
    /// data itself, so the index lists all 396 municipalities.
    #[arg(long, conflicts_with = "germany")]
    nrw: bool,
    /// The same offices, and every other Land given a SYNTHETIC rule (its
    /// Kreise serve everyone but the kreisfreie Städte), so that the index
    /// lists every municipality of Germany by its real name and key.
    #[arg(long)]
    germany: bool,
    /// Folder to write (replaced).
    #[arg(long)]
    out: PathBuf,
    /// Repository root whose content/, themes/ and site.yaml are copied.
    #[arg(long, default_value = ".")]
    from: PathBuf,
    /// The languages every municipality offers (German first).
    #[arg(long, value_delimiter = ',', default_value = "de,en")]
    languages: Vec<String>,
}

const PREFIXES: &[&str] = &[
    "", "Alt", "Neu", "Ober", "Nieder", "Groß", "Klein", "Bad ", "Hohen", "Wester", "Oster",
    "Sankt ",
];
const STEMS: &[&str] = &[
    "Linden", "Eichen", "Buchen", "Rosen", "Wald", "Mühl", "Stein", "Kirch", "Holz", "Brunn",
    "Wies", "Sand", "Eschen", "Haslach", "Mark",
];
const SUFFIXES: &[&str] = &[
    "berg", "feld", "bach", "dorf", "hausen", "heim", "stadt", "burg", "au", "furt", "brück",
    "kirchen", "hagen", "rode", "beck",
];
const KINDS: &[&str] = &[
    "kreisfreie_stadt",
    "kreis",
    "grosse_kreisangehoerige_stadt",
    "gemeinde",
    "mittlere_kreisangehoerige_stadt",
];
const STREETS: &[&str] = &[
    "Rathausplatz",
    "Marktstraße",
    "Hauptstraße",
    "Bahnhofstraße",
    "Kirchplatz",
    "Schlossallee",
];

/// A municipality file's identity: what differs between a synthetic corpus
/// and one of real offices.
struct Entry {
    name: String,
    ags: String,
    kind: &'static str,
    /// (name, key) of the towns a Kreis serves.
    serves: Vec<(String, String)>,
}

/// The `i`-th synthetic municipality; keys are unique because (state,
/// district) is a bijection of `i`.
fn synthetic_entry(i: usize) -> Entry {
    let name = format!(
        "{}{}{}",
        PREFIXES[i % PREFIXES.len()],
        STEMS[(i / PREFIXES.len()) % STEMS.len()],
        SUFFIXES[(i / (PREFIXES.len() * STEMS.len())) % SUFFIXES.len()]
    );
    let state = i % 16 + 1;
    let district = i / 16;
    let kind = KINDS[i % KINDS.len()];
    let ags = if matches!(kind, "kreisfreie_stadt" | "kreis") {
        format!("{state:02}{district:03}000")
    } else {
        format!("{state:02}{district:03}{:03}", i % 999 + 1)
    };
    let serves = if kind == "kreis" {
        (1..=6)
            .map(|k| {
                let town = format!("{}{}", STEMS[(i + k) % STEMS.len()], SUFFIXES[k]);
                (town, format!("{state:02}{district:03}{:03}", k * 4))
            })
            .collect()
    } else {
        Vec::new()
    };
    Entry {
        name,
        ags,
        kind,
        serves,
    }
}

/// Every naturalization office of North Rhine-Westphalia as the
/// repository's data and rule make them responsible.
fn nrw_entries(from: &Path) -> Result<Vec<Entry>, String> {
    let directory = Directory::load(from, &[]).map_err(|e| e.to_string())?;
    let place_keys: std::collections::HashSet<&str> =
        directory.places.iter().map(|p| p.key.as_str()).collect();
    let mut offices: std::collections::BTreeMap<&str, Entry> = std::collections::BTreeMap::new();
    for place in &directory.places {
        let key = place.office.key.as_str();
        let office = offices.entry(key).or_insert_with(|| {
            let is_town = place_keys.contains(key);
            let kind = match (is_town, key.ends_with("000")) {
                (true, true) => "kreisfreie_stadt",
                (true, false) => "grosse_kreisangehoerige_stadt",
                (false, _) => "kreis",
            };
            let name = place
                .office
                .name
                .strip_prefix("Stadt ")
                .unwrap_or(&place.office.name);
            Entry {
                name: name.to_owned(),
                ags: key.to_owned(),
                kind,
                serves: Vec::new(),
            }
        });
        if office.kind == "kreis" {
            office.serves.push((place.name.clone(), place.key.clone()));
        }
    }
    Ok(offices.into_values().collect())
}

/// The slug and YAML of the `i`-th municipality file of the corpus,
/// offering `languages`. Each has a recipient and a mailbox, so the build
/// writes the application form wherever the site has a form endpoint.
fn municipality_yaml(i: usize, entry: &Entry, languages: &str) -> (String, String) {
    let Entry {
        name,
        ags,
        kind,
        serves,
    } = entry;
    let slug = format!("gemeinde-{i:05}");
    let base = 10_000 + (i * 7) % 89_000;
    let postcodes: Vec<String> = (0..1 + i % 4)
        .map(|k| format!("  - \"{:05}\"", base + k))
        .collect();
    let serves = if serves.is_empty() {
        String::new()
    } else {
        let towns: Vec<String> = serves
            .iter()
            .map(|(town, key)| format!("  - {{ name: \"{town}\", ags: \"{key}\" }}"))
            .collect();
        format!("serves:\n{}\n", towns.join("\n"))
    };
    let notes = if i.is_multiple_of(10) {
        "local_notes:\n  de: Bitte vereinbaren Sie **vorher** einen Termin.\n  en: Please book an appointment **beforehand**.\n"
    } else {
        ""
    };
    let street = STREETS[i % STREETS.len()];
    let number = 1 + i % 40;
    let area = 200 + i % 700;
    let line = 1000 + i % 9000;
    let toilet = i.is_multiple_of(2);
    let postcodes = postcodes.join("\n");
    let yaml = format!(
        r#"# For benchmarks only: the contact data are made up.
name: "{name}"
ags: "{ags}"
kind: {kind}
languages: [{languages}]
postcodes:
{postcodes}
{serves}office:
  name: "{name} – Einbürgerung"
  address:
    street: "{street} {number}"
    postcode: "{base:05}"
    city: "{name}"
  phone: "+49 {area} {line}-0"
  email: "einbuergerung@{slug}.example"
  web: "https://www.{slug}.example/"
  opening_hours:
    - days: [mon, tue, wed, thu, fri]
      opens: "08:00"
      closes: "12:00"
    - days: [thu]
      opens: "14:00"
      closes: "18:00"
  appointment_required: true
  accessibility:
    step_free: true
    accessible_toilet: {toilet}
    hearing_loop: false
  contact_verified: false
# The repository's test key (tests/keys/bielefeld.txt), never a real office's.
recipients:
  - "age1a9atepkgmfayeu9v3000nj0z89jl4pxmcmvkpg7hdhjrchr94ezqn7xplc"
transport:
  mailbox:
    location: "mailboxes/{slug}"
{notes}"#
    );
    (slug, yaml)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The corpus spreads over all 16 Länder; the repository has a file for
/// North Rhine-Westphalia only, so the others get a synthetic copy of it.
fn write_synthetic_lands(dir: &Path) -> std::io::Result<()> {
    let model = std::fs::read_to_string(dir.join("nw.yaml"))?;
    for land in 1..=16 {
        let key = format!("{land:02}");
        if key == "05" {
            continue;
        }
        let text = format!(
            "# SYNTHETIC, for benchmarks only: North Rhine-Westphalia's data under Land {key}.\n{}",
            model.replace("key: \"05\"", &format!("key: \"{key}\""))
        );
        std::fs::write(dir.join(format!("synthetic-{key}.yaml")), text)?;
    }
    Ok(())
}

/// A rule for every Land of `gemeinden.csv` that has none in `rules`:
/// not any Land's law, only the index at the scale of Germany for `make bench`.
fn write_synthetic_rules(data: &Path) -> std::io::Result<()> {
    let rules = data.join("responsibility");
    let csv = std::fs::read_to_string(data.join("gemeinden.csv"))?;
    let lands: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|line| line.rsplit(',').next().map(str::trim))
        .filter(|land| !land.is_empty())
        .collect();
    for land in lands {
        let file = rules.join(format!("{}.yaml", land.to_lowercase()));
        if file.exists() {
            continue;
        }
        let text = format!(
            "# SYNTHETIC, for make bench only: not the law of Land {land}. Its\n\
             # municipalities are on the index so that it is measured at the scale\n\
             # of Germany.\n\
             land: {land}\n\
             rule:\n  own_office: [kreisfreie_stadt]\n  otherwise: kreis\n  \
             source: \"SYNTHETIC: no norm, benchmarks only\"\n"
        );
        std::fs::write(file, text)?;
    }
    Ok(())
}

fn write_corpus(args: &Args) -> Result<usize, String> {
    write_tree(args).map_err(|e| e.to_string())?;
    let entries = if args.nrw || args.germany {
        let data = args.out.join("data");
        copy_dir(&args.from.join("data"), &data).map_err(|e| e.to_string())?;
        if args.germany {
            write_synthetic_rules(&data).map_err(|e| e.to_string())?;
        }
        nrw_entries(&args.from)?
    } else {
        (0..args.count.unwrap_or(0)).map(synthetic_entry).collect()
    };
    let languages = args.languages.join(", ");
    let municipalities = args.out.join("municipalities");
    for (i, entry) in entries.iter().enumerate() {
        let (slug, yaml) = municipality_yaml(i, entry, &languages);
        std::fs::write(municipalities.join(format!("{slug}.yaml")), yaml)
            .map_err(|e| e.to_string())?;
    }
    Ok(entries.len())
}

/// The corpus's folders, content, theme and site.yaml.
fn write_tree(args: &Args) -> std::io::Result<()> {
    if args.out.exists() {
        std::fs::remove_dir_all(&args.out)?;
    }
    let municipalities = args.out.join("municipalities");
    std::fs::create_dir_all(&municipalities)?;
    copy_dir(&args.from.join("content"), &args.out.join("content"))?;
    copy_dir(&args.from.join("themes"), &args.out.join("themes"))?;
    let site = std::fs::read_to_string(args.from.join("site.yaml"))?;
    let site = site.replace("operator: bielefeld", "operator: gemeinde-00000");
    std::fs::write(args.out.join("site.yaml"), site)?;
    write_synthetic_lands(&args.out.join("content/lands"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match write_corpus(&args) {
        Ok(count) => {
            println!("wrote {count} municipalities to {}", args.out.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_arguments_are_consistent() {
        super::Args::command().debug_assert();
    }
}

//! `site-gen new municipality`: writes a commented municipality file to fill in.

use std::path::PathBuf;
use std::process::ExitCode;

use site_gen::scaffold::{NewMunicipality, new_municipality};

#[derive(clap::Subcommand)]
pub enum What {
    /// A naturalization office: `municipalities/<slug>.yaml`.
    Municipality(MunicipalityArgs),
}

#[derive(clap::Args)]
pub struct MunicipalityArgs {
    /// The file name and web address, e.g. `koeln` for Köln.
    #[arg(long)]
    slug: String,
    /// The name citizens know, e.g. `Köln` or `Kreis Paderborn`.
    #[arg(long)]
    name: String,
    /// The official key (AGS, 8 digits; a Kreis: its Kreisschlüssel + 000).
    #[arg(long)]
    ags: String,
    /// kreisfreie_stadt, grosse_kreisangehoerige_stadt, mittlere_kreisangehoerige_stadt,
    /// kreis, gemeinde or stadtstaat (default: from the key).
    #[arg(long)]
    kind: Option<String>,
    /// Folder with site.yaml, content/, municipalities/ and themes/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

pub fn run(what: What) -> ExitCode {
    let What::Municipality(args) = what;
    let new = NewMunicipality {
        slug: &args.slug,
        name: &args.name,
        ags: &args.ags,
        kind: args.kind.as_deref(),
    };
    match new_municipality(&args.root, &new) {
        Ok(path) => {
            println!("wrote {}", path.display());
            println!(
                "next: fill in what is marked TODO, then `site-gen check` lists what is left;"
            );
            println!("the office creates its key with `office keygen --out office-identity.txt`.");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

//! Fuzz target: the files editors write (municipality files, the
//! quick-check, the form definition, content blocks with front matter),
//! mutated byte by byte from the seeds in `tests/fuzz/`. Each is accepted
//! or refused with the file named, a message, and a line where there is
//! one; nothing panics. serde-saphyr's budgets bound what aliases can grow.

use std::path::Path;

use proptest::prelude::*;
use site_gen::content::BlockFront;
use site_gen::error::{BuildError, EditorError};
use site_gen::languages::Lang;
use site_gen::markdown::parse_document;
use site_gen::municipality::Municipality;
use site_gen::quick_check::QuickCheck;
use site_gen::yaml::parse_yaml;
use test_support::fuzz::{config, corpus, mutated};

fn clear(error: &EditorError, file: &Path) -> Result<(), TestCaseError> {
    prop_assert_eq!(&error.file, file);
    prop_assert!(!error.message.trim().is_empty(), "an empty message");
    Ok(())
}

/// The sample site's languages, as the seeds are written.
const SEVEN: [&str; 7] = ["de", "en", "ar", "tr", "ru", "uk", "fa"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_municipality_files_are_read_or_refused_clearly(
        bytes in mutated(corpus("yaml-municipality"))
    ) {
        let file = Path::new("municipalities/fuzz.yaml");
        if let Err(error) = parse_yaml::<Municipality>(&text(&bytes), file, 0) {
            clear(&error, file)?;
        }
    }

    #[test]
    fn fuzz_the_quick_check_is_read_or_refused_clearly(
        bytes in mutated(corpus("yaml-quick-check"))
    ) {
        let file = Path::new("content/quick-check.yaml");
        let languages: Vec<Lang> = SEVEN.iter().filter_map(|c| Lang::parse(c)).collect();
        match QuickCheck::parse(&text(&bytes), file, &languages) {
            Ok(_) => {}
            Err(BuildError::Editor(errors)) => {
                prop_assert!(!errors.is_empty());
                for error in &errors {
                    clear(error, file)?;
                }
            }
            Err(other) => prop_assert!(false, "not an editor's error: {other}"),
        }
    }

    #[test]
    fn fuzz_form_definitions_are_read_or_refused_clearly(
        bytes in mutated(corpus("yaml-form"))
    ) {
        let file = Path::new("content/forms/einbuergerung.yaml");
        match parse_yaml::<form_spec::definition::FormDefinition>(&text(&bytes), file, 0) {
            Ok(form) => {
                let languages: Vec<String> = SEVEN.iter().map(|c| (*c).to_owned()).collect();
                for error in form.check(&languages) {
                    prop_assert!(!error.message.is_empty());
                }
            }
            Err(error) => clear(&error, file)?,
        }
    }

    #[test]
    fn fuzz_front_matter_is_read_or_refused_clearly(bytes in mutated(corpus("front-matter"))) {
        let file = Path::new("content/de/fuzz.md");
        if let Err(error) = parse_document::<BlockFront>(&text(&bytes), file) {
            clear(&error, file)?;
        }
    }
}

//! References citizens read aloud and type: 12 characters from an alphabet
//! without 0/O and 1/I (and L), in groups of four, e.g. `K7MV-XPQ2-HD9R`.

use form_spec::document::REFERENCE_ALPHABET as ALPHABET;

/// A new random reference (about 59 bits: collisions are negligible, and
/// storage refuses to overwrite should one ever happen).
pub fn new_reference() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)?;
    let mut reference = String::with_capacity(14);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 && index % 4 == 0 {
            reference.push('-');
        }
        // 256 is not a multiple of 31; the bias (< 1 %) does not matter for uniqueness.
        reference.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
    }
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use form_spec::document::is_reference;

    use super::*;

    #[test]
    fn references_are_unambiguous_and_distinct() {
        let a = new_reference().unwrap();
        let b = new_reference().unwrap();
        assert_ne!(a, b);
        assert!(is_reference(&a), "{a}");
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
        assert!(!is_reference("K7MV-XPQ2-HD9O"));
    }
}

//! References citizens read aloud and type: 12 characters from an alphabet
//! without 0/O and 1/I (and L), in groups of four, e.g. `K7MV-XPQ2-HD9R`.

/// 31 characters that cannot be mistaken for one another.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

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

/// Is `text` shaped like a reference?
#[cfg(test)]
fn is_reference(text: &str) -> bool {
    text.len() == 14
        && text.split('-').count() == 3
        && text.bytes().all(|b| b == b'-' || ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
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

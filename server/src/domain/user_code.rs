//! The user code of the device authorization grant (RFC 8628 §6.1): what a person reads
//! off a TV or a terminal and types on their phone. Eight letters of an alphabet without
//! vowels (no words) and without look-alikes (no 0/O, 1/I), about 34 bits: guessable
//! only without a limit on attempts, so the page that takes them must have one. Shown as
//! `XXXX-XXXX`; read back case-insensitively, ignoring dashes and spaces.

use std::fmt;

/// RFC 8628 §6.1's example alphabet: 20 consonants.
pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
pub const LENGTH: usize = 8;
/// Longer input is not a mistyped code.
const MAX_INPUT: usize = 32;

/// A well-formed user code in its canonical form (eight upper-case letters).
#[derive(Clone, PartialEq, Eq)]
pub struct UserCode(String);

impl UserCode {
    /// A code drawn from `random` bytes, without bias: bytes of 240 and above (the part
    /// of the range that 20 does not divide) are skipped. None when too many were.
    pub fn from_random(random: &[u8]) -> Option<Self> {
        let limit = 256 - 256 % ALPHABET.len();
        let letters: String = random
            .iter()
            .filter(|byte| usize::from(**byte) < limit)
            .take(LENGTH)
            .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
            .collect();
        (letters.len() == LENGTH).then_some(Self(letters))
    }

    /// What a person typed, if it can be a code at all.
    pub fn parse(input: &str) -> Option<Self> {
        if input.len() > MAX_INPUT {
            return None;
        }
        let letters: String =
            input.chars().filter(|c| *c != '-' && !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let valid = letters.len() == LENGTH && letters.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(Self(letters))
    }

    /// The canonical form: what the code is stored under.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `XXXX-XXXX`, as the device and the page show it.
    pub fn display(&self) -> String {
        let (first, second) = self.0.split_at(LENGTH / 2);
        format!("{first}-{second}")
    }
}

/// A user code is a short-lived credential: never printed whole.
impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_drawn_from_the_alphabet_without_bias() {
        let code = UserCode::from_random(&[0, 19, 20, 239, 240, 255, 1, 2, 3, 4]).unwrap();
        assert_eq!(code.as_str(), "BZBZCDFG", "240 and 255 are skipped");
        assert_eq!(code.display(), "BZBZ-CDFG");
        assert!(UserCode::from_random(&[250; 32]).is_none(), "not enough usable bytes");
    }

    #[test]
    fn typed_codes_match_whatever_the_case_dashes_or_spaces() {
        let code = UserCode::parse("BCDF-GHJK").unwrap();
        for typed in ["bcdfghjk", "bcdf-ghjk", " BCDF GHJK ", "b-c-d-f-g-h-j-k"] {
            assert_eq!(UserCode::parse(typed), Some(code.clone()), "{typed:?}");
        }
        for refused in ["", "BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF-GHJ0", "ß", &"B".repeat(40)] {
            assert_eq!(UserCode::parse(refused), None, "{refused:?}");
        }
        assert_eq!(format!("{code:?}"), "UserCode(..)");
    }
}

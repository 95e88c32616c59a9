//! RFC 6238 time-based one-time passwords through `totp-rs` (its types stay in this
//! module): SHA-1, 6 digits, 30-second steps, the parameters every authenticator app
//! reads from an `otpauth://` URI. A code is accepted for the step it belongs to or one
//! step either side (RFC 6238 §5.2, clock drift); a step is accepted at most once.

use totp_rs::{Algorithm, Builder, Totp};

/// RFC 4226 §4: at least 128 bits; 160 is what authenticator apps expect.
pub const SECRET_BYTES: usize = 20;
const DIGITS: u8 = 6;
const STEP_SECS: u64 = 30;
/// Steps accepted either side of the current one.
const SKEW_STEPS: u16 = 1;

#[derive(Debug, thiserror::Error)]
#[error("the TOTP secret cannot be used: {0}")]
pub struct TotpError(String);

/// What an authenticator app is shown: the `otpauth://` URI (as a QR code) and the secret
/// in base32 for typing in.
pub struct Provisioning {
    pub secret_base32: String,
    pub uri: String,
    /// A PNG of the URI's QR code, base64, for a `data:` image.
    pub qr_png_base64: String,
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, TotpError> {
    // The label is `issuer:account`: neither may hold a colon (Key Uri Format).
    let clean = |text: &str| text.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
        .map_err(|error| TotpError(error.to_string()))
}

/// The provisioning of `secret` for the user `account` at `issuer` (the site's name).
pub fn provisioning(secret: &[u8], issuer: &str, account: &str) -> Result<Provisioning, TotpError> {
    let totp = totp(secret, issuer, account)?;
    Ok(Provisioning {
        secret_base32: totp.secret().to_base32(),
        uri: totp.to_url().map_err(|error| TotpError(error.to_string()))?,
        qr_png_base64: totp.to_qr_base64().map_err(|error| TotpError(error.to_string()))?,
    })
}

/// The time step `code` belongs to, if it is a code of `secret` within one step of
/// `now` (unix seconds). Spaces in the code are ignored; the comparison is constant time.
pub fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret, "hub", "user").ok()?.check(&code, now)
}

/// Whether a code of `step` may be accepted after the last accepted one: never the same
/// step again, nor an earlier one (RFC 6238 §5.2).
pub fn is_fresh(step: u64, last_used: Option<u64>) -> bool {
    last_used.is_none_or(|last| step > last)
}

/// Whether `code` looks like a TOTP code rather than a recovery code.
pub fn looks_like_code(code: &str) -> bool {
    let digits: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == usize::from(DIGITS) && digits.iter().all(char::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B: the SHA-1 seed, and its 8-digit values cut to 6.
    const SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_test_vectors_match_their_step() {
        // T = 59 s → 94287082, T = 1111111109 → 07081804 (last six digits).
        assert_eq!(matching_step(SEED, "287082", 59), Some(1));
        assert_eq!(matching_step(SEED, "081804", 1_111_111_109), Some(1_111_111_109 / 30));
        assert_eq!(matching_step(SEED, "28 70 82", 59), Some(1), "spaces are ignored");
    }

    #[test]
    fn one_step_either_side_is_accepted_two_are_not() {
        let at = 1_111_111_109;
        let code = "081804";
        let step = at / 30;
        assert_eq!(matching_step(SEED, code, at + 30), Some(step), "one step later");
        assert_eq!(matching_step(SEED, code, at - 30), Some(step), "one step earlier");
        assert_eq!(matching_step(SEED, code, at + 60), None, "two steps later");
        assert_eq!(matching_step(SEED, code, at - 60), None, "two steps earlier");
        assert_eq!(matching_step(SEED, "000000", at), None);
        assert_eq!(matching_step(SEED, "08180", at), None, "too short");
    }

    #[test]
    fn a_used_step_and_earlier_ones_are_replays() {
        assert!(is_fresh(10, None));
        assert!(is_fresh(11, Some(10)));
        assert!(!is_fresh(10, Some(10)), "the same step again");
        assert!(!is_fresh(9, Some(10)), "an earlier step");
    }

    #[test]
    fn provisioning_names_the_site_and_the_user() {
        let provisioning = provisioning(SEED, "The Hub: Staging", "alice").unwrap();
        assert!(provisioning.uri.starts_with("otpauth://totp/"), "{}", provisioning.uri);
        assert!(provisioning.uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{}", provisioning.uri);
        assert_eq!(provisioning.secret_base32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(!provisioning.qr_png_base64.is_empty());
        assert!(looks_like_code("123 456") && !looks_like_code("abcde-fghij"));
    }
}

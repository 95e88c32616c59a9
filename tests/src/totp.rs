//! RFC 6238 codes for the HTTP-level tests, written from the RFC on aws-lc-rs's HMAC, so
//! the hub's own TOTP code (totp-rs) is never what checks itself. The browser tests use
//! the npm package `otpauth` instead.

use aws_lc_rs::hmac;

/// The 6-digit code of the base32 `key` at unix time `at` (SHA-1, 30-second steps).
pub fn code(key: &str, at: u64) -> String {
    let secret = base32_decode(key);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &secret), &(at / 30).to_be_bytes());
    let tag = tag.as_ref();
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    let value = u32::from_be_bytes([tag[offset] & 0x7f, tag[offset + 1], tag[offset + 2], tag[offset + 3]]);
    format!("{:06}", value % 1_000_000)
}

/// The code of the time step `steps` away from now.
pub fn code_now(key: &str, steps: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    code(key, now.checked_add_signed(steps * 30).expect("time"))
}

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut buffer, mut out) = (0u32, 0u64, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase()).expect("base32") as u64;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_6238_appendix_b() {
        // "12345678901234567890" in base32; T = 59 s gives 94287082, cut to six digits.
        assert_eq!(super::code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082");
    }
}

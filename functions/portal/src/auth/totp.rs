//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits — what every
//! authenticator app speaks), the enrolment QR code as inline SVG, and recovery codes.
//!
//! A user's TOTP secret is never stored: it is HMAC(server key, "totp:{user}:{nonce}"), and only
//! the nonce is in the table.

use aws_lc_rs::hmac;

use crate::domain::UserId;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Codes of the previous and next step are accepted too (clock drift).
pub const DRIFT_STEPS: u64 = 1;
pub const RECOVERY_CODES: usize = 10;

/// The 20-byte secret of one enrolment.
pub fn secret(server_key: &[u8], user: &UserId, nonce: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, server_key);
    let tag = hmac::sign(&key, format!("totp:{user}:{nonce}").as_bytes());
    tag.as_ref()[..20].to_vec()
}

/// The time step of a Unix time.
pub fn step_at(unix: i64) -> u64 {
    (unix.max(0) / STEP_SECS) as u64
}

/// The code for one step (RFC 4226 dynamic truncation).
pub fn code(secret: &[u8], step: u64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[19] & 0x0f);
    let value = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        value % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `input` is, within the drift window around `now_step`, if any. Spaces are
/// ignored. Comparison is constant-time per candidate.
pub fn matching_step(secret: &[u8], input: &str, now_step: u64) -> Option<u64> {
    let input: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if input.len() != DIGITS as usize || !input.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (now_step.saturating_sub(DRIFT_STEPS)..=now_step + DRIFT_STEPS).find(|&step| {
        aws_lc_rs::constant_time::verify_slices_are_equal(
            code(secret, step).as_bytes(),
            input.as_bytes(),
        )
        .is_ok()
    })
}

/// RFC 4648 base32 without padding: the manual-entry form of the secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn uri_component(s: &str) -> String {
    crate::domain::percent_encode(s, b"")
}

/// The `otpauth://` URI authenticator apps read from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        uri_component(issuer),
        uri_component(account),
        base32(secret),
        uri_component(issuer)
    )
}

/// The QR code of `data` as a standalone SVG document: black on white with its four-module quiet
/// zone, one module per user unit (the page sizes it), and each row's runs of dark modules drawn as
/// one rectangle, which keeps the document to a few kilobytes.
pub fn qr_svg(data: &str) -> anyhow::Result<String> {
    const QUIET: usize = 4;
    let code = qrcode::QrCode::new(data.as_bytes())?;
    let width = code.width();
    let side = width + 2 * QUIET;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d=""##
    );
    let colors = code.to_colors();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            let run = row[x..]
                .iter()
                .take_while(|c| **c == qrcode::Color::Dark)
                .count();
            if run > 0 {
                svg.push_str(&format!("M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET));
            }
            x += run.max(1);
        }
    }
    svg.push_str(r#""/></svg>"#);
    Ok(svg)
}

/// Ten fresh recovery codes to show once: 24 base32 characters in four groups
/// (`abcdef-ghijkl-mnopqr-stuvwx`), 120 random bits each — past the 112 bits that let a plain hash
/// store them (ASVS 5.0, 6.5.2).
pub fn recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 15];
            aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source");
            let chars = base32(&bytes).to_lowercase();
            let groups: Vec<&str> = (0..4).map(|i| &chars[i * 6..i * 6 + 6]).collect();
            groups.join("-")
        })
        .collect()
}

/// The TOTP step `code` is for, if it is a current code of `record`'s enrolment and newer than the
/// last one used (each code works once).
pub fn fresh_step(
    server_key: &[u8],
    user: &UserId,
    record: &crate::domain::account::MfaRecord,
    code: &str,
    now_unix: i64,
) -> Option<u64> {
    let secret = secret(server_key, user, &record.nonce);
    matching_step(&secret, code, step_at(now_unix)).filter(|&step| step > record.last_step)
}

/// How a recovery code is stored: SHA-256 of its normalised form (lower case, no spaces). The codes
/// are random, so a plain hash suffices.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    crate::domain::sha256_hex(normal.as_bytes(), 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", 8 digits truncated to our 6.
        let seed = b"12345678901234567890";
        for (time, expected8) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(code(seed, step_at(time)), expected8[2..], "t={time}");
        }
    }

    #[test]
    fn drift_window_and_bad_input() {
        let secret = b"12345678901234567890";
        let now = step_at(1_700_000_000);
        assert_eq!(matching_step(secret, &code(secret, now), now), Some(now));
        assert_eq!(
            matching_step(secret, &code(secret, now - 1), now),
            Some(now - 1)
        );
        let spaced = code(secret, now + 1);
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(matching_step(secret, &spaced, now), Some(now + 1));
        assert_eq!(matching_step(secret, &code(secret, now - 2), now), None);
        assert_eq!(matching_step(secret, "12345", now), None);
        assert_eq!(matching_step(secret, "abcdef", now), None);
    }

    #[test]
    fn base32_and_uri_and_qr() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let uri = otpauth_uri("Northwind IT", "a@b.example", b"12345678901234567890");
        assert!(
            uri.starts_with("otpauth://totp/Northwind%20IT:a%40b.example?secret=GEZD"),
            "{uri}"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // The code's modules plus the quiet zone, in a few kilobytes.
        let side = qrcode::QrCode::new(uri.as_bytes()).unwrap().width() + 8;
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        assert!(svg.len() < 10_000, "{}", svg.len());
        // Drawing the path's runs back onto a grid gives exactly the code's dark modules.
        let code = qrcode::QrCode::new(uri.as_bytes()).unwrap();
        let mut drawn = vec![false; side * side];
        let path = svg
            .split(r#" d=""#)
            .nth(1)
            .unwrap()
            .trim_end_matches(r#""/></svg>"#);
        for run in path.split('z').filter(|r| !r.is_empty()) {
            let (at, rest) = run[1..].split_once('h').unwrap();
            let (x, y) = at.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            (x..x + len).for_each(|x| drawn[y * side + x] = true);
        }
        let expected: Vec<bool> = (0..side * side)
            .map(|i| {
                let (x, y) = (i % side, i / side);
                (4..side - 4).contains(&x)
                    && (4..side - 4).contains(&y)
                    && code[(x - 4, y - 4)] == qrcode::Color::Dark
            })
            .collect();
        assert_eq!(drawn, expected);
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 27, "{code}");
            let bits = code.chars().filter(|c| *c != '-').count() * 5;
            assert!(bits >= 112, "{code}: {bits} bits");
            assert!(
                code.chars()
                    .all(|c| c == '-' || matches!(c, 'a'..='z' | '2'..='7'))
            );
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        assert_eq!(
            recovery_hash(&codes[0].to_uppercase()),
            recovery_hash(&codes[0])
        );
    }
}

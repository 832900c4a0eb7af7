//! Byte and text encodings the portal writes by hand: hex digests and percent-encoding.

/// `bytes` as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first `n` bytes (all if fewer) of the SHA-256 of `data`, as lowercase hex: stored
/// one-time secrets, ids derived from other values, tags for logs.
pub fn sha256_hex(data: &[u8], n: usize) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let bytes = digest.as_ref();
    hex(&bytes[..n.min(bytes.len())])
}

/// `s` percent-encoded: RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) and those in
/// `keep` stay as they are, every other byte becomes `%XX` (upper case).
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_digests() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
        assert_eq!(
            sha256_hex(b"abc", 32),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(b"abc", 4), "ba7816bf");
        assert_eq!(sha256_hex(b"abc", 99).len(), 64, "never past the digest");
    }

    #[test]
    fn percent_encoding_keeps_the_unreserved_and_what_it_is_told() {
        assert_eq!(percent_encode("a b/c?d=é~", b""), "a%20b%2Fc%3Fd%3D%C3%A9~");
        assert_eq!(percent_encode("dir/a b.pdf", b"/"), "dir/a%20b.pdf");
        assert_eq!(percent_encode("100% & more", b"&"), "100%25%20&%20more");
    }
}

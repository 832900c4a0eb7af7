//! gzip (RFC 1952) around miniz_oxide's deflate: API answers are compressed when the client accepts
//! it. API Gateway's HTTP API and CloudFront's uncached API behaviour pass answers through as the
//! function wrote them, so this is the only place they get smaller.

/// `data` as a gzip member: header (no name, no time), deflate at level 6, CRC-32 and length.
pub fn encode(data: &[u8]) -> Vec<u8> {
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let deflated = miniz_oxide::deflate::compress_to_vec(data, 6);
    let mut out = Vec::with_capacity(HEADER.len() + deflated.len() + 8);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952, 2.3.1): truncation is the format.
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Whether an `Accept-Encoding` value admits gzip (by name or `*`, with a q-value above zero).
pub fn accepted(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let weight = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && weight.is_some_and(|q| q > 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_decodes_to_the_input_with_its_checksum_and_length() {
        let data = br#"{"items":[{"id":"a","user_agent":"Mozilla/5.0"}]}"#.repeat(200);
        let member = encode(&data);
        assert!(
            member.len() < data.len() / 10,
            "{} of {}",
            member.len(),
            data.len()
        );
        assert_eq!(&member[..4], &[0x1f, 0x8b, 8, 0]);
        let (body, trailer) = member[10..].split_at(member.len() - 18);
        assert_eq!(miniz_oxide::inflate::decompress_to_vec(body).unwrap(), data);
        assert_eq!(trailer[..4], crc32fast::hash(&data).to_le_bytes());
        assert_eq!(trailer[4..], (data.len() as u32).to_le_bytes());
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepted("gzip, deflate, br, zstd"));
        assert!(accepted("br;q=1.0, GZIP;q=0.5"));
        assert!(accepted("*"));
        assert!(!accepted("gzip;q=0"));
        assert!(!accepted("gzip;q=0.000, identity"));
        assert!(!accepted("br, zstd"));
        assert!(!accepted("gzip;q=nonsense"));
        assert!(!accepted(""));
    }
}

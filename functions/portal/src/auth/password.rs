//! Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// The most common passwords long enough to pass the length rule (from zxcvbn's list of the 30,000
/// most common passwords, MIT licence), one per line, lower case.
const COMMON: &str = include_str!("common-passwords.txt");

/// Why `password` may not be chosen, if it may not: length (counted in characters, so any script
/// and pasted passphrases work; no composition rules, per NIST SP 800-63B), a common password, one
/// repeated character or short pattern, or the user's own email address.
pub fn policy_error(password: &str, email: &str) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Some(format!("Use at least {MIN_LEN} characters"));
    }
    if len > MAX_LEN {
        return Some(format!("Use at most {MAX_LEN} characters"));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    let repeated = (1..=4).any(|n| {
        let chars: Vec<char> = lower.chars().collect();
        chars.len().is_multiple_of(n) && chars.chunks(n).all(|c| c == &chars[..n])
    });
    if repeated
        || COMMON.lines().any(|common| common == lower)
        || lower == email.to_lowercase()
        || (local.len() >= 4 && lower.trim_end_matches(|c: char| c.is_ascii_digit()) == local)
    {
        return Some("This password is too easy to guess: choose a less common one".into());
    }
    None
}

fn hasher() -> Argon2<'static> {
    // Params::new only fails for out-of-range values; these are OWASP's constants.
    let params = Params::new(19 * 1024, 2, 1, None).expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC-format argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt_bytes)
        .map_err(|_| anyhow::anyhow!("random generator failed"))?;
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("encoding salt: {e}"))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Whether `password` matches `stored`. A stored value that is no hash (an invited user's empty
/// one) matches nothing, after the same work, so timing does not tell it apart.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2_verify(password, &parsed),
        Err(_) => verify_dummy(password),
    }
}

/// A hash of 32 random bytes that were thrown away: no password matches it. Sign-in with an unknown
/// email verifies against it so the answer takes as long as for a known email with a wrong
/// password. A constant, so cold starts do not pay for hashing it; a test keeps its parameters equal
/// to `hasher()`'s.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Ih/BIlricI9n8nLqqtBNEA$KBusw/J+daHD89fDXMoq2rSA9AEE34qYezYKP76wgY0";

/// Spend the same work as `verify` and fail.
pub fn verify_dummy(password: &str) -> bool {
    if let Ok(parsed) = PasswordHash::new(DUMMY_HASH) {
        argon2_verify(password, &parsed);
    }
    false
}

/// The one place an argon2id verification runs (unit tests count them, per thread).
fn argon2_verify(password: &str, parsed: &PasswordHash<'_>) -> bool {
    #[cfg(test)]
    ARGON2_RUNS.with(|runs| runs.set(runs.get() + 1));
    hasher()
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

#[cfg(test)]
thread_local! {
    static ARGON2_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argon2_runs(f: impl FnOnce() -> bool) -> (bool, usize) {
        let before = ARGON2_RUNS.with(std::cell::Cell::get);
        let matched = f();
        (matched, ARGON2_RUNS.with(std::cell::Cell::get) - before)
    }

    #[test]
    fn every_failure_costs_one_argon2_verification_whatever_is_stored() {
        let real = hash("correct horse battery").unwrap();
        assert_eq!(argon2_runs(|| verify("wrong guess!", &real)), (false, 1));
        assert_eq!(
            argon2_runs(|| verify("correct horse battery", &real)),
            (true, 1)
        );
        // An invited user (no password yet), a damaged record, an unknown email: the same work.
        assert_eq!(argon2_runs(|| verify("any guess", "")), (false, 1));
        assert_eq!(
            argon2_runs(|| verify("any guess", "not a hash")),
            (false, 1)
        );
        assert_eq!(argon2_runs(|| verify_dummy("any guess")), (false, 1));
    }

    #[test]
    fn policy_checks_length_and_common_passwords_only() {
        assert!(policy_error("short", "a@b.example").is_some());
        assert!(policy_error(&"x".repeat(129), "a@b.example").is_some());
        assert!(
            policy_error("1qaz2wsx3edc", "a@b.example").is_some(),
            "common"
        );
        assert!(
            policy_error("QWERTY123456", "a@b.example").is_some(),
            "case"
        );
        assert!(
            policy_error("abababababab", "a@b.example").is_some(),
            "pattern"
        );
        assert!(policy_error("fiona.fuller@acme.example", "fiona.fuller@acme.example").is_some());
        assert!(policy_error("fiona.fuller2024", "fiona.fuller@acme.example").is_some());
        // No composition rules: a long lower-case passphrase is fine, as are spaces and any script.
        assert_eq!(
            policy_error("correct horse battery staple", "a@b.example"),
            None
        );
        assert_eq!(policy_error("пароль-на-русском", "a@b.example"), None);
        assert!(
            policy_error(&"é".repeat(12), "a@b.example").is_some(),
            "one repeated character"
        );
        let long: String = (0..126u32)
            .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
            .collect();
        assert_eq!(policy_error(&long, "a@b.example"), None, "126 characters");
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify_dummy("anything"));
        // The dummy costs what a real verification costs: same algorithm and parameters.
        let params = |h: &str| h.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(DUMMY_HASH), params(&h));
    }
}

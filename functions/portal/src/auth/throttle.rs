//! How many guesses of a secret are allowed, and from where (docs/accounts.md, "Sign-in limits").
//!
//! Every attempt is reserved before the secret is checked (one conditional write on all of its
//! counters at once), so parallel guesses cannot all pass under a limit; a right secret clears the
//! counters of who was guessed and refunds the place's.
//!
//! Passwords are counted per email, per email and place, and per place, where a place is the
//! client's IPv4 address or IPv6 /64. Past its free attempts an email only slows down (each further
//! attempt waits longer, up to a minute), so nobody can lock a user out by guessing their email; the
//! place doing the guessing is the one refused. Second-factor codes are counted per user and per
//! sign-in challenge.

use std::net::IpAddr;

use aws_sdk_dynamodb::types::TransactWriteItem;
use time::{Duration, OffsetDateTime};

use crate::auth::signin::AuthError;
use crate::domain::{Email, UserId};
use crate::store::keys::{self, Key};
use crate::store::{Attempts, Reservation, Slowing, Store};

/// Counters run in fixed windows of this length.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Password attempts per email in a window before each further one must wait.
pub const EMAIL_FREE_ATTEMPTS: i64 = 5;
/// The longest wait between two attempts for one email (so at most ~75 guesses an hour).
pub const MAX_DELAY_SECS: i64 = 60;
/// Password attempts for one email from one place in a window; then that place is refused.
pub const EMAIL_PLACE_ATTEMPTS: i64 = 10;
/// Password attempts from one place in a window, whatever the email (spraying).
pub const PLACE_ATTEMPTS: i64 = 50;
/// Second-factor codes per user in a window.
pub const MFA_ATTEMPTS: i64 = 5;
/// Second-factor codes per sign-in challenge: then the password must be given again.
pub const CHALLENGE_ATTEMPTS: i64 = 3;

/// How long to wait after `attempts` attempts for one email before the next: nothing within the
/// free ones, then 5 s, 10 s, 20 s, 40 s, and a minute from then on.
pub fn delay_after(attempts: i64) -> i64 {
    if attempts < EMAIL_FREE_ATTEMPTS {
        0
    } else {
        (5i64 << (attempts - EMAIL_FREE_ATTEMPTS).min(4)).min(MAX_DELAY_SECS)
    }
}

/// The place a request comes from, as counted: an IPv4 address, or the /64 of an IPv6 one (one
/// subscriber's whole prefix). `None` when the address is unknown or not an address.
pub fn place(ip: Option<&str>) -> Option<String> {
    match ip?.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some(v4.to_string()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(v4.to_string()),
            None => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
            }
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// At the limit, refused for the rest of the window; cleared by a success.
    Locks,
    /// At the limit, each further attempt waits longer; cleared by a success.
    Slows,
    /// Shared by many users (a place): refused at the limit; a success refunds its attempt.
    Shared,
    /// One sign-in challenge: refused at the limit; used up by a success.
    OneUse,
}

struct Counter {
    key: Key,
    limit: i64,
    kind: Kind,
}

/// The counters one attempt at a secret is reserved on.
pub struct Throttle {
    counters: Vec<Counter>,
    now: OffsetDateTime,
    window_end: OffsetDateTime,
}

impl Throttle {
    /// A password for `email`, given from `ip`.
    pub fn password(
        email: &Email,
        ip: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Self, AuthError> {
        let (window, window_end) = window(now)?;
        let mut counters = vec![Counter {
            key: keys::login_failures(email, window),
            limit: EMAIL_FREE_ATTEMPTS,
            kind: Kind::Slows,
        }];
        if let Some(place) = place(ip) {
            counters.push(Counter {
                key: keys::login_failures_from(email, &place, window),
                limit: EMAIL_PLACE_ATTEMPTS,
                kind: Kind::Locks,
            });
            counters.push(Counter {
                key: keys::place_failures(&place, window),
                limit: PLACE_ATTEMPTS,
                kind: Kind::Shared,
            });
        }
        Ok(Self {
            counters,
            now,
            window_end,
        })
    }

    /// A second-factor code of `user`, with sign-in challenge `challenge` (none when enrolling or
    /// confirming from a session).
    pub fn second_factor(
        user: &UserId,
        challenge: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Self, AuthError> {
        let (window, window_end) = window(now)?;
        let mut counters = vec![Counter {
            key: keys::mfa_failures(user, window),
            limit: MFA_ATTEMPTS,
            kind: Kind::Locks,
        }];
        counters.extend(challenge.map(|c| Counter {
            key: keys::mfa_challenge_failures(user, c),
            limit: CHALLENGE_ATTEMPTS,
            kind: Kind::OneUse,
        }));
        Ok(Self {
            counters,
            now,
            window_end,
        })
    }

    /// The counters' keys, to read with the secret's record.
    pub fn keys(&self) -> Vec<Key> {
        self.counters.iter().map(|c| c.key.clone()).collect()
    }

    /// Reserve one attempt (one call), or refuse with the time to wait: at once when `seen` (the
    /// counters as read) shows a limit reached, else when the conditional write finds one.
    pub async fn reserve(&self, store: &Store, seen: &[Attempts]) -> Result<(), AuthError> {
        let now = self.now.unix_timestamp();
        for (counter, seen) in self.counters.iter().zip(seen) {
            let waiting = counter.kind == Kind::Slows && seen.next_at > now;
            if seen.failures >= counter.limit && (counter.kind != Kind::Slows || waiting) {
                return Err(self.refusal(counter, seen));
            }
        }
        let reservations: Vec<Reservation> = self
            .counters
            .iter()
            .zip(seen)
            .map(|(counter, seen)| Reservation {
                key: counter.key.clone(),
                limit: counter.limit,
                slowing: (counter.kind == Kind::Slows).then(|| Slowing {
                    seen: seen.failures,
                    // Past the free attempts, the next one waits after this one; below them the
                    // time is set anyway (parallel attempts may be the ones reaching the limit).
                    next_at: now + delay_after((seen.failures + 1).max(EMAIL_FREE_ATTEMPTS)),
                }),
                now,
                expires: self.expires(),
            })
            .collect();
        match store.reserve_attempts(&reservations).await? {
            None => Ok(()),
            Some(i) => match (self.counters.get(i), seen.get(i)) {
                (Some(counter), Some(seen)) => Err(self.refusal(counter, seen)),
                _ => Err(AuthError::TooManyAttempts {
                    retry_after_secs: 1,
                }),
            },
        }
    }

    fn refusal(&self, counter: &Counter, seen: &Attempts) -> AuthError {
        tracing::warn!(counter = %counter.key.pk.split('#').next().unwrap_or(""), "attempts throttled");
        let now = self.now.unix_timestamp();
        let retry_after_secs = match counter.kind {
            // Refused by the write (a parallel attempt came first): wait one step.
            Kind::Slows if seen.next_at <= now => {
                delay_after(seen.failures.max(EMAIL_FREE_ATTEMPTS))
            }
            Kind::Slows => seen.next_at - now,
            _ => (self.window_end - self.now).whole_seconds(),
        }
        .max(1);
        AuthError::TooManyAttempts { retry_after_secs }
    }

    fn expires(&self) -> OffsetDateTime {
        self.window_end + Duration::hours(1)
    }

    /// The writes of a right secret: the counters of who was guessed cleared, the place's attempt
    /// given back, a challenge used up. Goes into the transaction that starts the session.
    pub fn settle(&self, store: &Store) -> anyhow::Result<Vec<TransactWriteItem>> {
        self.counters
            .iter()
            .map(|c| match c.kind {
                Kind::Locks | Kind::Slows => store.clear_attempts_part(&c.key),
                Kind::Shared => store.refund_attempt_part(&c.key, self.expires()),
                Kind::OneUse => store.exhaust_attempts_part(&c.key, c.limit, self.expires()),
            })
            .collect()
    }
}

/// The window `now` falls in, and when it ends.
fn window(now: OffsetDateTime) -> Result<(i64, OffsetDateTime), AuthError> {
    let window = now.unix_timestamp().div_euclid(WINDOW_SECS);
    let end = OffsetDateTime::from_unix_timestamp((window + 1) * WINDOW_SECS)
        .map_err(anyhow::Error::from)?;
    Ok((window, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_to_a_minute_and_stays_there() {
        let waits: Vec<i64> = (0..12).map(delay_after).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(delay_after(i64::MAX / 2), 60);
    }

    #[test]
    fn a_place_is_an_ipv4_address_or_an_ipv6_prefix() {
        assert_eq!(place(Some("203.0.113.9")).as_deref(), Some("203.0.113.9"));
        assert_eq!(
            place(Some("2001:db8:aa:bb:1:2:3:4")).as_deref(),
            Some("2001:db8:aa:bb::/64")
        );
        assert_eq!(
            place(Some("2001:db8:aa:bb:ffff::1")),
            place(Some("2001:db8:aa:bb::9"))
        );
        assert_eq!(
            place(Some("::ffff:198.51.100.4")).as_deref(),
            Some("198.51.100.4")
        );
        assert_eq!(place(Some("not an address")), None);
        assert_eq!(place(None), None);
    }
}

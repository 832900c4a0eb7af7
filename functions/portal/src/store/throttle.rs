//! Attempt counters in the store: items with a count (and, for counters that slow down rather than
//! lock, the time of the next allowed attempt) that expire by TTL. An attempt is reserved by one
//! conditional write before the secret is checked, so parallel guesses cannot all slip under a
//! limit; a success clears or refunds what it reserved.

use super::*;

/// One counter item as read: attempts counted so far (the attribute keeps its first name,
/// `failures`: attempts not yet known good) and the epoch second before which no next attempt is
/// allowed (slowing counters only).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Attempts {
    #[serde(default)]
    pub failures: i64,
    #[serde(default)]
    pub next_at: i64,
}

/// Reserving one attempt on counter `key`, as one part of a transaction.
pub struct Reservation {
    pub key: Key,
    /// Attempts allowed freely.
    pub limit: i64,
    /// For a slowing counter: past the limit, one more attempt is allowed when the count is still
    /// `seen.failures` and `seen.next_at` has passed; it sets the next allowed time to `next_at`.
    pub slowing: Option<Slowing>,
    pub now: i64,
    /// When the item may go.
    pub expires: OffsetDateTime,
}

pub struct Slowing {
    pub seen: i64,
    pub next_at: i64,
}

impl Store {
    /// Counters `keys` (missing ones are zero), in the order asked, with `first` — another item
    /// read in the same BatchGetItem (a credential, an MFA record). One call.
    pub async fn load_with_attempts<T: DeserializeOwned>(
        &self,
        first: Key,
        keys: &[Key],
    ) -> anyhow::Result<(Option<T>, Vec<Attempts>)> {
        let mut wanted = vec![first];
        wanted.extend_from_slice(keys);
        let mut found = self.batch_get(&wanted).await.context("loading counters")?;
        let first = found.remove(&wanted[0].sk).map(from_item).transpose()?;
        let counts = wanted[1..]
            .iter()
            .map(|k| {
                found
                    .remove(&k.sk)
                    .map(from_item::<Attempts>)
                    .transpose()
                    .map(Option::unwrap_or_default)
            })
            .collect::<anyhow::Result<_>>()?;
        Ok((first, counts))
    }

    /// Reserve one attempt on every counter at once (one TransactWriteItems). `Ok(None)` when
    /// reserved; `Ok(Some(i))` when counter `i` refused (nothing was counted).
    pub async fn reserve_attempts(
        &self,
        reservations: &[Reservation],
    ) -> anyhow::Result<Option<usize>> {
        let parts = reservations
            .iter()
            .map(|r| self.reserve_part(r))
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.refused_part(parts, "reserving an attempt").await
    }

    fn reserve_part(&self, r: &Reservation) -> anyhow::Result<TransactWriteItem> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(r.key.to_item()))
            .expression_attribute_names("#failures", "failures")
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(r.limit))
            .expression_attribute_values(":ttl", epoch(r.expires));
        update = match &r.slowing {
            None => update
                .update_expression("ADD #failures :one SET #ttl = :ttl")
                .condition_expression("attribute_not_exists(#failures) OR #failures < :limit"),
            Some(slow) => update
                .update_expression("ADD #failures :one SET #ttl = :ttl, #next = :next")
                .condition_expression(
                    "attribute_not_exists(#failures) OR #failures < :limit \
                     OR (#failures = :seen AND (attribute_not_exists(#next) OR #next <= :now))",
                )
                .expression_attribute_names("#next", "next_at")
                .expression_attribute_values(":next", n(slow.next_at))
                .expression_attribute_values(":seen", n(slow.seen))
                .expression_attribute_values(":now", n(r.now)),
        };
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Forget counter `key` (the secret was right), as a transaction part.
    pub fn clear_attempts_part(&self, key: &Key) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .build()?,
            )
            .build())
    }

    /// Give back the attempt reserved on a shared counter (the secret was right), as a
    /// transaction part: a place's count keeps only its failures.
    pub fn refund_attempt_part(
        &self,
        key: &Key,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .update_expression("ADD #failures :minus SET #ttl = :ttl")
                    .expression_attribute_names("#failures", "failures")
                    .expression_attribute_names("#ttl", keys::TTL)
                    .expression_attribute_values(":minus", n(-1))
                    .expression_attribute_values(":ttl", epoch(expires))
                    .build()?,
            )
            .build())
    }

    /// Mark counter `key` used up (a sign-in challenge that has served), as a transaction part.
    pub fn exhaust_attempts_part(
        &self,
        key: &Key,
        limit: i64,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut item = to_item(
            &Attempts {
                failures: limit,
                next_at: 0,
            },
            key,
        )?;
        item.insert(keys::TTL.into(), epoch(expires));
        self.put_part(item)
    }

    /// Apply `parts` (clearing and refunding counters) on their own: after a right password that
    /// still needs a second factor.
    pub async fn settle_attempts(&self, parts: Vec<TransactWriteItem>) -> anyhow::Result<()> {
        self.transact(parts, "clearing attempt counters").await?;
        Ok(())
    }
}

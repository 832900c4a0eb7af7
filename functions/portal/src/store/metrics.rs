//! Counts DynamoDB calls with an SDK interceptor, so tests and benchmarks can report how many calls
//! each request makes. Counting is a relaxed atomic add: cheap enough to leave on in production.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Number of DynamoDB requests sent (each attempt, retries included).
#[derive(Clone, Debug, Default)]
pub struct CallCounter(Arc<AtomicU64>);

impl CallCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// What DynamoDB answers held: items read and their approximate size, summed over calls, and the
/// read units DynamoDB would charge for them (4 KB per unit per call, strongly consistent, so an
/// upper bound). Benchmarks print these to show a request's cost does not grow with the table.
#[derive(Clone, Debug, Default)]
pub struct ReadMeter(Arc<[AtomicU64; 3]>);

impl ReadMeter {
    /// `(items, bytes, read units)` so far.
    pub fn get(&self) -> (u64, u64, u64) {
        (
            self.0[0].load(Ordering::Relaxed),
            self.0[1].load(Ordering::Relaxed),
            self.0[2].load(Ordering::Relaxed),
        )
    }

    fn add(&self, items: u64, bytes: u64, per_item_units: bool, sizes: &[u64]) {
        self.0[0].fetch_add(items, Ordering::Relaxed);
        self.0[1].fetch_add(bytes, Ordering::Relaxed);
        let units = if per_item_units {
            sizes.iter().map(|s| s.div_ceil(4096).max(1)).sum()
        } else {
            bytes.div_ceil(4096).max(1)
        };
        self.0[2].fetch_add(units, Ordering::Relaxed);
    }
}

/// DynamoDB's item size: attribute names plus values (close enough for strings, numbers, maps).
fn item_size(item: &std::collections::HashMap<String, AttributeValue>) -> u64 {
    fn value(v: &AttributeValue) -> u64 {
        match v {
            AttributeValue::S(s) | AttributeValue::N(s) => s.len() as u64,
            AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
            AttributeValue::M(m) => {
                3 + m
                    .iter()
                    .map(|(k, v)| k.len() as u64 + value(v))
                    .sum::<u64>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(value).sum::<u64>(),
            AttributeValue::Ss(l) | AttributeValue::Ns(l) => l.iter().map(|s| s.len() as u64).sum(),
            _ => 1,
        }
    }
    item.iter().map(|(k, v)| k.len() as u64 + value(v)).sum()
}

impl Intercept for ReadMeter {
    fn name(&self) -> &'static str {
        "ReadMeter"
    }

    fn read_after_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        use aws_sdk_dynamodb::operation::{
            batch_get_item::BatchGetItemOutput, get_item::GetItemOutput, query::QueryOutput,
        };
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        if let Some(q) = output.downcast_ref::<QueryOutput>() {
            let sizes: Vec<u64> = q.items().iter().map(item_size).collect();
            // Items a filter dropped were read (and paid for) too: count them at the mean size.
            let scanned = u64::try_from(q.scanned_count()).unwrap_or(0);
            let mean = sizes
                .iter()
                .sum::<u64>()
                .checked_div(sizes.len() as u64)
                .unwrap_or(0);
            let bytes =
                sizes.iter().sum::<u64>() + mean * scanned.saturating_sub(sizes.len() as u64);
            self.add(scanned.max(sizes.len() as u64), bytes, false, &[]);
        } else if let Some(g) = output.downcast_ref::<GetItemOutput>() {
            let sizes: Vec<u64> = g.item().map(item_size).into_iter().collect();
            self.add(sizes.len() as u64, sizes.iter().sum(), true, &sizes);
        } else if let Some(b) = output.downcast_ref::<BatchGetItemOutput>() {
            let sizes: Vec<u64> = b
                .responses()
                .into_iter()
                .flat_map(|r| r.values())
                .flat_map(|items| items.iter().map(item_size))
                .collect();
            self.add(sizes.len() as u64, sizes.iter().sum(), true, &sizes);
        }
        Ok(())
    }
}

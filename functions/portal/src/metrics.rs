//! Counts DynamoDB calls with an SDK interceptor, so tests and benchmarks can report how many calls
//! each request makes. Counting is a relaxed atomic add: cheap enough to leave on in production.

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

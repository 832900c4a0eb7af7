//! What the MSP sends to create or change an agreement, and the checks it passes before anything
//! is written.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{Agreement, AgreementKind, AgreementStatus, BillingCycle};
use crate::domain::billing::{Currency, MAX_AMOUNT};
use crate::domain::validate::{self, schema};
use crate::domain::{DomainError, FieldError};

/// Most request types one agreement names, and most block sizes offered.
pub const MAX_COVERS: usize = 50;
pub const MAX_BLOCK_SIZES: usize = 6;
/// Most hours a block or retainer holds (in minutes: 100,000 hours).
pub const MAX_MINUTES: i64 = 6_000_000;
pub const DEFAULT_LOW_PERCENT: u8 = 20;

/// What the MSP sends to create an agreement (with `company_id`) or change one (with `version`).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementBody {
    /// Create only: the client company.
    pub company_id: Option<String>,
    #[schema(schema_with = schema::name)]
    pub name: String,
    pub kind: AgreementKind,
    /// Default: active (a change: as it is).
    pub status: Option<AgreementStatus>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub start_date: String,
    /// `YYYY-MM-DD`, on or after the start; absent or null: open-ended.
    #[schema(format = Date)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub auto_renew: bool,
    /// Default: monthly (a change: as it is).
    pub billing_cycle: Option<BillingCycle>,
    /// Default: the company's currency.
    #[schema(schema_with = schema::currency_or_null)]
    pub currency: Option<String>,
    /// Minor units per period.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub fee: i64,
    /// Minor units per hour.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub rate: i64,
    /// Block: its hours; retainer: hours per period; in minutes (more than zero for those two).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 6_000_000)]
    pub included_minutes: i64,
    /// Request types covered (each one of the MSP's); empty: all.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub covers: Vec<String>,
    /// Default 20 (a change: as it is).
    #[schema(minimum = 0, maximum = 100)]
    pub low_balance_percent: Option<u8>,
    /// Block only: hours a client may buy online (each 1 to 1,000; needs a rate).
    #[serde(default)]
    #[schema(max_items = 6)]
    pub block_sizes: Vec<u32>,
    /// Response and resolution targets for its company's tickets, per priority, in place of the
    /// MSP's (absent on a change: as they are; `[]`: the MSP's).
    #[schema(max_items = 4)]
    pub targets: Option<Vec<crate::domain::tickets::PriorityTarget>>,
    /// Change only: the version read.
    pub version: Option<u64>,
}

impl AgreementBody {
    /// Check every field and write them into `agreement` (new: its id, company and times are the
    /// caller's). `request_types` are the MSP's.
    pub fn apply(
        self,
        agreement: &mut Agreement,
        request_types: &[String],
        default_currency: &Currency,
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        let name = validate::name("name", &self.name, &mut errors);
        let start = validate::date("start_date", &self.start_date, &mut errors);
        let end = match self.end_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => validate::date("end_date", raw, &mut errors),
        };
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            errors.push(FieldError::new(
                "end_date",
                "The end cannot be before the start",
            ));
        }
        let currency = crate::domain::validate::currency(
            self.currency.as_deref(),
            default_currency,
            &mut errors,
        );
        for (field, amount) in [("fee", self.fee), ("rate", self.rate)] {
            if !(0..=MAX_AMOUNT).contains(&amount) {
                errors.push(FieldError::new(field, "Enter an amount of zero or more"));
            }
        }
        if self.kind.hour_based() {
            if !(1..=MAX_MINUTES).contains(&self.included_minutes) {
                errors.push(FieldError::new(
                    "included_minutes",
                    "Enter the hours it holds (1 minute to 100,000 hours)",
                ));
            }
        } else if self.included_minutes != 0 {
            errors.push(FieldError::new(
                "included_minutes",
                "Only a block or a retainer includes hours",
            ));
        }
        let mut covers: Vec<String> = self.covers.iter().map(|t| t.trim().to_owned()).collect();
        covers.sort();
        covers.dedup();
        if covers.len() > MAX_COVERS {
            errors.push(FieldError::new(
                "covers",
                format!("Name up to {MAX_COVERS} request types"),
            ));
        }
        if let Some(unknown) = covers.iter().find(|t| !request_types.contains(t)) {
            errors.push(FieldError::new(
                "covers",
                format!("{unknown:?} is not one of the request types"),
            ));
        }
        let percent = self
            .low_balance_percent
            .unwrap_or(agreement.low_balance_percent);
        if percent > 100 {
            errors.push(FieldError::new("low_balance_percent", "Use 0 to 100"));
        }
        let mut sizes = self.block_sizes.clone();
        sizes.sort_unstable();
        sizes.dedup();
        if !sizes.is_empty() {
            if self.kind != AgreementKind::Block {
                errors.push(FieldError::new(
                    "block_sizes",
                    "Only a block offers hours to buy",
                ));
            } else if sizes.len() > MAX_BLOCK_SIZES || sizes.iter().any(|h| !(1..=1000).contains(h))
            {
                errors.push(FieldError::new(
                    "block_sizes",
                    format!("Offer up to {MAX_BLOCK_SIZES} sizes of 1 to 1,000 hours"),
                ));
            } else if self.rate <= 0 {
                errors.push(FieldError::new(
                    "rate",
                    "Set the rate per hour of the hours offered",
                ));
            }
        }
        let targets = self.targets.unwrap_or_else(|| agreement.targets.clone());
        errors.extend(crate::domain::tickets::check_targets("targets", &targets));
        validate::done(errors)?;
        let (Some(start), Some(currency)) = (start, currency) else {
            unreachable!("checked above");
        };
        agreement.name = name;
        agreement.kind = self.kind;
        agreement.status = self.status.unwrap_or(agreement.status);
        agreement.start_date = start;
        agreement.end_date = end;
        agreement.auto_renew = self.auto_renew;
        agreement.billing_cycle = self.billing_cycle.unwrap_or(agreement.billing_cycle);
        agreement.currency = currency;
        agreement.fee = self.fee;
        agreement.rate = self.rate;
        agreement.included_minutes = self.included_minutes;
        agreement.covers = covers;
        agreement.low_balance_percent = percent;
        agreement.block_sizes = sizes;
        agreement.targets = targets;
        Ok(())
    }
}

//! Payments: how a payment was made and where it stands, what it paid, a company's billing
//! account with its autopay consent, and the payment methods saved with Stripe.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::*;

/// How a payment was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A client paid through Stripe Checkout.
    Checkout,
    /// The default payment method was charged when an invoice was issued.
    Autopay,
    /// The MSP recorded a cheque, bank transfer or cash.
    Manual,
    /// A client paid with a method saved with Stripe, at their request (charged off-session).
    SavedMethod,
    /// The company's store credit paid it (credit notes, overpayments).
    Credit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Started; Stripe has not said it succeeded.
    Pending,
    Succeeded,
    Failed,
    /// The Checkout session ran out before it was paid.
    Expired,
}

impl PaymentStatus {
    /// The statuses a payment may be in to become `self` (docs/billing.md, "Payment lifecycle").
    /// Money that arrived settles a payment whatever was heard before it (Stripe does not promise
    /// the order of events); a failure or an expiry ends only a pending payment; nothing follows
    /// a success.
    pub fn comes_from(self) -> &'static [PaymentStatus] {
        use PaymentStatus::*;
        match self {
            Succeeded => &[Pending, Failed, Expired],
            Failed | Expired => &[Pending],
            Pending => &[],
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Expired => "expired",
        }
    }
}

/// The part of a payment that pays one invoice.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Allocation {
    pub invoice_id: BillingId,
    pub number: u64,
    pub amount: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Payment {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub allocations: Vec<Allocation>,
    /// Money received that no invoice could take (it was paid or voided meanwhile): it became the
    /// company's store credit.
    #[serde(default)]
    pub unapplied: i64,
    /// How it was paid, for people: `Visa •••• 4242`, `Cheque 1042`.
    #[serde(default)]
    pub method: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<OffsetDateTime>,
    pub created_by: Option<UserId>,
    #[serde(default)]
    pub created_by_name: String,
    #[serde(default)]
    pub stripe_session: Option<String>,
    #[serde(default)]
    pub stripe_payment_intent: Option<String>,
    /// Where the client pays (Stripe Checkout), while pending.
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// Why it failed, for people.
    #[serde(default)]
    pub failure: Option<String>,
}

impl Payment {
    /// Money the MSP received outside Stripe (cheque, bank transfer, cash), recorded by `by` at
    /// `at` against `invoice`: the succeeded payment, and the invoice with it applied.
    pub fn manual(
        invoice: &Invoice,
        amount: i64,
        method: String,
        by: (&UserId, &str),
        at: OffsetDateTime,
    ) -> (Self, Invoice) {
        let payment = Self {
            id: BillingId::generate(),
            company_id: invoice.company_id.clone(),
            kind: PaymentKind::Manual,
            status: PaymentStatus::Succeeded,
            amount,
            currency: invoice.currency.clone(),
            allocations: vec![Allocation {
                invoice_id: invoice.id.clone(),
                number: invoice.number.unwrap_or_default(),
                amount,
            }],
            unapplied: 0,
            method,
            created_at: at,
            paid_at: Some(at),
            created_by: Some(by.0.clone()),
            created_by_name: by.1.to_owned(),
            stripe_session: None,
            stripe_payment_intent: None,
            checkout_url: None,
            failure: None,
        };
        let mut paid = invoice.clone();
        paid.apply_payment(&payment, amount, at);
        (payment, paid)
    }

    /// A payment started through Stripe (Checkout, autopay, a saved method) of `amounts`, each
    /// invoice with what it takes, pending until Stripe confirms it. Nobody started it until
    /// `created_by` says who did.
    pub fn pending(
        id: BillingId,
        kind: PaymentKind,
        company: &CompanyId,
        currency: &Currency,
        amounts: &[(&Invoice, i64)],
        method: String,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            company_id: company.clone(),
            kind,
            status: PaymentStatus::Pending,
            amount: amounts.iter().map(|(_, amount)| amount).sum(),
            currency: currency.clone(),
            allocations: amounts
                .iter()
                .map(|(invoice, amount)| Allocation {
                    invoice_id: invoice.id.clone(),
                    number: invoice.number.unwrap_or_default(),
                    amount: *amount,
                })
                .collect(),
            unapplied: 0,
            method,
            created_at: at,
            paid_at: None,
            created_by: None,
            created_by_name: String::new(),
            stripe_session: None,
            stripe_payment_intent: None,
            checkout_url: None,
            failure: None,
        }
    }
}

/// A company's billing account: its Stripe customer, default payment method and autopay consent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BillingAccount {
    pub stripe_customer: Option<String>,
    pub default_method: Option<String>,
    pub autopay: Option<AutopayConsent>,
    #[serde(default)]
    pub version: u64,
}

impl BillingAccount {
    pub fn autopay_on(&self) -> bool {
        self.autopay.as_ref().is_some_and(|a| a.enabled) && self.default_method.is_some()
    }
}

/// The exact words a client agrees to when turning autopay on (stored with who and when).
pub const AUTOPAY_CONSENT: &str = "I authorise the MSP to charge our default payment method for the full balance of each invoice when it is issued, until I turn autopay off.";

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AutopayConsent {
    pub enabled: bool,
    /// The words agreed to (when turned on).
    pub text: String,
    pub by_id: UserId,
    pub by_name: String,
    pub by_email: Email,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// A card or bank account saved with Stripe, as we know it: never its number.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PaymentMethod {
    /// Stripe's id (`pm_…`).
    pub id: String,
    pub company_id: CompanyId,
    /// `card` or `us_bank_account`.
    pub kind: String,
    /// `visa`, `mastercard`, … or the bank's name.
    pub brand: String,
    pub last4: String,
    pub exp_month: Option<u32>,
    pub exp_year: Option<u32>,
    #[serde(default)]
    pub nickname: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub added_at: OffsetDateTime,
    /// The expiry month (`yyyy-mm`) a reminder was sent for.
    #[serde(default)]
    pub reminded_for: Option<String>,
}

impl PaymentMethod {
    /// `Visa •••• 4242`.
    pub fn describe(&self) -> String {
        let mut brand = self.brand.clone();
        if let Some(first) = brand.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{brand} •••• {}", self.last4)
    }

    /// `yyyy-mm` of the expiry, for cards.
    pub fn expiry_month(&self) -> Option<String> {
        Some(format!("{:04}-{:02}", self.exp_year?, self.exp_month?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn stored_names_are_the_serialised_ones() {
        for status in [Pending, Succeeded, Failed, Expired] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn a_success_follows_anything_but_a_success_and_nothing_follows_it() {
        let may = |from: PaymentStatus, to: PaymentStatus| to.comes_from().contains(&from);
        for from in [Pending, Failed, Expired] {
            assert!(may(from, Succeeded), "{from:?}");
        }
        for to in [Pending, Succeeded, Failed, Expired] {
            assert!(!may(Succeeded, to), "{to:?}");
        }
        for to in [Failed, Expired] {
            assert_eq!(to.comes_from(), [Pending]);
        }
        assert!(
            Pending.comes_from().is_empty(),
            "nothing goes back to pending"
        );
    }
}

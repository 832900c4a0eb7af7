//! Billing: invoices (this file) and payments, payment methods and autopay consent (`payments`).
//! Money is always an integer number of minor units (cents) plus an ISO 4217 currency code
//! (`domain::money`); never a float. How it works is in docs/billing.md.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

pub use crate::domain::money::{Currency, Money, format_money, plain_amount};
use crate::domain::validate::schema;
use crate::domain::{CompanyId, Email, UserId, random_hex};
use crate::domain::{DomainError, FieldError};

pub use crate::domain::iso_date;

mod billed_time;
mod body;
mod credit;
mod payments;
pub use billed_time::{BilledEntry, BilledOverage, BilledTime};
pub use body::{InvoiceBody, MAX_LINE_DESCRIPTION, line_description};
pub use credit::*;
pub use payments::{
    AUTOPAY_CONSENT, Allocation, AutopayConsent, BillingAccount, Payment, PaymentKind,
    PaymentMethod, PaymentStatus,
};

/// An optional `yyyy-mm-dd` that may be `null`. (`iso_date::option` refuses `null` when the
/// struct is read through `#[serde(flatten)]`, as `POST /api/invoices` does: serde hands it a
/// buffered unit, which only `Option`'s own visitor takes.)
pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => iso_date::deserialize(
            serde::de::IntoDeserializer::<D::Error>::into_deserializer(text.as_str()),
        )
        .map(Some),
    }
}

/// Identifier of an invoice or payment: 24 hex characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct BillingId(String);

impl BillingId {
    pub fn generate() -> Self {
        Self(random_hex(12))
    }
    /// An id derived from other ids (a retried request gets the same one).
    pub fn derived(parts: &[&str]) -> Self {
        Self(crate::domain::sha256_hex(parts.join("\n").as_bytes(), 12))
    }
    /// Any text that is not an id is "not found", as for every other id.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::try_from(raw.to_owned()).map_err(|_| DomainError::NotFound)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BillingId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 24
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s))
        } else {
            Err("invalid id".into())
        }
    }
}

impl From<BillingId> for String {
    fn from(v: BillingId) -> String {
        v.0
    }
}

impl std::fmt::Display for BillingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The most any one amount may be (a billion in major units): far beyond any real invoice, and
/// far below where `i64` arithmetic on sums could overflow.
pub const MAX_AMOUNT: i64 = 100_000_000_000;
pub const MAX_LINES: usize = 200;

/// A quantity with up to three decimals (`1.5` hours), kept as thousandths. Accepted as a string
/// or a whole JSON number; written as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity(pub i64);

/// Most whole units a quantity's digits hold (nine); a line takes at most `MAX_QUANTITY`.
const MAX_WHOLE_QUANTITY: u64 = 999_999_999;
/// Largest quantity of a line, in thousandths (a million units).
pub const MAX_QUANTITY: i64 = 1_000_000_000;

impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let pattern = schema::trimmed(r"([0-9]{1,9}(\.[0-9]{0,3})?|\.[0-9]{1,3})");
        schema::json(serde_json::json!({
            "description": "At least 0, up to three decimals: a string such as \"1.5\", or a whole number. An invoice line takes at most 1,000,000.",
            "example": "1.5",
            "oneOf": [
                {"type": "string", "pattern": pattern},
                {"type": "integer", "minimum": 0, "maximum": MAX_WHOLE_QUANTITY},
            ],
        }))
    }
}
impl ToSchema for Quantity {}

impl Quantity {
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
        if whole.is_empty() && frac.is_empty()
            || whole.len() > 9
            || frac.len() > 3
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac: i64 = format!("{frac:0<3}").parse().ok()?;
        Some(Self(whole * 1000 + frac))
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{}", format!("{whole}.{frac:03}").trim_end_matches('0'))
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
            _ => {
                return Err(serde::de::Error::custom(
                    "a quantity is a string such as \"1.5\" or a whole number",
                ));
            }
        };
        Self::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom("a quantity is a number ≥ 0 with at most 3 decimals")
        })
    }
}

/// `a × b / d`, rounded half away from zero, in 128-bit arithmetic.
pub(crate) fn mul_div_round(a: i64, b: i64, d: i64) -> i64 {
    let p = i128::from(a) * i128::from(b);
    let d = i128::from(d);
    let q = (p.abs() + d / 2) / d;
    let q = if p < 0 { -q } else { q };
    // Out of range only for amounts validation refuses anyway: saturate rather than wrap.
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// One line of an invoice.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Line {
    pub description: String,
    pub quantity: Quantity,
    /// Minor units.
    pub unit_price: i64,
    /// `quantity × unit_price`, rounded to the minor unit.
    pub amount: i64,
}

/// A line as MSP staff write it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    #[schema(schema_with = body::line_description)]
    pub description: String,
    pub quantity: Quantity,
    /// Minor units (cents); may be negative for a discount line.
    #[schema(minimum = -100_000_000_000_i64, maximum = 100_000_000_000_i64)]
    pub unit_price: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Being written by the MSP; clients never see it; has no number.
    Draft,
    /// Sent; may be paid (a balance remains).
    Issued,
    /// Nothing left to pay.
    Paid,
    /// Cancelled after issue; cannot be paid; keeps its number.
    Void,
}

impl InvoiceStatus {
    /// The list an invoice belongs to: `draft`, `open` (outstanding) or `closed` (paid, void).
    pub fn tab(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "open",
            Self::Paid | Self::Void => "closed",
        }
    }
}

/// An invoice, as stored and as the API answers it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Invoice {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub company_name: String,
    /// Assigned when issued, gapless: 1, 2, 3, … (shown as `INV-0001`).
    pub number: Option<u64>,
    pub status: InvoiceStatus,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub lines: Vec<Line>,
    /// Tax rate in basis points (825 = 8.25 %).
    pub tax_rate_bp: u32,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    /// Paid so far (payments that Stripe or the MSP confirmed).
    pub paid: i64,
    /// `total − paid`.
    pub balance: i64,
    #[serde(default, with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<Date>,
    #[serde(default, with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub notes: String,
    /// Tickets this invoice bills (numbers, of the same company).
    #[serde(default)]
    pub tickets: Vec<u64>,
    /// The payments that paid it, oldest first.
    #[serde(default)]
    pub payments: Vec<InvoicePayment>,
    /// Hours a client bought online: credited to the block once this invoice is paid.
    #[serde(default)]
    pub purchase: Option<HoursPurchase>,
    /// Drafted from time: the entries and hours over blocks it bills (given back if the draft is
    /// deleted or the invoice voided).
    #[serde(default)]
    pub billed_time: Option<BilledTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

/// Prepaid hours an invoice sells: `minutes` more on the block `agreement_id` once it is paid.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct HoursPurchase {
    pub agreement_id: BillingId,
    pub agreement_name: String,
    pub minutes: i64,
}

/// What an invoice keeps of a payment that paid (part of) it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InvoicePayment {
    pub payment_id: BillingId,
    /// The part of the payment this invoice took (minor units).
    pub amount: i64,
    /// How it was paid, for people: `Visa •••• 4242`, `Cheque 1042`.
    pub method: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub paid_at: OffsetDateTime,
}

/// The display form of an invoice number.
pub fn invoice_label(number: u64) -> String {
    format!("INV-{number:04}")
}

/// `INV-0007`, `inv-7`, `#7` or `7` → 7.
pub fn parse_invoice_number(raw: &str) -> Option<u64> {
    let t = raw.trim();
    let t = t
        .strip_prefix("INV-")
        .or_else(|| t.strip_prefix("inv-"))
        .or_else(|| t.strip_prefix('#'))
        .unwrap_or(t);
    t.parse().ok().filter(|n| *n > 0)
}

impl Invoice {
    /// A new, empty draft for `company`, in its currency.
    pub fn draft(company: &crate::domain::account::Company, now: OffsetDateTime) -> Self {
        Self {
            id: BillingId::generate(),
            company_id: company.id.clone(),
            company_name: company.name.clone(),
            number: None,
            status: InvoiceStatus::Draft,
            currency: company.currency.clone(),
            lines: Vec::new(),
            tax_rate_bp: 0,
            subtotal: 0,
            tax: 0,
            total: 0,
            paid: 0,
            balance: 0,
            issue_date: None,
            due_date: None,
            notes: String::new(),
            tickets: Vec::new(),
            payments: Vec::new(),
            purchase: None,
            billed_time: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Apply `amount` of `payment` (which this invoice must be able to take) at `now`: paid,
    /// balance, status, the payments list and the version.
    pub fn apply_payment(&mut self, payment: &Payment, amount: i64, now: OffsetDateTime) {
        self.paid += amount;
        self.balance -= amount;
        if self.balance == 0 {
            self.status = InvoiceStatus::Paid;
        }
        self.payments.push(InvoicePayment {
            payment_id: payment.id.clone(),
            amount,
            method: payment.method.clone(),
            paid_at: now,
        });
        self.version += 1;
        self.updated_at = now;
    }

    pub fn label(&self) -> String {
        self.number.map_or_else(|| "Draft".into(), invoice_label)
    }

    /// The hours this invoice credits, once paid: `(block, minutes)`.
    pub fn hours_credit(&self) -> Option<(BillingId, i64)> {
        self.purchase
            .as_ref()
            .filter(|_| self.status == InvoiceStatus::Paid)
            .map(|p| (p.agreement_id.clone(), p.minutes))
    }

    /// Issued, unpaid and past its due date on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status == InvoiceStatus::Issued
            && self.balance > 0
            && self.due_date.is_some_and(|d| d < today)
    }

    /// Recompute line amounts and totals from the lines and tax rate.
    pub fn recompute(&mut self) {
        for line in &mut self.lines {
            line.amount = line.quantity.times(line.unit_price);
        }
        // Saturating: a draft being checked may hold lines whose sum is out of range (refused
        // after, as over the largest amount), and must not overflow on the way.
        self.subtotal = self
            .lines
            .iter()
            .fold(0_i64, |sum, l| sum.saturating_add(l.amount));
        self.tax = mul_div_round(self.subtotal, i64::from(self.tax_rate_bp), 10_000);
        self.total = self.subtotal.saturating_add(self.tax);
        self.balance = self.total.saturating_sub(self.paid);
    }
}

/// Today's date in UTC.
pub fn today(now: OffsetDateTime) -> Date {
    now.to_offset(time::UtcOffset::UTC).date()
}

/// Whether `status` is still open to payment.
pub fn payable(invoice: &Invoice) -> bool {
    invoice.status == InvoiceStatus::Issued && invoice.balance > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_per_currency() {
        assert_eq!(
            format_money(123_450, &Currency::parse("USD").unwrap()),
            "$1,234.50"
        );
        assert_eq!(format_money(5, &Currency::parse("EUR").unwrap()), "€0.05");
        assert_eq!(
            format_money(1200, &Currency::parse("JPY").unwrap()),
            "¥1,200"
        );
        assert_eq!(
            format_money(-100_000_000, &Currency::parse("CHF").unwrap()),
            "-1,000,000.00 CHF"
        );
        assert_eq!(format_money(99, &Currency::parse("USD").unwrap()), "$0.99");
        assert_eq!(
            format_money(12_345_678, &Currency::parse("JPY").unwrap()),
            "¥12,345,678"
        );
        assert_eq!(
            plain_amount(123_450, &Currency::parse("USD").unwrap()),
            "1234.50"
        );
        assert_eq!(
            plain_amount(-310, &Currency::parse("GBP").unwrap()),
            "-3.10"
        );
        assert_eq!(plain_amount(1200, &Currency::parse("JPY").unwrap()), "1200");
    }

    #[test]
    fn quantities_keep_three_decimals() {
        assert_eq!(Quantity::parse("1.5"), Some(Quantity(1500)));
        assert_eq!(Quantity::parse("2"), Some(Quantity(2000)));
        assert_eq!(Quantity::parse(".25"), Some(Quantity(250)));
        assert_eq!(Quantity::parse("1.2345"), None);
        assert_eq!(Quantity::parse("-1"), None);
        assert_eq!(Quantity::parse(""), None);
        assert_eq!(Quantity(1500).to_string(), "1.5");
        assert_eq!(Quantity(2000).to_string(), "2");
    }

    #[test]
    fn totals_round_half_away_from_zero() {
        assert_eq!(mul_div_round(1500, 333, 1000), 500); // 499.5 → 500
        assert_eq!(mul_div_round(10_000, 825, 10_000), 825);
        assert_eq!(mul_div_round(-1500, 333, 1000), -500);
    }

    #[test]
    fn invoice_numbers_parse_loosely() {
        assert_eq!(parse_invoice_number("INV-0007"), Some(7));
        assert_eq!(parse_invoice_number("#12"), Some(12));
        assert_eq!(parse_invoice_number("0"), None);
        assert_eq!(invoice_label(7), "INV-0007");
    }
}

//! Money: integer minor units (cents) and an ISO 4217 currency, never a float; how amounts are
//! written for people (`$1,234.50`) and for spreadsheets (`1234.50`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code, upper case (`USD`, `EUR`, `JPY`). Parsing is the only way in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// The code `raw` spells (any case, surrounding spaces ignored), if it looks like one.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_uppercase();
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(Self(code))
    }

    /// US dollars: a new company's currency until the MSP sets another.
    pub fn usd() -> Self {
        Self("USD".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits after the decimal point of this currency's amounts.
    pub fn minor_digits(&self) -> u32 {
        if ZERO_DECIMAL.contains(&self.as_str()) {
            0
        } else {
            2
        }
    }
}

/// US dollars, as for a new company.
impl Default for Currency {
    fn default() -> Self {
        Self::usd()
    }
}

impl std::ops::Deref for Currency {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("{s:?} is not an ISO 4217 currency code"))
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount: minor units of a currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: &Currency) -> Self {
        Self {
            minor,
            currency: currency.clone(),
        }
    }

    /// For spreadsheets: `1234.50`, `-3.10`, `1200` (JPY): no symbol, no grouping.
    pub fn plain(&self) -> String {
        let digits = self.currency.minor_digits();
        let scale = 10_u64.pow(digits);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if digits == 0 {
            return format!("{sign}{abs}");
        }
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = digits as usize
        )
    }
}

/// For people: `$1,234.50`, `€12.00`, `£3.10`, `¥1,200`, else `1,234.50 CHF`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.plain();
        let (sign, unsigned) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (major, fraction) = unsigned.split_at(unsigned.find('.').unwrap_or(unsigned.len()));
        let mut number = String::new();
        for (i, c) in major.chars().enumerate() {
            if i > 0 && (major.len() - i) % 3 == 0 {
                number.push(',');
            }
            number.push(c);
        }
        number.push_str(fraction);
        let symbol = match self.currency.as_str() {
            "USD" | "CAD" | "AUD" | "NZD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        };
        match symbol {
            Some(s) => write!(f, "{sign}{s}{number}"),
            None => write!(f, "{sign}{number} {}", self.currency),
        }
    }
}

/// `Money::new(amount, currency).plain()`.
pub fn plain_amount(amount: i64, currency: &Currency) -> String {
    Money::new(amount, currency).plain()
}

/// `Money::new(amount, currency)` as people read it.
pub fn format_money(amount: i64, currency: &Currency) -> String {
    Money::new(amount, currency).to_string()
}

/// Currencies Stripe treats as having no minor unit.
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_parsed_and_stored_as_strings() {
        assert_eq!(Currency::parse(" eur ").unwrap().as_str(), "EUR");
        assert!(Currency::parse("EURO").is_none() && Currency::parse("E1R").is_none());
        let json = serde_json::to_string(&Currency::usd()).unwrap();
        assert_eq!(json, "\"USD\"");
        assert!(serde_json::from_str::<Currency>("\"usdollar\"").is_err());
        assert_eq!(Currency::parse("JPY").unwrap().minor_digits(), 0);
    }
}

//! Every DynamoDB key format, in one place. Nothing else spells `CO#…` or `USER#…`.
//!
//! | item        | pk                      | sk                | gsi1pk      | gsi1sk            |
//! |-------------|-------------------------|-------------------|-------------|-------------------|
//! | company     | `CO#{company}`          | `COMPANY`         | `COMPANIES` | `{name lc}#{id}`  |
//! | user        | `CO#{company}`          | `USER#{user}`     |             |                   |
//! | session     | `CO#{company}`          | `SESSION#{user}#{id}` |         |                   |
//! | MFA         | `CO#{company}`          | `MFA#{user}`      |             |                   |
//! | audit entry | `CO#{company}`          | `AUDIT#{time}#{id}` | `AUD#{c}#U#{actor}` (gsi3) | `{time}#{id}` |
//! | token       | `TOKEN#{sha256}`        | `TOKEN`           |             |                   |
//! | MFA fails   | `MFAFAIL#{user}`        | `W#{window}`      |             |                   |
//! | challenge   | `MFAFAIL#{user}`        | `C#{challenge}`   |             |                   |
//! | reset reqs  | `RESETREQ#{email}`      | `W#{window}`      |             |                   |
//! | credential  | `LOGIN#{email}`         | `LOGIN`           |             |                   |
//! | linked tenant or domain | `IDPLINK#tenant|domain#{value}` | `IDPLINK` |  |               |
//! | spent state | `SSOSTATE#{sha256}`     | `SSOSTATE`        |             |                   |
//! | login fails | `LOGINFAIL#{email}`     | `W#{window}`      |             |                   |
//! | … per place | `LOGINFAIL#{email}`     | `W#{window}#FROM#{place}` |     |                   |
//! | place fails | `PLACEFAIL#{place}`     | `PW#{window}`     |             |                   |
//! | settings    | `SETTINGS`              | `TICKETS`         |             |                   |
//! | ticket      | `CO#{company}`          | `TICKET#{n:010}`  | `TK#{c}#{tab}` | `{n:010}`     |
//! | note        | `CO#{company}`          | `TICKET#{n:010}#N|X#{created}#{id}` |  |              |
//! | ticket no.  | `TICKETNO#{n}`          | `TICKETNO`        |             |                   |
//! | counter     | `COUNTER`               | `{name}`          |             |                   |
//! | invoice     | `CO#{company}`          | `INVOICE#{id}`    | `INV#{c}#{tab}` | `{due}#{id}` (gsi2: `INVQ#{tab}`, `{due}#{c}#{id}`) |
//! | invoice no. | `INVOICENO#{n}`         | `INVOICENO`       |             |                   |
//! | payment     | `CO#{company}`          | `PAYMENT#{id}`    | `PAY#{c}` (once succeeded) | `{paid}#{id}` |
//! | billing acct| `CO#{company}`          | `BILLING`         |             |                   |
//! | pay method  | `CO#{company}`          | `PAYMETHOD#{pm}`  | `PMEXP#{yyyy-mm}` | `{c}#{pm}`  |
//! | Stripe cust.| `STRIPECUS#{cus}`       | `STRIPECUS`       |             |                   |
//! | Stripe event| `STRIPEEVT#{evt}`       | `STRIPEEVT`       |             |                   |
//! | project     | `CO#{company}`          | `PROJECT#{n:010}` | `PRJ#{c}#{tab}` | `{expected}#{n:010}` (gsi2: `PRJQ#{tab}`, `{expected}#{c}#{n:010}`) |
//! | project tkt | `CO#{company}`          | `PROJECT#{n:010}#T#{t:010}` |   |                   |
//! | project no. | `PROJECTNO#{n}`         | `PROJECTNO`       |             |                   |
//! | report month| `CO#{company}` or `REPORTS` | `RPT#{yyyy-mm}` |  |              |
//! | tkt stats   | `CO#{company}`          | `STATS#T#C#OPEN`, `STATS#T#C#M#{yyyy-mm}`, and `STATS#T#U#{user}#…` per contact | | |
//!
//! The ticket layout is explained in docs/tickets.md, the project layout in docs/projects.md, the
//! knowledge base's in `kb` (its own partitions: articles are the MSP's, not a client's).
//!
//! Everything a client company owns lives under its `CO#` partition. The credential and
//! failure-counter items are the exception: sign-in starts from an email address, before the
//! company is known, and an email must be unique across the whole portal. Settings are the MSP's,
//! not any one client's.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use crate::domain::{CompanyId, Email, SessionId, UserId};

mod agreements;
mod configurations;
mod credit;
mod documents;
mod kb;
mod projects;
mod quotes;
mod reports;
mod sign_in;
mod tickets;
pub use agreements::*;
pub use configurations::*;
pub use credit::*;
pub use documents::*;
pub use kb::*;
pub use projects::*;
pub use quotes::*;
pub use reports::*;
pub use sign_in::*;
pub use tickets::*;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// A global secondary index: its name and key attributes (`gsiN` on `gsiNpk`/`gsiNsk`, all strings,
/// projection ALL). Only this module spells those names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

impl Index {
    /// Put `item` into this index at partition `pk`, sorted by `sk`.
    pub fn put(self, item: &mut HashMap<String, AttributeValue>, pk: String, sk: String) {
        item.insert(self.pk.to_owned(), AttributeValue::S(pk));
        item.insert(self.sk.to_owned(), AttributeValue::S(sk));
    }
}

const fn gsi(name: &'static str, pk: &'static str, sk: &'static str) -> Index {
    Index { name, pk, sk }
}

/// Every global secondary index the table has.
pub const INDEXES: [Index; 7] = [
    gsi("gsi1", "gsi1pk", "gsi1sk"),
    gsi("gsi2", "gsi2pk", "gsi2sk"),
    gsi("gsi3", "gsi3pk", "gsi3sk"),
    gsi("gsi4", "gsi4pk", "gsi4sk"),
    gsi("gsi5", "gsi5pk", "gsi5sk"),
    gsi("gsi6", "gsi6pk", "gsi6sk"),
    gsi("gsi7", "gsi7pk", "gsi7sk"),
];

// Which index each list lives in. Writers and readers both name these, never a number.

/// MSP staff's directory of companies, by lower-cased name.
pub const COMPANY_DIRECTORY_INDEX: Index = INDEXES[0];
/// The search index across companies: word items by word and ticket number.
pub const TICKET_WORDS_INDEX: Index = INDEXES[0];
/// A company's audit entries by actor, by time.
pub const AUDIT_BY_ACTOR_INDEX: Index = INDEXES[2];
/// A company's invoices in one tab, by due date.
pub const INVOICE_TABS_INDEX: Index = INDEXES[0];
/// Every company's invoices in one tab (the MSP's view), by due date.
pub const INVOICE_QUEUE_INDEX: Index = INDEXES[1];
/// A company's succeeded payments, by time.
pub const PAYMENT_HISTORY_INDEX: Index = INDEXES[0];
/// Cards by expiry month, across companies.
pub const CARD_EXPIRY_INDEX: Index = INDEXES[0];

pub const TTL: &str = "ttl";

/// A primary key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn to_item(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }
}

pub fn company_partition(company: &CompanyId) -> String {
    format!("CO#{company}")
}

pub fn company(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "COMPANY".into(),
    }
}

/// The company directory (GSI1) that MSP staff list and search.
pub const COMPANY_DIRECTORY: &str = "COMPANIES";

pub fn company_directory_sort(name: &str, company: &CompanyId) -> String {
    format!("{}#{company}", name.to_lowercase())
}

pub const USER_PREFIX: &str = "USER#";

pub fn user(company: &CompanyId, user: &UserId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{USER_PREFIX}{user}"),
    }
}

/// A session, under its user, so one Query lists a user's sessions.
pub fn session(company: &CompanyId, user: &UserId, session: &SessionId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}{session}", session_prefix(user)),
    }
}

pub fn session_prefix(user: &UserId) -> String {
    format!("SESSION#{user}#")
}

/// A user's second factor (TOTP enrolment and recovery codes).
pub fn mfa(company: &CompanyId, user: &UserId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("MFA#{user}"),
    }
}

/// Failed second-factor codes of one user in one time window.
pub fn mfa_failures(user: &UserId, window: i64) -> Key {
    Key {
        pk: format!("MFAFAIL#{user}"),
        sk: format!("W#{window}"),
    }
}

/// Password-reset requests for one email in one time window (a mailbox is not flooded).
pub fn reset_requests(email: &Email, window: i64) -> Key {
    Key {
        pk: format!("RESETREQ#{email}"),
        sk: format!("W#{window}"),
    }
}

/// An invitation or password-reset token, by the SHA-256 of its secret (the secret itself is never
/// stored). Expires by TTL; single use by deletion.
pub fn account_token(hash: &str) -> Key {
    Key {
        pk: format!("TOKEN#{hash}"),
        sk: "TOKEN".into(),
    }
}

pub const AUDIT_PREFIX: &str = "AUDIT#";

/// An audit entry in its company's trail, in time order.
pub fn audit(company: &CompanyId, at: time::OffsetDateTime, id: &crate::domain::AuditId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{AUDIT_PREFIX}{}", audit_sort(at, id)),
    }
}

pub fn audit_sort(at: time::OffsetDateTime, id: &crate::domain::AuditId) -> String {
    format!("{}#{id}", sortable_time(at))
}

/// One actor's entries in a company's trail: gsi3, sorted by `audit_sort`.
pub fn audit_actor(company: &CompanyId, actor: &UserId) -> String {
    format!("AUD#{company}#U#{actor}")
}

/// Second-factor attempts made with one sign-in challenge.
pub fn mfa_challenge_failures(user: &UserId, challenge: &str) -> Key {
    Key {
        pk: format!("MFAFAIL#{user}"),
        sk: format!("C#{challenge}"),
    }
}

/// Sign-in attempts for one email from one place (an IPv4 address or an IPv6 /64) in one window.
pub fn login_failures_from(email: &Email, place: &str, window: i64) -> Key {
    Key {
        pk: format!("LOGINFAIL#{email}"),
        sk: format!("W#{window}#FROM#{place}"),
    }
}

/// Sign-in attempts from one place, whatever the email, in one window.
pub fn place_failures(place: &str, window: i64) -> Key {
    Key {
        pk: format!("PLACEFAIL#{place}"),
        sk: format!("PW#{window}"),
    }
}

pub fn credential(email: &Email) -> Key {
    Key {
        pk: format!("LOGIN#{email}"),
        sk: "LOGIN".into(),
    }
}

/// Failed sign-ins for one email in one fixed time window (`window` = seconds since epoch / window
/// length).
pub fn login_failures(email: &Email, window: i64) -> Key {
    Key {
        pk: format!("LOGINFAIL#{email}"),
        sk: format!("W#{window}"),
    }
}

/// The S3 object key of an invoice's PDF, one per version of the invoice.
pub fn invoice_pdf_object(
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
    version: u64,
) -> String {
    format!("{company}/invoices/{id}/v{version}.pdf")
}

/// Atomic counters for human numbers (`TICKET`, later `INVOICE`).
pub fn counter(name: &str) -> Key {
    Key {
        pk: "COUNTER".into(),
        sk: name.into(),
    }
}

/// A UTC time as a fixed-width string that sorts in time order (RFC 3339 with all nine fraction
/// digits; plain RFC 3339 formatting drops trailing zeros, which breaks lexical order).
pub fn sortable_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

/// A create a user may retry: the `Idempotency-Key` they sent, remembered for a day (TTL).
pub fn idempotency(user: &crate::domain::UserId, key: &str) -> Key {
    Key {
        pk: format!("IDEM#{user}#{key}"),
        sk: "IDEM".into(),
    }
}

/// A create of `what` (`project`, …) a user may retry: as `idempotency`, in its own space so a
/// key sent for one kind of create never answers another.
pub fn idempotency_of(user: &crate::domain::UserId, what: &str, key: &str) -> Key {
    Key {
        pk: format!("IDEM#{user}#{what}#{key}"),
        sk: "IDEM".into(),
    }
}

/// An invoice. Its list keys come from `invoice_tab`/`invoice_queue` and `invoice_sort`.
pub fn invoice(company: &CompanyId, id: &crate::domain::billing::BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("INVOICE#{id}"),
    }
}

/// A company's invoices in one tab (`draft`, `open`, `closed`): gsi1, sorted by `invoice_sort`.
pub fn invoice_tab(company: &CompanyId, tab: &str) -> String {
    format!("INV#{company}#{tab}")
}

/// Every company's invoices in one tab (the MSP's view): gsi2, sorted by `invoice_queue_sort`.
pub fn invoice_queue(tab: &str) -> String {
    format!("INVQ#{tab}")
}

/// Invoices sort by due date (drafts without one first), then id.
pub fn invoice_sort(due: Option<time::Date>, id: &crate::domain::billing::BillingId) -> String {
    format!(
        "{}#{id}",
        due.map_or_else(|| "0000-00-00".into(), |d| d.to_string())
    )
}

pub fn invoice_queue_sort(
    due: Option<time::Date>,
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
) -> String {
    format!(
        "{}#{company}#{id}",
        due.map_or_else(|| "0000-00-00".into(), |d| d.to_string())
    )
}

/// Which company and invoice carry number `n` (search by number; unique numbers).
pub fn invoice_number(number: u64) -> Key {
    Key {
        pk: format!("INVOICENO#{number}"),
        sk: "INVOICENO".into(),
    }
}

pub fn payment(company: &CompanyId, id: &crate::domain::billing::BillingId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("PAYMENT#{id}"),
    }
}

/// A company's succeeded payments, newest first: gsi1 partition (sort: `sortable_time(paid)#id`).
pub fn payment_history(company: &CompanyId) -> String {
    format!("PAY#{company}")
}

/// A company's billing account (Stripe customer, default method, autopay).
pub fn billing_account(company: &CompanyId) -> Key {
    Key {
        pk: company_partition(company),
        sk: "BILLING".into(),
    }
}

pub const PAYMENT_METHOD_PREFIX: &str = "PAYMETHOD#";

pub fn payment_method(company: &CompanyId, id: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{PAYMENT_METHOD_PREFIX}{id}"),
    }
}

/// Marks a payment method removed (detached in Stripe, which never re-attaches it): a late or
/// out-of-order event about it must not bring it back. Expires by TTL.
pub fn removed_payment_method(company: &CompanyId, id: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("PMREMOVED#{id}"),
    }
}

/// Cards expiring in month `yyyy-mm`, across companies (reminders): gsi1 partition.
pub fn card_expiry(month: &str) -> String {
    format!("PMEXP#{month}")
}

/// Which company a Stripe customer is.
pub fn stripe_customer(customer: &str) -> Key {
    Key {
        pk: format!("STRIPECUS#{customer}"),
        sk: "STRIPECUS".into(),
    }
}

/// Marks that `invoice`'s reminder for being `days` days overdue was sent (each one once).
pub fn overdue_reminder(
    company: &CompanyId,
    id: &crate::domain::billing::BillingId,
    days: u32,
) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("OVERDUE#{id}#{days}"),
    }
}

/// A Stripe event already applied (webhooks are delivered at least once). Expires by TTL.
pub fn stripe_event(event: &str) -> Key {
    Key {
        pk: format!("STRIPEEVT#{event}"),
        sk: "STRIPEEVT".into(),
    }
}

/// The MSP's ticket settings.
pub fn ticket_settings() -> Key {
    Key {
        pk: "SETTINGS".into(),
        sk: "TICKETS".into(),
    }
}

/// How far the hourly job has marked missed ticket targets.
pub fn targets_watermark() -> Key {
    Key {
        pk: "SETTINGS".into(),
        sk: "TARGETS-CHECKED".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_formats_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        let user_id = UserId::parse("u1").unwrap();
        let email = Email::parse("A@Acme.example").unwrap();
        assert_eq!(
            company(&co),
            Key {
                pk: "CO#acme-dental".into(),
                sk: "COMPANY".into()
            }
        );
        assert_eq!(
            user(&co, &user_id),
            Key {
                pk: "CO#acme-dental".into(),
                sk: "USER#u1".into()
            }
        );
        assert_eq!(
            session(&co, &user_id, &SessionId::parse("s1").unwrap()).sk,
            "SESSION#u1#s1"
        );
        assert_eq!(credential(&email).pk, "LOGIN#a@acme.example");
        assert_eq!(login_failures(&email, 7).sk, "W#7");
        assert_eq!(
            company_directory_sort("Acme Dental", &co),
            "acme dental#acme-dental"
        );
    }
}

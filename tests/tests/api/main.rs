//! The API tests: one test binary (the AWS SDK and the four functions linked once), a module per
//! area. Each test starts a `TestApp` with its own table on the shared moto_server and calls the
//! real functions' handlers in-process, as the HTTP API would.

mod access;
mod accounts;
mod agreements;
mod billing;
mod company_preferences;
mod configurations;
mod contract;
mod email;
mod events;
mod foundation;
mod infra;
mod kb;
mod kb_counters;
mod limits;
mod my_account;
mod passkeys;
mod projects;
mod quotes;
mod reports;
mod reports_executive;
mod sso;
mod ticket_closing;
mod ticket_people;
mod ticket_targets;
mod ticket_views;
mod tickets;
mod time_invoices;

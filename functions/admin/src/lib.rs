//! The operator's and developer's admin tool (`portal-admin`) and the demo seed it writes. Its own
//! crate, so no Lambda function links the demo data.

pub mod seed;

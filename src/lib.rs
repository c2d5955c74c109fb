//! Bron: one source, every channel. A structured-content hub for public
//! service: a content model in `content-model/`, a SQLite store, a publishing
//! workflow and a GraphQL API generated from the model.
//!
//! The crate is layered: [`http`] and the CLI sit on top of [`graphql`] and
//! [`hub`]; [`hub`] is the application core and the only caller of [`store`];
//! [`model`] is pure and used by all of them; [`domain`] holds the records
//! and statuses every layer names; [`metrics`] the operational counters
//! every layer records into. See ARCHITECTURE.md.

pub mod admin;
pub mod cli;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod hub;
pub mod import;
pub mod metrics;
pub mod model;
pub mod render;
pub mod rules;
pub mod search;
pub mod server;
pub mod store;

pub use error::{Error, Result};

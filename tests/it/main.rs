//! The one integration-test binary. Every test runs against real parts: a
//! SQLite file in a temporary directory, the real router (driven with
//! `oneshot`, or over a real socket where HTTP itself is under test).

mod support;

mod admin;
mod api;
mod batch;
mod browser;
mod caching;
mod changes;
mod channels;
mod chatbot;
mod cli;
mod clients;
mod cors;
mod examples;
mod import;
mod metrics;
mod model;
mod persisted;
mod relay;
mod relevance;
mod rules;
mod search;
mod switches;
mod users;
mod webhooks;
mod workflow;

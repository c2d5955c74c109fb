//! Letter text for a product, with its merge fields filled in: what a
//! document system would ask Bron for.
//!
//! ```sh
//! cargo run --example letter -- --product paspoort-aanvragen \
//!     --var ontvanger.naam="mevrouw De Vries" --var aanvraag.datum="3 december 2026"
//! ```
//!
//! The text goes to stdout. Merge fields left without a value stay in the
//! text as `{{name}}` and are named on stderr as a warning; the exit code is
//! still 0. An unknown product exits with code 1.

use clap::Parser;
use serde_json::json;

#[path = "client/mod.rs"]
mod client;
use client::{Client, fail};

/// Prints a product's letter rendering with merge fields filled in.
#[derive(Parser)]
struct Args {
    /// Bron's GraphQL endpoint.
    #[arg(long, env = "BRON_URL", default_value = client::DEFAULT_URL)]
    url: String,
    /// The product's slug, e.g. paspoort-aanvragen.
    #[arg(long)]
    product: String,
    /// The product's language.
    #[arg(long, default_value = "nl")]
    locale: String,
    /// A merge field's value as NAME=VALUE (split at the first `=`); repeat
    /// for more fields.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

const LETTER: &str = r#"query($slug: String!, $locale: String, $vars: [MergeVariable!]) {
  product(slug: $slug, locale: $locale) {
    rendered(channel: LETTER, variables: $vars) { text mergeFields missingVariables missingFacts } } }"#;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    client::quiet_on_closed_stdout();
    let args = Args::parse();
    let client = Client::or_exit(&args.url, None);
    let vars: Vec<_> = args
        .vars
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    let data = client
        .query(
            LETTER,
            json!({ "slug": args.product, "locale": args.locale, "vars": vars }),
        )
        .await;
    let r = &data["product"]["rendered"];
    if r.is_null() {
        fail(format!(
            "no published product `{}` in locale {}",
            args.product, args.locale
        ));
    }
    let names = |key: &str| -> Vec<String> {
        r[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let fields = names("mergeFields");
    for (name, _) in &args.vars {
        if !fields.contains(name) {
            eprintln!(
                "warning: `{name}` is not a merge field of this letter (it has: {})",
                if fields.is_empty() {
                    "none".to_string()
                } else {
                    fields.join(", ")
                }
            );
        }
    }
    let missing = names("missingVariables");
    if !missing.is_empty() {
        eprintln!(
            "warning: merge fields without a value, left in the text as {{{{name}}}}: {}",
            missing.join(", ")
        );
    }
    let facts = names("missingFacts");
    if !facts.is_empty() {
        eprintln!(
            "warning: facts without a live value, left out of the text: {}",
            facts.join(", ")
        );
    }
    println!("{}", r["text"].as_str().unwrap_or("").trim_end());
}

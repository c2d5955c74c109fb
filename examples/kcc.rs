//! A KCC agent's terminal tool: search the knowledge base, or open the
//! gesprekscode a citizen reads out after the chatbot handed over. Needs an
//! agent token (`cargo run -- token create --role agent --name balie`).
//!
//! ```sh
//! cargo run --example kcc -- --token "$TOKEN" zoek paspoort kwijt
//! cargo run --example kcc -- --token "$TOKEN" code K7MQ-4XPA
//! BRON_TOKEN=... cargo run --example kcc -- code k7mq 4xpa
//! ```
//!
//! Exits with code 1 when the code is unknown or has expired.

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[path = "client/mod.rs"]
mod client;
use client::{Client, fail};

/// Searches Bron as a KCC agent, or opens a chatbot hand-over.
#[derive(Parser)]
struct Args {
    /// Bron's GraphQL endpoint.
    #[arg(long, env = "BRON_URL", default_value = client::DEFAULT_URL)]
    url: String,
    /// An agent token (or higher).
    #[arg(long, env = "BRON_TOKEN", hide_env_values = true)]
    token: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Search: the best hit in full, as the KCC sees it; the others by title.
    Zoek {
        /// What the caller asks about.
        #[arg(required = true, num_args = 1..)]
        words: Vec<String>,
    },
    /// Open a gesprekscode: the citizen's question, why the chatbot handed
    /// over, and the answer it showed, as it is now.
    Code {
        /// The code as read out, e.g. K7MQ-4XPA (case, spaces and dash do not matter).
        #[arg(required = true, num_args = 1..)]
        code: Vec<String>,
    },
}

const SEARCH: &str = r#"query($q: String!) { search(query: $q, first: 5, channel: "kcc") {
  totalCount suggestion
  hits { item { type slug title rendered(channel: KCC) { text } } } } }"#;

const HANDOVER: &str = r#"query($c: String!) { handover(code: $c) {
  code reason question channel shownVersion itemChanged createdAt expiresAt
  item { type slug title version rendered(channel: KCC) { text } } } }"#;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    client::quiet_on_closed_stdout();
    let args = Args::parse();
    let client = Client::or_exit(&args.url, Some(args.token));
    match args.command {
        Command::Zoek { words } => search(&client, &words.join(" ")).await,
        Command::Code { code } => handover(&client, &code.join(" ")).await,
    }
}

async fn search(client: &Client, query: &str) {
    let data = client.query(SEARCH, json!({ "q": query })).await;
    let s = &data["search"];
    let hits = s["hits"].as_array().cloned().unwrap_or_default();
    if let Some(suggestion) = s["suggestion"].as_str() {
        println!("Bedoelde u: {suggestion}?\n");
    }
    let Some((best, others)) = hits.split_first() else {
        println!("Niets gevonden voor \"{query}\".");
        return;
    };
    let item = &best["item"];
    println!("== {} ==", label(item));
    println!(
        "{}",
        item["rendered"]["text"].as_str().unwrap_or("").trim_end()
    );
    if !others.is_empty() {
        println!("\nOok gevonden:");
        for hit in others {
            println!("  - {}", label(&hit["item"]));
        }
    }
    let total = s["totalCount"].as_i64().unwrap_or(0);
    if total > hits.len() as i64 {
        println!("  ({total} resultaten in totaal)");
    }
}

/// "Title (type slug)".
fn label(item: &Value) -> String {
    format!(
        "{} ({} {})",
        item["title"].as_str().unwrap_or("?"),
        item["type"].as_str().unwrap_or("?"),
        item["slug"].as_str().unwrap_or("?")
    )
}

async fn handover(client: &Client, code: &str) {
    let data = client.query(HANDOVER, json!({ "c": code })).await;
    let h = &data["handover"];
    if h.is_null() {
        fail(format!(
            "gesprekscode {code} is onbekend of verlopen (codes gelden een beperkte tijd); vraag de inwoner de code nog eens voor te lezen"
        ));
    }
    let reason = match h["reason"].as_str().unwrap_or("") {
        "WEAK_MATCH" => "het antwoord van de chatbot was onzeker",
        "NO_MATCH" => "de chatbot vond geen antwoord",
        "SENSITIVE" => "het onderwerp is complex of gevoelig",
        "ASKED_FOR_PERSON" => "de inwoner vroeg om een medewerker",
        other => other,
    };
    println!(
        "Gesprekscode {} ({}, {}; geldig tot {})",
        h["code"].as_str().unwrap_or(code),
        h["channel"].as_str().unwrap_or("?"),
        h["createdAt"].as_str().unwrap_or("?"),
        h["expiresAt"].as_str().unwrap_or("?")
    );
    println!("Vraag: {}", h["question"].as_str().unwrap_or(""));
    println!("Reden: {reason}");
    let item = &h["item"];
    if item.is_null() {
        if h["shownVersion"].is_null() {
            println!("Getoond antwoord: geen");
        } else {
            println!("Getoond antwoord: niet meer beschikbaar (offline gehaald of verwijderd)");
        }
        return;
    }
    let changed = if h["itemChanged"] == true {
        format!(
            "getoond versie {}, GEWIJZIGD sinds het gesprek: nu versie {}",
            h["shownVersion"], item["version"]
        )
    } else {
        format!("versie {}, ongewijzigd sinds het gesprek", item["version"])
    };
    println!("Getoond antwoord: {}, {changed}", label(item));
    println!(
        "\n{}",
        item["rendered"]["text"].as_str().unwrap_or("").trim_end()
    );
}

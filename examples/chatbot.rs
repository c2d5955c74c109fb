//! A chatbot in the terminal: questions in on stdin, one a line; answers out
//! on stdout, with their source, follow-ups and, when Bron offers one, the
//! hand-over to a person with its gesprekscode.
//!
//! ```sh
//! cargo run --example chatbot
//! printf 'Wat kost een paspoort?\nquit\n' | cargo run --example chatbot
//! printf 'check paspoort-aanvragen\nja\nLindewaard\nja\n34\n' | cargo run --example chatbot
//! ```
//!
//! Type a follow-up's number to open it. When an answer can be checked
//! against the citizen's situation (a follow-up of kind `eligibility`) the
//! bot offers the check; `check <product-slug>` starts it for any product.
//! `quit` or end of input stops.

use std::io::{BufRead, IsTerminal, Write};

use clap::Parser;
use serde_json::{Value, json};

#[path = "client/mod.rs"]
mod client;
use client::Client;

/// Answers questions from stdin through Bron's `answer`, as a chatbot would.
#[derive(Parser)]
struct Args {
    /// Bron's GraphQL endpoint.
    #[arg(long, env = "BRON_URL", default_value = client::DEFAULT_URL)]
    url: String,
}

const ANSWER: &str = r#"query($q: String!) { answer(question: $q, channel: CHATBOT) {
  weak
  item { id title }
  rendered { text source { title version reviewBy } followUps { kind itemId title } }
  alternatives { id title }
  handover { code reason message } } }"#;

const OPEN: &str = r#"query($id: ID!) { item(id: $id) { id title
  rendered(channel: CHATBOT) { text source { title version reviewBy } followUps { kind itemId title } } } }"#;

const PRODUCT: &str = r#"query($slug: String!) { product(slug: $slug) { id title } }"#;

const CHECK: &str = r#"query($p: ID!, $a: [EligibilityAnswer!]) { checkEligibility(product: $p, answers: $a) {
  outcome notice invalidAnswers
  product { title }
  nextQuestion { name kind ask }
  decidingCondition { condition { title ... on Condition { text explanation(channel: CHATBOT) } } }
  conditions { status rule condition { title } } } }"#;

/// Something the citizen can pick by number.
struct Choice {
    kind: String,
    id: String,
    title: String,
}

enum Flow {
    Go,
    Quit,
}

struct Input {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
    interactive: bool,
}

impl Input {
    /// The next line, trimmed; None at the end of input. Interactive users
    /// get a prompt; piped lines are echoed, so the output reads as a
    /// conversation.
    fn read(&mut self, prompt: &str) -> Option<String> {
        if self.interactive {
            print!("{prompt}");
            let _ = std::io::stdout().flush();
        }
        let line = match self.lines.next() {
            Some(Ok(line)) => line.trim().to_string(),
            _ => return None,
        };
        if !self.interactive {
            println!("{prompt}{line}");
        }
        Some(line)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    client::quiet_on_closed_stdout();
    let args = Args::parse();
    let client = Client::or_exit(&args.url, None);
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut input = Input {
        lines: stdin.lock().lines(),
        interactive,
    };
    if interactive {
        println!(
            "Stel uw vraag. Typ een nummer om een vervolgvraag te openen, \
             'check <product>' om na te gaan of u in aanmerking komt, of 'quit' om te stoppen."
        );
    }
    let mut choices: Vec<Choice> = Vec::new();
    let mut pending: Option<String> = None;
    loop {
        let line = match pending.take() {
            Some(line) => line,
            None => match input.read("> ") {
                Some(line) => line,
                None => break,
            },
        };
        if line.is_empty() {
            continue;
        }
        if is_quit(&line) {
            break;
        }
        let command = line
            .split_once(' ')
            .map_or(line.as_str(), |(first, _)| first);
        let flow = if command.eq_ignore_ascii_case("check") {
            match line[command.len()..].trim() {
                "" => {
                    println!("Typ 'check <product>', bijvoorbeeld 'check paspoort-aanvragen'.\n");
                    Flow::Go
                }
                slug => check_slug(&client, &mut input, slug).await,
            }
        } else if let Some(choice) = line
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| choices.get(i))
        {
            if choice.kind == "eligibility" {
                eligibility(&client, &mut input, &choice.id).await
            } else {
                let data = client.query(OPEN, json!({ "id": choice.id })).await;
                let item = &data["item"];
                if item.is_null() {
                    println!("Dat onderwerp is niet meer beschikbaar.");
                } else {
                    choices = show(&item["rendered"], false, &[]);
                }
                println!();
                Flow::Go
            }
        } else {
            let data = client.query(ANSWER, json!({ "q": line })).await;
            let a = &data["answer"];
            let weak = a["weak"] == true;
            let alternatives = a["alternatives"].as_array().cloned().unwrap_or_default();
            let message = a["handover"]["message"].as_str();
            if a["handover"]["reason"] == "ASKED_FOR_PERSON" {
                // Whoever asks for a person hears how to reach one first;
                // the answer found, if any, comes after it.
                println!("{}", message.unwrap_or_default());
                if !a["rendered"].is_null() {
                    println!("\nMisschien helpt dit u alvast:\n");
                    choices = show(&a["rendered"], false, &[]);
                } else {
                    choices = Vec::new();
                }
            } else {
                if a["rendered"].is_null() {
                    println!("Daar heb ik helaas geen antwoord op.");
                    choices = Vec::new();
                } else {
                    choices = show(&a["rendered"], weak, &alternatives);
                }
                if let Some(message) = message {
                    println!("\n{message}");
                }
            }
            println!();
            match choices.iter().find(|c| c.kind == "eligibility") {
                Some(c) => {
                    let product = c.id.clone();
                    offer_check(&client, &mut input, &product, &mut pending).await
                }
                None => Flow::Go,
            }
        };
        if let Flow::Quit = flow {
            break;
        }
    }
}

fn is_quit(line: &str) -> bool {
    matches!(
        line.to_lowercase().as_str(),
        "quit" | "exit" | "stop" | "doei" | "dag"
    )
}

/// Prints a rendering: the text, its source and the follow-ups, numbered.
/// Returns what the numbers stand for.
fn show(r: &Value, weak: bool, alternatives: &[Value]) -> Vec<Choice> {
    if weak {
        println!("Ik weet niet zeker of dit uw vraag beantwoordt:\n");
    }
    println!("{}", r["text"].as_str().unwrap_or("").trim_end());
    let s = &r["source"];
    let mut source = format!(
        "\nBron: {}, versie {}",
        s["title"].as_str().unwrap_or("?"),
        s["version"]
    );
    if let Some(review) = s["reviewBy"].as_str() {
        source.push_str(&format!(", gecontroleerd tot {review}"));
    }
    println!("{source}");

    let mut choices: Vec<Choice> = r["followUps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| Choice {
            kind: f["kind"].as_str().unwrap_or("").to_string(),
            id: f["itemId"].as_str().unwrap_or("").to_string(),
            title: f["title"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    if !choices.is_empty() {
        println!("\nMeer weten? Typ het nummer:");
        for (i, c) in choices.iter().enumerate() {
            println!("  {}. {}", i + 1, c.title);
        }
    }
    if weak && !alternatives.is_empty() {
        println!("\nOf bedoelt u:");
        for a in alternatives {
            choices.push(Choice {
                kind: "alternative".into(),
                id: a["id"].as_str().unwrap_or("").to_string(),
                title: a["title"].as_str().unwrap_or("").to_string(),
            });
            println!("  {}. {}", choices.len(), choices.last().unwrap().title);
        }
    }
    choices
}

/// Offers the eligibility check of `product`; a reply other than yes or no
/// is taken as the next question.
async fn offer_check(
    client: &Client,
    input: &mut Input,
    product: &str,
    pending: &mut Option<String>,
) -> Flow {
    println!("Wilt u nagaan of u hiervoor in aanmerking komt? (ja/nee)");
    let Some(reply) = input.read("> ") else {
        return Flow::Quit;
    };
    match yes_no(&reply) {
        Some(true) => eligibility(client, input, product).await,
        Some(false) => Flow::Go,
        None => {
            *pending = Some(reply);
            Flow::Go
        }
    }
}

async fn check_slug(client: &Client, input: &mut Input, slug: &str) -> Flow {
    let data = client.query(PRODUCT, json!({ "slug": slug })).await;
    match data["product"]["id"].as_str() {
        Some(id) => eligibility(client, input, id).await,
        None => {
            println!("Ik ken geen product '{slug}'.\n");
            Flow::Go
        }
    }
}

fn yes_no(reply: &str) -> Option<bool> {
    match reply.to_lowercase().trim_end_matches(['.', '!']) {
        "ja" | "j" | "yes" | "y" | "jazeker" | "graag" | "ja graag" => Some(true),
        "nee" | "n" | "no" | "nee dank u" | "liever niet" => Some(false),
        _ => None,
    }
}

/// The eligibility dialogue: asks what `checkEligibility` needs, one
/// question at a time, until the outcome is known.
async fn eligibility(client: &Client, input: &mut Input, product: &str) -> Flow {
    let mut answers: Vec<(String, String)> = Vec::new();
    let mut first = true;
    for _ in 0..100 {
        let list: Vec<Value> = answers
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        let data = client
            .query(CHECK, json!({ "p": product, "a": list }))
            .await;
        let c = &data["checkEligibility"];
        if first {
            println!(
                "Ik stel u een paar vragen over: {}. Typ 'stop' om te stoppen.",
                c["product"]["title"].as_str().unwrap_or("dit product")
            );
            first = false;
        }
        let notice = c["notice"].as_str().unwrap_or("");
        match c["outcome"].as_str() {
            Some("MET") => {
                println!("\nUitkomst: u komt waarschijnlijk in aanmerking.\n{notice}\n");
                return Flow::Go;
            }
            Some("UNMET") => {
                println!("\nUitkomst: u komt waarschijnlijk niet in aanmerking.");
                let cond = &c["decidingCondition"]["condition"];
                if let Some(text) = cond["text"].as_str().or(cond["title"].as_str()) {
                    println!("Deze voorwaarde geeft de doorslag: {text}");
                }
                if let Some(explanation) = cond["explanation"].as_str() {
                    println!("{}", explanation.trim_end());
                }
                println!("{notice}\n");
                return Flow::Go;
            }
            _ => {}
        }
        let q = &c["nextQuestion"];
        let Some(name) = q["name"].as_str() else {
            // Conditions without a rule: a person checks them.
            println!("\nUitkomst: dat kan ik niet helemaal voor u nagaan.");
            let open: Vec<&str> = c["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|k| k["status"] == "UNKNOWN")
                .filter_map(|k| k["condition"]["title"].as_str())
                .collect();
            if !open.is_empty() {
                println!("Een medewerker beoordeelt:");
                for t in open {
                    println!("  - {t}");
                }
            }
            println!("{notice}\n");
            return Flow::Go;
        };
        if c["invalidAnswers"]
            .as_array()
            .is_some_and(|names| names.iter().any(|n| n == name))
        {
            println!("Dat antwoord begrijp ik niet.");
        }
        let hint = match q["kind"].as_str() {
            Some("boolean") => " (ja/nee)",
            Some("number") => " (een getal)",
            Some("date") => " (datum als JJJJ-MM-DD)",
            _ => "",
        };
        println!("{}{hint}", q["ask"].as_str().unwrap_or(name));
        let Some(reply) = input.read("> ") else {
            return Flow::Quit;
        };
        let lower = reply.to_lowercase();
        if lower == "quit" {
            return Flow::Quit;
        }
        if lower == "stop" {
            println!("Goed, ik stop met de vragen.\n");
            return Flow::Go;
        }
        let value = match (q["kind"].as_str(), yes_no(&reply)) {
            (Some("boolean"), Some(true)) => "ja".to_string(),
            (Some("boolean"), Some(false)) => "nee".to_string(),
            _ => reply,
        };
        answers.retain(|(n, _)| n != name);
        answers.push((name.to_string(), value));
    }
    println!("Dat lukt zo niet; een medewerker helpt u graag verder.\n");
    Flow::Go
}

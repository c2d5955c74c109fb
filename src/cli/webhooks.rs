//! `bron webhook …`: the operator's way to manage webhooks, beside the
//! GraphQL mutations an admin uses. Both go through the same hub calls.

use clap::Subcommand;

use crate::hub::{Event, Hub, Viewer, WebhookInput, ms_to_datetime};

#[derive(Subcommand)]
pub enum WebhookCommand {
    /// Register a webhook and print its signing secret once.
    Add {
        /// Where to POST: an http or https URL.
        #[arg(long)]
        url: String,
        /// An event to deliver (repeat for more): created, updated,
        /// published, unpublished, archived, deleted, scheduled. Default:
        /// published, unpublished, archived and deleted.
        #[arg(long = "event")]
        events: Vec<String>,
        /// Only changes to, or through, items of this content type (repeat
        /// for more). Default: every type.
        #[arg(long = "type")]
        types: Vec<String>,
        #[arg(long)]
        description: Option<String>,
        /// Allow a target on loopback or a private network (the server
        /// must also run with --webhooks-allow-private to deliver there).
        #[arg(long)]
        allow_private: bool,
    },
    /// List webhooks with their delivery counts.
    List,
    /// Stop delivering to a webhook (changes meanwhile are not queued).
    Disable { id: String },
    /// Deliver to a disabled webhook again.
    Enable { id: String },
    /// Delete a webhook and its delivery log.
    Remove { id: String },
    /// Show a webhook's delivery log, newest first.
    Deliveries {
        id: String,
        /// Only pending, delivered or failed deliveries.
        #[arg(long, value_parser = ["pending", "delivered", "failed"])]
        status: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Send a delivery again.
    Redeliver { delivery_id: String },
}

pub async fn run(hub: &Hub, command: WebhookCommand) -> anyhow::Result<()> {
    let viewer = Viewer::cli();
    match command {
        WebhookCommand::Add {
            url,
            events,
            types,
            description,
            allow_private,
        } => {
            hub.set_webhooks_allow_private(allow_private);
            let events = if events.is_empty() {
                None
            } else {
                Some(
                    events
                        .iter()
                        .map(|e| Event::parse(e))
                        .collect::<crate::error::Result<Vec<_>>>()?,
                )
            };
            let made = hub
                .create_webhook(
                    &viewer,
                    WebhookInput {
                        url: Some(url),
                        events,
                        types: Some(types),
                        description,
                        enabled: None,
                        secret: None,
                    },
                )
                .await?;
            eprintln!(
                "Registered webhook {} for {}. Its signing secret (copy it now: it is not shown again):",
                made.webhook.id,
                names(&made.webhook.events)
            );
            println!("{}", made.secret);
        }
        WebhookCommand::List => {
            for w in hub.webhooks(&viewer).await? {
                let [pending, delivered, failed] =
                    hub.webhook_delivery_counts(&viewer, &w.id).await?;
                println!(
                    "{}\t{}\t{}\t{}\t{}\tpending {pending}, delivered {delivered}, failed {failed}",
                    w.id,
                    w.url,
                    names(&w.events),
                    if w.types.is_empty() {
                        "all types".to_string()
                    } else {
                        w.types.join(",")
                    },
                    if w.enabled { "enabled" } else { "disabled" },
                );
            }
        }
        WebhookCommand::Disable { id } => {
            set_enabled(hub, &viewer, &id, false).await?;
            eprintln!("Disabled webhook {id}.");
        }
        WebhookCommand::Enable { id } => {
            set_enabled(hub, &viewer, &id, true).await?;
            eprintln!("Enabled webhook {id}.");
        }
        WebhookCommand::Remove { id } => {
            hub.delete_webhook(&viewer, &id).await?;
            eprintln!("Deleted webhook {id} and its delivery log.");
        }
        WebhookCommand::Deliveries { id, status, limit } => {
            for d in hub
                .webhook_deliveries(&viewer, &id, status.as_deref(), limit.clamp(1, 1000))
                .await?
            {
                println!(
                    "{}\t{}\t{}\t{}..{}\t{} attempt(s)\t{}\t{}",
                    d.id,
                    ms_to_datetime(d.created_at),
                    d.event,
                    d.first_seq,
                    d.last_seq,
                    d.attempts,
                    d.status,
                    d.last_error.as_deref().unwrap_or("-"),
                );
            }
        }
        WebhookCommand::Redeliver { delivery_id } => {
            hub.redeliver(&viewer, &delivery_id).await?;
            eprintln!(
                "Queued delivery {delivery_id} again; `bron serve` sends it within a second."
            );
        }
    }
    Ok(())
}

async fn set_enabled(hub: &Hub, viewer: &Viewer, id: &str, enabled: bool) -> anyhow::Result<()> {
    hub.update_webhook(
        viewer,
        id,
        WebhookInput {
            enabled: Some(enabled),
            ..WebhookInput::default()
        },
    )
    .await?;
    Ok(())
}

fn names(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

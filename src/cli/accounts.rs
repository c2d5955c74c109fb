//! `bron token …` and `bron user …`: API tokens and the editor UI's
//! accounts, made by the operator at the command line.

use clap::Subcommand;

use super::new_password;
use crate::hub::{Hub, Role, Viewer};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once.
    Create {
        #[arg(long, value_parser = ["agent", "editor", "publisher", "admin"])]
        role: String,
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and roles; secrets are never stored).
    List,
    /// Revoke the active token with this name.
    Revoke { name: String },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from the first line of
    /// standard input; when that is empty, one is made and printed once.
    Create {
        /// The login name: lowercase letters, digits, '-', '_', '.' or '@'.
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["agent", "editor", "publisher", "admin"])]
        role: String,
        /// The team the user works in (publishing can be scoped to it).
        #[arg(long)]
        team: Option<String>,
        /// The name shown in the editor UI and the revision history.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List accounts (names, roles, teams; never passwords).
    List,
    /// Disable an account: it can no longer log in, and its sessions end.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
}

pub async fn tokens(hub: &Hub, command: TokenCommand) -> anyhow::Result<()> {
    let viewer = Viewer::cli();
    match command {
        TokenCommand::Create { role, name } => {
            let t = hub
                .create_token(&viewer, &name, Role::parse(&role)?)
                .await?;
            eprintln!(
                "Created token `{}` with role {}. Copy it now: it is not shown again.",
                t.name,
                t.role.as_str()
            );
            println!("{}", t.secret);
        }
        TokenCommand::List => {
            for t in hub.tokens(&viewer).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    t.name,
                    t.role,
                    crate::hub::ms_to_datetime(t.created_at),
                    state
                );
            }
        }
        TokenCommand::Revoke { name } => {
            hub.revoke_token(&viewer, &name).await?;
            println!("revoked token `{name}`");
        }
    }
    Ok(())
}

pub async fn users(hub: &Hub, command: UserCommand) -> anyhow::Result<()> {
    let viewer = Viewer::cli();
    match command {
        UserCommand::Create {
            name,
            role,
            team,
            display_name,
        } => {
            let mut line = String::new();
            if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                std::io::stdin().read_line(&mut line)?;
            }
            let typed = line.trim_end_matches(['\r', '\n']).to_string();
            let made = typed.is_empty();
            let password = if made { new_password() } else { typed };
            let user = hub
                .create_user(
                    &viewer,
                    crate::hub::NewUser {
                        name,
                        display_name,
                        role: Role::parse(&role)?,
                        team,
                        password: password.clone(),
                    },
                )
                .await?;
            eprintln!(
                "Created user `{}` with role {}{}.",
                user.name,
                user.role,
                user.team
                    .as_deref()
                    .map(|t| format!(" in team {t}"))
                    .unwrap_or_default()
            );
            if made {
                eprintln!("Its password (copy it now: it is not shown again):");
                println!("{password}");
            }
        }
        UserCommand::Disable { name } => {
            hub.set_user_disabled(&viewer, &name, true).await?;
            eprintln!("Disabled user `{name}`; its sessions have ended.");
        }
        UserCommand::Enable { name } => {
            hub.set_user_disabled(&viewer, &name, false).await?;
            eprintln!("Enabled user `{name}`.");
        }
        UserCommand::List => {
            for u in hub.users(&viewer).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.name,
                    u.role,
                    u.team.as_deref().unwrap_or("-"),
                    crate::hub::ms_to_datetime(u.created_at),
                    if u.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
    }
    Ok(())
}

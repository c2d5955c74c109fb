//! The `bron` binary: parse the command line, set up logging, hand over to the library.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let code = run().await;
    // Request lines still waiting (they are written several at a time).
    bron::http::request_lines::flush_lines();
    code
}

async fn run() -> std::process::ExitCode {
    let cli = bron::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("BRON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours for people at a terminal, not escape codes in log files.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let json = cli.log_format == "json";
    if json {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    // Request lines, in the same layout, without tracing's formatter,
    // several to a write.
    bron::http::request_lines::write_lines_to(json, ansi, Box::new(std::io::stderr()));
    match bron::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

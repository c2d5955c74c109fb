//! The `bron` binary: parse the command line, set up logging, hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Waiting request lines are written whenever a worker goes idle.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(bron::http::log::flush_lines)
        .build();
    match runtime {
        Ok(rt) => {
            let code = rt.block_on(run());
            bron::http::log::flush_lines();
            code
        }
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
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
    bron::http::log::write_lines_to(json, ansi, Box::new(std::io::stderr()));
    match bron::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! `chat-server`: the command line. Serving is the default; the other
//! commands (migrations, admin accounts, configuration check, the OpenAPI
//! document, the import from the Node services) run and exit. See the
//! library crate for the wiring.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use chat_server::cli::{self, PasswordSource};
use chat_server::config::Config;
use chat_server::{Application, telemetry};

/// Chat API: a customer-service chat server (REST + WebSocket).
///
/// Configuration comes from the environment (CHAT_*, DATABASE_URL, REDIS_URL;
/// see `chat-server check-config` and docs/DEPLOYMENT.md).
#[derive(Parser)]
#[command(name = "chat-server", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Print the REST API's OpenAPI document (JSON) and exit.
    Openapi,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts directly in the database (recovery, scripting).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Validate the configuration and print it, secrets redacted.
    CheckConfig,
    /// Ask the running server (on CHAT_LISTEN) for GET /healthz: exit 0 when
    /// healthy (for container health checks).
    Healthcheck,
    /// Import JSON Lines exported from the Node services (docs/MIGRATION.md).
    Import {
        /// Folder holding users.jsonl, customers.jsonl, conversations.jsonl,
        /// messages.jsonl, knowledge.jsonl (missing files are skipped).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account.
    Create {
        /// The admin's login e-mail.
        email: String,
        /// Display name (default: Administrator).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead
        /// of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an account (and sign its sessions out).
    ResetPassword {
        /// The account's login e-mail.
        email: String,
        /// Read the password from the first line of standard input instead
        /// of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account.
    List,
}

fn password_source(stdin: bool) -> PasswordSource {
    if stdin {
        PasswordSource::Stdin
    } else {
        PasswordSource::Prompt
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let started = Instant::now();
    // Usage errors exit with 2, --help and --version with 0: before
    // anything is read or created.
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    match command {
        Command::Openapi => {
            return report(
                serde_json::to_string_pretty(&chat_admin::http::openapi::document())
                    .map_err(Into::into),
            );
        }
        Command::CheckConfig => return report(cli::check_config()),
        _ => {}
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("chat-server: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Command::Healthcheck = command {
        return report(cli::healthcheck(&config));
    }
    if !matches!(command, Command::Serve) {
        // Commands print their result; logs only say what went wrong.
        telemetry::init_logging(config.server.log.format, "warn");
        warn_unknown_variables();
        return report(match command {
            Command::Migrate => cli::migrate(&config).await,
            Command::Admin { command } => match command {
                AdminCommand::Create {
                    email,
                    name,
                    password_stdin,
                } => {
                    cli::admin_create(
                        &config,
                        &email,
                        name.as_deref(),
                        password_source(password_stdin),
                    )
                    .await
                }
                AdminCommand::ResetPassword {
                    email,
                    password_stdin,
                } => {
                    cli::admin_reset_password(&config, &email, password_source(password_stdin))
                        .await
                }
                AdminCommand::List => cli::admin_list(&config).await,
            },
            Command::Import { dir } => chat_server::import::run(&config, &dir)
                .await
                .map(|counts| counts.to_string()),
            Command::Serve | Command::Openapi | Command::CheckConfig | Command::Healthcheck => {
                unreachable!("handled above")
            }
        });
    }
    telemetry::init_logging(config.server.log.format, &config.server.log.filter);
    warn_unknown_variables();
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            // One line, with the cause chain; the log is where it belongs.
            tracing::error!("start-up failed: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped(Some(started)).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a command's result on stdout, or its error (with the cause chain)
/// on one line of stderr.
fn report(result: anyhow::Result<String>) -> ExitCode {
    match result {
        Ok(text) => {
            println!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("chat-server: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn warn_unknown_variables() {
    for (name, near) in Config::unknown_variables() {
        tracing::warn!("{}", cli::unknown_line(&name, near));
    }
}

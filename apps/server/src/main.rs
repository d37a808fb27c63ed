//! `chat-server`: see the library crate for the wiring.

use std::process::ExitCode;
use std::time::Instant;

use chat_server::config::Config;
use chat_server::{Application, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let started = Instant::now();
    // `chat-server openapi`: the REST API's OpenAPI document, for client
    // generators and validators, without starting anything.
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        return match serde_json::to_string_pretty(&chat_admin::http::openapi::document()) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("chat-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("chat-server: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(config.log_format, &config.log_filter);
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("start-up failed: {e:#}");
            eprintln!("chat-server: start-up failed: {e:#}");
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

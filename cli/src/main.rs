//! `cloud-connector`: the catalog, keys and tokens from the command line, and `serve`.

mod catalog_cmd;
mod failure;
mod issuing;
mod keys_cmd;
mod output;
mod runway_cmd;
mod serve;
mod token_cmd;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

/// mimalloc instead of glibc's malloc: `serve` allocates small short-lived objects on every
/// request from two worker threads, and under load glibc's allocator (with its fastbin
/// consolidation) was a fifth of the server's CPU time (perf, bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "cloud-connector",
    version,
    about = "GitLab Cloud Connector catalog and tokens"
)]
struct Cli {
    /// Catalog directory to use instead of the embedded catalog.
    #[arg(
        long,
        global = true,
        env = "CLOUD_CONNECTOR_CONFIG_DIR",
        value_name = "DIR"
    )]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Inspect and check the unit primitive catalog.
    #[command(subcommand)]
    Catalog(catalog_cmd::CatalogCommand),
    /// Manage a key ring directory (generate, rotate, trim, publish the JWKS).
    #[command(subcommand)]
    Keys(keys_cmd::KeysCommand),
    /// Issue, verify and inspect tokens.
    #[command(subcommand)]
    Token(token_cmd::TokenCommand),
    /// Check and render Runway service manifests with a Cloud Connector block.
    #[command(subcommand)]
    Runway(runway_cmd::RunwayCommand),
    /// Serve the catalog API, the self-hosted issuer and the forward-auth endpoint.
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(cmd) => catalog_cmd::run(cmd, cli.config.as_deref()),
        Command::Keys(cmd) => keys_cmd::run(cmd),
        Command::Token(cmd) => token_cmd::run(cmd, cli.config.as_deref()),
        Command::Runway(cmd) => runway_cmd::run(cmd, cli.config.as_deref()),
        Command::Serve(args) => serve::run(args, cli.config.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// What every command returns: an exit code, or a failure to report.
pub type Outcome = Result<ExitCode, Failure>;

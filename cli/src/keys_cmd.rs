//! `cloud-connector keys ...`: a key ring kept as a directory of PEM files (oldest = current,
//! the key that signs), with Rails' rotation rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use cloud_connector::token::KeyRing;
use serde_json::json;

use crate::output::{emit, print_json};
use crate::Outcome;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Add a fresh RSA-2048 key (creating the directory); the oldest key keeps signing.
    Generate {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Make the newer of exactly two keys the signing key (the old one stays published).
    Rotate {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Remove the newest key (after a rotation: the old signing key); never the last one.
    Trim {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print the public JWKS to publish (use: sig, alg: RS256, kid: RFC 7638 thumbprint).
    Jwks {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// List the kids, current (signing) key first.
    List {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// An existing key ring: a missing directory is an error here (only `generate` creates one).
fn open(dir: &std::path::Path) -> Result<KeyRing, cloud_connector::Error> {
    if !dir.is_dir() {
        return Err(cloud_connector::Error::new(
            cloud_connector::ErrorCode::KeyRing,
            format!(
                "key ring directory {} does not exist; create it with `keys generate --dir`",
                dir.display()
            ),
        ));
    }
    KeyRing::load_dir(dir)
}

fn load_or_empty(dir: &std::path::Path) -> Result<KeyRing, cloud_connector::Error> {
    if dir.exists() {
        KeyRing::load_dir(dir)
    } else {
        Ok(KeyRing::new(Vec::new()))
    }
}

pub fn run(cmd: KeysCommand) -> Outcome {
    match cmd {
        KeysCommand::Generate { dir } => {
            let mut ring = load_or_empty(&dir)?;
            let kid = ring.create_new_key()?.thumbprint().to_owned();
            ring.save_dir(&dir)?;
            emit(&kid);
        }
        KeysCommand::Rotate { dir } => {
            let mut ring = open(&dir)?;
            ring.rotate()?;
            ring.save_dir(&dir)?;
            emit(ring.current().map(|k| k.thumbprint()).unwrap_or_default());
        }
        KeysCommand::Trim { dir } => {
            let mut ring = open(&dir)?;
            ring.trim()?;
            ring.save_dir(&dir)?;
            emit(ring.current().map(|k| k.thumbprint()).unwrap_or_default());
        }
        KeysCommand::Jwks { dir } => print_json(&open(&dir)?.jwks()),
        KeysCommand::List { dir, json } => {
            let ring = open(&dir)?;
            let kids: Vec<&str> = ring.keys().iter().map(|k| k.thumbprint()).collect();
            if json {
                print_json(&json!({"current": kids.first(), "kids": kids}));
            } else {
                for (i, kid) in kids.iter().enumerate() {
                    emit(&format!("{kid}{}", if i == 0 { "  (current)" } else { "" }));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

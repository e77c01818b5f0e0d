//! `cloud-connector runway ...`: a Runway service manifest with its `spec.cloud_connector`
//! block, checked against the catalog, and rendered into what Runway would apply.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use cloud_connector::runway::{self, Manifest};
use cloud_connector::{Catalog, Error, ErrorCode};

use crate::failure::Failure;
use crate::output::emit;
use crate::Outcome;

#[derive(Subcommand, Debug)]
pub enum RunwayCommand {
    /// Check a manifest against Runway's rules and its block against the catalog; print every
    /// problem with its place. Exit status 1 when there is any.
    Check {
        /// The manifest (`.runway/runway.yml`).
        manifest: PathBuf,
    },
    /// Write what Runway would apply: catalog records and their diff, the sidecar's
    /// configuration, a Cloud Run service and a compose file.
    Render {
        /// The manifest (`.runway/runway.yml`).
        manifest: PathBuf,
        /// The directory to write into (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The manifest, checked against the catalog: every problem is one `runway_invalid` error.
pub fn checked(path: &Path, catalog: &Catalog) -> Result<Manifest, Error> {
    let manifest = Manifest::load(path)?;
    let problems = runway::check(&manifest, catalog);
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(Error::runway_invalid(problems))
    }
}

fn catalog(config: Option<&Path>) -> Result<Catalog, Error> {
    match config {
        Some(dir) => Catalog::load_dir(dir),
        None => Ok(Catalog::embedded().clone()),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), Failure> {
    let path = dir.join(name);
    let io = |e: std::io::Error| Failure::new("io", format!("{}: {e}", path.display()), 2);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, text).map_err(io)
}

pub fn run(cmd: RunwayCommand, config: Option<&Path>) -> Outcome {
    let catalog = catalog(config)?;
    match cmd {
        RunwayCommand::Check { manifest } => {
            let m = checked(&manifest, &catalog)?;
            let cc = &m.cloud_connector;
            emit(&format!(
                "{}: ok (backend {}, audience {}, {} unit primitives, {} paths, {} issuers)",
                manifest.display(),
                cc.backend.name,
                cc.backend.jwt_aud,
                cc.unit_primitives.len(),
                cc.paths.len(),
                cc.issuers.len()
            ));
        }
        RunwayCommand::Render { manifest, out } => {
            let m = checked(&manifest, &catalog)?;
            let source = std::fs::read_to_string(&manifest).map_err(|e| {
                Error::new(
                    ErrorCode::RunwayInvalid,
                    format!("{}: {e}", manifest.display()),
                )
            })?;
            // The compose file mounts the manifest from beside it.
            let mut files = runway::render(&m, &catalog);
            files.push(("runway.yml".to_owned(), source));
            for (name, text) in &files {
                write(&out, name, text)?;
                emit(&out.join(name).display().to_string());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

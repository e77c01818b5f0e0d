//! Prints the catalog (the embedded one, or `CLOUD_CONNECTOR_CONFIG_DIR`): every unit primitive
//! with its group, add-ons, backends and free/paid status now. `make serve` runs this until the
//! `cloud-connector serve` command lands.

use std::process::ExitCode;

use chrono::Utc;
use cloud_connector::catalog::entitlements::is_free_at;
use cloud_connector::Catalog;

fn main() -> ExitCode {
    let catalog = match Catalog::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    let now = Utc::now();
    println!(
        "{:<40} {:<28} {:<6} {:<40} backends",
        "unit primitive", "group", "access", "add-ons"
    );
    for up in catalog.unit_primitives() {
        let add_ons: Vec<&str> = catalog
            .add_ons_of(up)
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        let backends: Vec<&str> = catalog
            .backend_services_of(up)
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        let access = if is_free_at(up, now) { "free" } else { "paid" };
        println!(
            "{:<40} {:<28} {:<6} {:<40} {}",
            up.name,
            up.group,
            access,
            add_ons.join(","),
            backends.join(",")
        );
    }
    println!(
        "\n{} unit primitives, {} services, {} backend services, {} add-ons, {} license types ({:?})",
        catalog.unit_primitives().len(),
        catalog.services().len(),
        catalog.backend_services().len(),
        catalog.add_ons().len(),
        catalog.license_types().len(),
        catalog.source()
    );
    ExitCode::SUCCESS
}

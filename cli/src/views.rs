//! Records as JSON for people and programs: one rendering shared by the CLI and `serve`'s API.

use chrono::{DateTime, Utc};
use cloud_connector::catalog::{Access, UnitPrimitive};
use cloud_connector::Catalog;
use serde_json::{json, Value};

/// A unit primitive with its access now, its audiences and the services that list it.
pub fn up_json(catalog: &Catalog, up: &UnitPrimitive, now: DateTime<Utc>) -> Value {
    let mut v = serde_json::to_value(up).unwrap_or_default();
    v["access"] = json!(Access::of(up, now).as_str());
    v["audiences"] = json!(catalog
        .backend_services_of(up)
        .iter()
        .map(|b| &b.jwt_aud)
        .collect::<Vec<_>>());
    v["services"] = json!(catalog
        .services()
        .iter()
        .filter(|s| s.unit_primitives.contains(&up.name))
        .map(|s| &s.name)
        .collect::<Vec<_>>());
    v
}

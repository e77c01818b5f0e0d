//! The catalog over HTTP: `/api/v1/...` JSON, and `/`, a plain server-rendered index.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use cloud_connector::catalog::{Record, RecordKind, UnitPrimitiveFilter};
use cloud_connector::options::{self, Arg};
use serde_json::{json, Value};

use super::Shared;
use crate::views::up_json;

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into(), "code": code}))).into_response()
}

/// The filter a query asks for, or the message of a bad parameter.
pub fn filter_from(q: &HashMap<String, String>) -> Result<UnitPrimitiveFilter, String> {
    let access = match q.get("access").filter(|v| !v.is_empty()) {
        None => None,
        Some(name) => Some(
            options::parse_access(&Arg::Str(name.clone())).map_err(|e| e.message().to_owned())?,
        ),
    };
    let text = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    Ok(UnitPrimitiveFilter {
        group: text("group"),
        feature_category: text("feature_category"),
        add_on: text("add_on"),
        backend_service: text("backend_service"),
        license_type: text("license_type"),
        access,
        text: text("q"),
        at: None,
    })
}

pub async fn unit_primitives(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let filter = match filter_from(&q) {
        Ok(f) => f,
        Err(message) => return error(StatusCode::BAD_REQUEST, "invalid_argument", message),
    };
    let now = Utc::now();
    let list: Vec<Value> = s
        .catalog
        .filter_unit_primitives(&filter)
        .iter()
        .map(|u| up_json(&s.catalog, u, now))
        .collect();
    Json(Value::Array(list)).into_response()
}

pub async fn unit_primitive(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    match s.catalog.unit_primitive(&name) {
        Some(up) => Json(up_json(&s.catalog, up, Utc::now())).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no unit primitive named '{name}'"),
        ),
    }
}

pub async fn records(State(s): State<Shared>, Path(kind): Path<String>) -> Response {
    match RecordKind::from_dir(&kind) {
        Some(k) => Json(s.catalog.records_json(k)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such collection '{kind}'"),
        ),
    }
}

/// Owning groups with the unit primitives each owns ("who owns which permission").
pub async fn groups(State(s): State<Shared>) -> Response {
    let groups: Vec<Value> = s
        .catalog
        .groups()
        .into_iter()
        .map(|g| {
            let owned = s.catalog.filter_unit_primitives(&UnitPrimitiveFilter { group: Some(g.to_owned()), ..Default::default() });
            json!({"group": g, "unit_primitives": owned.iter().map(|u| u.name()).collect::<Vec<_>>()})
        })
        .collect();
    Json(Value::Array(groups)).into_response()
}

pub async fn legacy(State(s): State<Shared>, Path(realm): Path<String>) -> Response {
    match s.catalog.available_services_for(&realm) {
        Ok(out) => Json(serde_json::to_value(out).unwrap_or_default()).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e.code().as_str(), e.message()),
    }
}

pub async fn readyz(State(s): State<Shared>) -> Response {
    let Some(provider) = s.provider.clone() else {
        return (StatusCode::OK, "ready (no key providers configured)").into_response();
    };
    let ready = tokio::task::spawn_blocking(move || provider.ready())
        .await
        .unwrap_or(false);
    if ready {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: a key provider has not delivered keys",
        )
            .into_response()
    }
}

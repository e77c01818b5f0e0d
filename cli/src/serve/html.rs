//! The unit primitive directory as server-rendered HTML (no JavaScript needed): the filterable
//! index, a page per unit primitive, backend service, add-on and owning group, links between
//! them, and the legacy view per realm. Every text is escaped; every link segment encoded.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use cloud_connector::catalog::{Access, UnitPrimitive, UnitPrimitiveFilter};

use super::api::filter_from;
use super::Shared;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Percent-encodes one path segment (group names hold `::` and spaces).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn link(kind: &str, name: &str) -> String {
    format!("<a href=\"/{kind}/{}\">{}</a>", segment(name), escape(name))
}

fn links(kind: &str, names: impl IntoIterator<Item = String>) -> String {
    let all: Vec<String> = names.into_iter().map(|n| link(kind, &n)).collect();
    if all.is_empty() {
        "<span class=\"none\">none</span>".into()
    } else {
        all.join(", ")
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;line-height:1.4}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f4f4f4;position:sticky;top:0}.paid{color:#8a4b00}.free{color:#1b6e20}.none{color:#888}nav a{margin-right:1rem}\
form input,form select{margin:.2rem}";

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\
         <nav><a href=\"/\">Unit primitives</a><a href=\"/groups\">Groups</a><a href=\"/legacy/gitlab-com\">Legacy (gitlab-com)</a>\
         <a href=\"/legacy/self-managed\">Legacy (self-managed)</a><a href=\"/api/v1/unit_primitives\">JSON</a></nav>\
         <h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    ))
    .into_response()
}

fn not_found(what: &str) -> Response {
    let mut r = page("Not found", &format!("<p>{}</p>", escape(what)));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// A comma-separated list, or a grey "none" so an empty cell reads as empty on purpose.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "<span class=\"none\">none</span>".into()
    } else {
        escape(&items.join(", "))
    }
}

fn access_cell(up: &UnitPrimitive) -> String {
    let a = Access::of(up, Utc::now()).as_str();
    format!("<span class=\"{a}\">{a}</span>")
}

fn table(s: &Shared, ups: &[&UnitPrimitive]) -> String {
    let mut rows = String::new();
    for up in ups {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            link("unit_primitives", &up.name),
            link("groups", &up.group),
            escape(&up.feature_category),
            links("add_ons", s.catalog.add_ons_of(up).iter().map(|a| a.name.clone())),
            list(&s.catalog.license_types_of(up).iter().map(|l| l.name.clone()).collect::<Vec<_>>()),
            links("backend_services", s.catalog.backend_services_of(up).iter().map(|b| b.name.clone())),
            access_cell(up),
        ));
    }
    format!(
        "<p>{n} unit primitive{s}</p><table id=\"unit-primitives\"><thead><tr><th>Name</th><th>Group</th><th>Feature category</th>\
         <th>Add-ons</th><th>Licence types</th><th>Backends</th><th>Access</th></tr></thead><tbody>\n{rows}</tbody></table>",
        n = ups.len(),
        s = if ups.len() == 1 { "" } else { "s" }
    )
}

fn select(name: &str, label: &str, options: &[String], current: Option<&String>) -> String {
    let mut html =
        format!("<label>{label} <select name=\"{name}\"><option value=\"\">any</option>");
    for o in options {
        let sel = if current == Some(o) { " selected" } else { "" };
        html.push_str(&format!(
            "<option value=\"{v}\"{sel}>{v}</option>",
            v = escape(o)
        ));
    }
    html.push_str("</select></label>");
    html
}

pub async fn index(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let filter = match filter_from(&q) {
        Ok(f) => f,
        Err(message) => return not_found(&message),
    };
    let c = &s.catalog;
    let names = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let form = format!(
        "<form method=\"get\" action=\"/\"><input name=\"q\" placeholder=\"search\" value=\"{q}\"> {g} {a} {b} {l} {x} <button>Filter</button></form>",
        q = escape(q.get("q").map(String::as_str).unwrap_or("")),
        g = select("group", "Group", &names(c.groups()), q.get("group")),
        a = select("add_on", "Add-on", &c.add_ons().iter().map(|a| a.name.clone()).collect::<Vec<_>>(), q.get("add_on")),
        b = select(
            "backend_service",
            "Backend",
            &c.backend_services().iter().map(|b| b.name.clone()).collect::<Vec<_>>(),
            q.get("backend_service")
        ),
        l = select("license_type", "Licence", &c.license_types().iter().map(|l| l.name.clone()).collect::<Vec<_>>(), q.get("license_type")),
        x = select("access", "Access", &["free".to_owned(), "paid".to_owned()], q.get("access")),
    );
    let ups = c.filter_unit_primitives(&filter);
    page("Unit primitives", &format!("{form}{}", table(&s, &ups)))
}

pub async fn unit_primitive(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    let c = &s.catalog;
    let Some(up) = c.unit_primitive(&name) else {
        return not_found(&format!("No unit primitive named '{name}'."));
    };
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(escape)
            .unwrap_or_else(|| "<span class=\"none\">none</span>".into())
    };
    let ver = |v: &Option<cloud_connector::catalog::Version>| {
        v.as_ref()
            .map(|v| escape(v.as_str()))
            .unwrap_or_else(|| "<span class=\"none\">none</span>".into())
    };
    let services: Vec<String> = c
        .services()
        .iter()
        .filter(|sv| sv.unit_primitives.contains(&up.name))
        .map(|sv| sv.name.clone())
        .collect();
    let rows = [
        ("Description", escape(&up.description)),
        ("Owning group", link("groups", &up.group)),
        ("Feature category", escape(&up.feature_category)),
        ("Access now", access_cell(up)),
        (
            "Free access until",
            up.cut_off_date
                .map(|t| escape(&t.to_rfc3339()))
                .unwrap_or_else(|| "no cut-off (free)".into()),
        ),
        (
            "Add-ons",
            links("add_ons", c.add_ons_of(up).iter().map(|a| a.name.clone())),
        ),
        (
            "Licence types",
            list(
                &c.license_types_of(up)
                    .iter()
                    .map(|l| l.name.clone())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "Backend services",
            links(
                "backend_services",
                c.backend_services_of(up).iter().map(|b| b.name.clone()),
            ),
        ),
        ("Minimum GitLab version", ver(&up.min_gitlab_version)),
        (
            "Minimum version for free access",
            ver(&up.min_gitlab_version_for_free_access),
        ),
        ("Aliases", list(up.aliases())),
        ("Legacy services", list(&services)),
        ("Documentation", opt(&up.documentation_url)),
    ];
    let body: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><th>{k}</th><td>{v}</td></tr>"))
        .collect();
    page(&up.name, &format!("<table id=\"record\">{body}</table>"))
}

pub async fn backend_service(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    let Some(b) = s.catalog.backend_service(&name) else {
        return not_found(&format!("No backend service named '{name}'."));
    };
    let ups = s.catalog.filter_unit_primitives(&UnitPrimitiveFilter {
        backend_service: Some(b.name.clone()),
        ..Default::default()
    });
    let head = format!(
        "<p>{}</p><p>Token audience: <code>{}</code>{}{}</p>",
        escape(&b.description),
        escape(&b.jwt_aud),
        b.group
            .as_deref()
            .map(|g| format!(" · owned by {}", escape(g)))
            .unwrap_or_default(),
        b.project_url
            .as_deref()
            .map(|u| format!(" · <a href=\"{u}\">project</a>", u = escape(u)))
            .unwrap_or_default(),
    );
    page(
        &format!("Backend service {}", b.name),
        &format!("{head}{}", table(&s, &ups)),
    )
}

pub async fn add_on(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    let Some(a) = s.catalog.add_on(&name) else {
        return not_found(&format!("No add-on named '{name}'."));
    };
    let ups = s.catalog.filter_unit_primitives(&UnitPrimitiveFilter {
        add_on: Some(a.name.clone()),
        ..Default::default()
    });
    page(
        &format!("Add-on {}", a.name),
        &format!("<p>{}</p>{}", escape(&a.description), table(&s, &ups)),
    )
}

pub async fn groups(State(s): State<Shared>) -> Response {
    let rows: String = s
        .catalog
        .groups()
        .into_iter()
        .map(|g| {
            let n = s
                .catalog
                .filter_unit_primitives(&UnitPrimitiveFilter {
                    group: Some(g.to_owned()),
                    ..Default::default()
                })
                .len();
            format!("<tr><td>{}</td><td>{n}</td></tr>", link("groups", g))
        })
        .collect();
    page("Owning groups", &format!("<table id=\"groups\"><thead><tr><th>Group</th><th>Unit primitives</th></tr></thead><tbody>{rows}</tbody></table>"))
}

pub async fn group(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    let ups = s.catalog.filter_unit_primitives(&UnitPrimitiveFilter {
        group: Some(name.clone()),
        ..Default::default()
    });
    if ups.is_empty() {
        return not_found(&format!("No unit primitive is owned by '{name}'."));
    }
    page(&format!("Owned by {name}"), &table(&s, &ups))
}

pub async fn legacy(State(s): State<Shared>, Path(realm): Path<String>) -> Response {
    match s.catalog.available_services_for(&realm) {
        Ok(out) => {
            let text = serde_json::to_string_pretty(&out).unwrap_or_default();
            page(
                &format!("Legacy available services: {realm}"),
                &format!("<pre id=\"legacy\">{}</pre>", escape(&text)),
            )
        }
        Err(e) => {
            let mut r = page("Unknown realm", &format!("<p>{}</p>", escape(e.message())));
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
    }
}

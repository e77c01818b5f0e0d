//! `Gitlab::CloudConnector::Native`: the Ruby gem's native half. It converts types and maps
//! errors; every rule (validation, associations, the legacy generator, entitlements) is the
//! core's. The Ruby half (`lib/gitlab/cloud_connector/**`) adds the gem's classes and idioms.
//!
//! The extension holds no Ruby object in Rust memory: a `Native::Catalog` wraps only the core's
//! immutable, reference-counted catalog, so it needs no GC marking and is safe under `GC.compact`.

mod auth;
mod claims;
mod convert;
mod gvl;
mod interned;
mod tokens;

use chrono::{DateTime, Utc};
use magnus::{function, method, prelude::*, Error, RArray, RHash, RString, Ruby, Value};

use cloud_connector::catalog::{
    CatalogSource, EntitlementRequest, LegacyRealm, LenientCatalog, Overrides, Record, RecordKind,
};
use cloud_connector::{Catalog, ErrorCode};

use crate::convert::{
    core_error, json_to_ruby, ordered_to_ruby, problems_to_ruby, ruby_to_json, Keys,
};

#[magnus::wrap(
    class = "Gitlab::CloudConnector::Native::Catalog",
    free_immediately,
    size
)]
struct RbCatalog {
    inner: Catalog,
    /// Set for a lenient load: the records as written and the warnings.
    lenient: Option<LenientCatalog>,
}

impl From<Catalog> for RbCatalog {
    fn from(inner: Catalog) -> RbCatalog {
        RbCatalog {
            inner,
            lenient: None,
        }
    }
}

impl From<LenientCatalog> for RbCatalog {
    fn from(l: LenientCatalog) -> RbCatalog {
        RbCatalog {
            inner: l.catalog().clone(),
            lenient: Some(l),
        }
    }
}

type Res<T> = Result<T, Error>;

fn invalid_argument(ruby: &Ruby, message: String) -> Error {
    core_error(
        ruby,
        &cloud_connector::Error::new(ErrorCode::InvalidArgument, message),
    )
}

fn kind(ruby: &Ruby, name: String) -> Res<RecordKind> {
    RecordKind::from_dir(&name).ok_or_else(|| {
        let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.dir()).collect();
        invalid_argument(
            ruby,
            format!(
                "unknown record kind '{name}'; expected one of {}",
                kinds.join(", ")
            ),
        )
    })
}

fn overrides(ruby: &Ruby, value: Value) -> Res<Overrides> {
    if value.is_nil() {
        return Ok(Overrides::new());
    }
    let json = ruby_to_json(ruby, value)?;
    Overrides::from_json(&json).map_err(|e| core_error(ruby, &e))
}

fn lift<T>(ruby: &Ruby, r: Result<T, cloud_connector::Error>) -> Res<T> {
    r.map_err(|e| core_error(ruby, &e))
}

fn names<T: Record>(ruby: &Ruby, records: Vec<&T>) -> RArray {
    ruby.ary_from_iter(records.into_iter().map(|r| ruby.str_new(r.name())))
}

impl RbCatalog {
    /// The embedded catalog (shared, parsed once), with overrides when given.
    fn embedded(ruby: &Ruby, overrides: Value) -> Res<RbCatalog> {
        let o = self::overrides(ruby, overrides)?;
        Ok(if o.is_empty() {
            Catalog::embedded().clone().into()
        } else {
            lift(ruby, Catalog::embedded_with_overrides(&o))?.into()
        })
    }

    fn load_dir(ruby: &Ruby, path: String, overrides: Value) -> Res<RbCatalog> {
        let o = self::overrides(ruby, overrides)?;
        Ok(lift(ruby, Catalog::load_dir_with_overrides(path, &o))?.into())
    }

    /// The gem's loading (the DataModel's YAML loader): what the validator finds is a warning.
    fn load_dir_lenient(ruby: &Ruby, path: String, overrides: Value) -> Res<RbCatalog> {
        let o = self::overrides(ruby, overrides)?;
        Ok(lift(ruby, Catalog::load_dir_lenient(path, &o))?.into())
    }

    /// The embedded catalog; with overrides, applied leniently.
    fn embedded_lenient(ruby: &Ruby, overrides: Value) -> Res<RbCatalog> {
        let o = self::overrides(ruby, overrides)?;
        if o.is_empty() {
            return Ok(Catalog::embedded().clone().into());
        }
        Ok(lift(ruby, Catalog::embedded_lenient(&o))?.into())
    }

    /// Records in the `load_all` shape (Symbol or String keys, `Time` cut-off dates).
    fn from_records(ruby: &Ruby, records: Value) -> Res<RbCatalog> {
        let json = ruby_to_json(ruby, records)?;
        Ok(lift(ruby, Catalog::from_records_json(&json))?.into())
    }

    /// A lenient load's warnings about one kind's files (every kind's when `kind` is nil), as
    /// problem Hashes; empty for a strict load.
    fn warnings(ruby: &Ruby, rb_self: &Self, kind: Option<String>) -> Res<RArray> {
        let Some(l) = &rb_self.lenient else {
            return Ok(ruby.ary_new());
        };
        let problems: Vec<_> = match kind {
            Some(k) => l
                .warnings_of(self::kind(ruby, k)?)
                .into_iter()
                .cloned()
                .collect(),
            None => l.warnings().to_vec(),
        };
        problems_to_ruby(ruby, &problems)
    }

    /// Every problem of a catalog directory (empty when valid).
    fn validate_dir(ruby: &Ruby, path: String) -> Res<RArray> {
        let problems = lift(ruby, Catalog::validate_dir(path))?;
        problems_to_ruby(ruby, &problems)
    }

    fn source(&self) -> String {
        match self.inner.source() {
            CatalogSource::Embedded => "embedded".into(),
            CatalogSource::Directory(p) => p.display().to_string(),
            CatalogSource::Records => "records".into(),
        }
    }

    /// One kind's records as Hashes with Symbol keys, `cut_off_date` a `Time`.
    /// For a lenient load, every field as written (unknown ones included).
    fn records(ruby: &Ruby, rb_self: &Self, kind: String) -> Res<Value> {
        let kind = self::kind(ruby, kind)?;
        let json = match &rb_self.lenient {
            Some(l) => l.records_json(kind),
            None => rb_self.inner.records_json(kind),
        };
        json_to_ruby(ruby, &json, Keys::Symbols)
    }

    fn load_all(ruby: &Ruby, rb_self: &Self) -> Res<Value> {
        json_to_ruby(ruby, &rb_self.inner.load_all(), Keys::Symbols)
    }

    /// The canonical name of the record found by name (or alias, for unit primitives).
    fn find(ruby: &Ruby, rb_self: &Self, kind: String, name: String) -> Res<Option<String>> {
        let c = &rb_self.inner;
        Ok(match self::kind(ruby, kind)? {
            RecordKind::UnitPrimitive => c.unit_primitive(&name).map(|r| r.name.clone()),
            RecordKind::BackendService => c.backend_service(&name).map(|r| r.name.clone()),
            RecordKind::AddOn => c.add_on(&name).map(|r| r.name.clone()),
            RecordKind::LicenseType => c.license_type(&name).map(|r| r.name.clone()),
            RecordKind::Service => c.service(&name).map(|r| r.name.clone()),
        })
    }

    /// Associated record names in the target's load order (the gem's association rules).
    fn associations(
        ruby: &Ruby,
        rb_self: &Self,
        kind: String,
        name: String,
        association: String,
    ) -> Res<RArray> {
        let c = &rb_self.inner;
        let kind = self::kind(ruby, kind)?;
        let missing = || invalid_argument(ruby, format!("no {} named '{name}'", kind.label()));
        match (kind, association.as_str()) {
            (RecordKind::UnitPrimitive, assoc) => {
                let up = c.unit_primitive(&name).ok_or_else(missing)?;
                match assoc {
                    "backend_services" => Ok(names(ruby, c.backend_services_of(up))),
                    "add_ons" => Ok(names(ruby, c.add_ons_of(up))),
                    "license_types" => Ok(names(ruby, c.license_types_of(up))),
                    other => Err(invalid_argument(
                        ruby,
                        format!("unit primitives have no association '{other}'"),
                    )),
                }
            }
            (RecordKind::Service, "unit_primitives") => {
                let s = c.service(&name).ok_or_else(missing)?;
                Ok(names(ruby, c.unit_primitives_of(s)))
            }
            (kind, other) => Err(invalid_argument(
                ruby,
                format!("{} has no association '{other}'", kind.dir()),
            )),
        }
    }

    /// `AvailableServicesGenerator#generate`: String keys throughout, in the gem's order.
    fn available_services(ruby: &Ruby, rb_self: &Self, realm: String) -> Res<Value> {
        let out = lift(ruby, rb_self.inner.available_services_for(&realm))?;
        ordered_to_ruby(ruby, &out.to_ordered_json())
    }

    /// `{scopes: [...], audiences: [...]}`. `at`: nil (now), a `Time`, an RFC 3339 String or
    /// Integer Unix seconds.
    fn entitlements(
        ruby: &Ruby,
        rb_self: &Self,
        add_ons: Vec<String>,
        at: Value,
        license_type: Option<String>,
        gitlab_version: Option<String>,
    ) -> Res<RHash> {
        let at = parse_at(ruby, at)?;
        let request = EntitlementRequest {
            add_ons,
            at,
            license_type,
            gitlab_version,
        };
        let e = lift(ruby, rb_self.inner.entitlements(&request))?;
        let out = ruby.hash_new();
        out.aset(ruby.to_symbol("scopes"), ruby.ary_from_vec(e.scopes))?;
        out.aset(ruby.to_symbol("audiences"), ruby.ary_from_vec(e.audiences))?;
        Ok(out)
    }

    fn unit_primitive_enum_values(&self) -> Vec<String> {
        let v = self.inner.unit_primitive_enum_values();
        v.into_iter().map(str::to_owned).collect()
    }

    fn feature_category_enum_values(&self) -> Vec<String> {
        let v = self.inner.feature_category_enum_values();
        v.into_iter().map(str::to_owned).collect()
    }
}

fn parse_at(ruby: &Ruby, at: Value) -> Res<Option<DateTime<Utc>>> {
    match ruby_to_json(ruby, at)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| invalid_argument(ruby, format!("'{s}' is not an RFC 3339 time: {e}"))),
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(Some)
            .ok_or_else(|| invalid_argument(ruby, format!("{n} is not a Unix time in seconds"))),
        other => Err(invalid_argument(
            ruby,
            format!("at: expected nil, a Time, an RFC 3339 String or Integer seconds, got {other}"),
        )),
    }
}

/// The core's realm check (`invalid_realm` with the gem's message), so the generator can refuse
/// a realm before any data is loaded, as the gem does.
/// Only a String is a realm (a Symbol is not, as in the gem).
fn check_legacy_realm(ruby: &Ruby, realm: Value) -> Res<String> {
    let given = RString::from_value(realm)
        .map(|s| s.to_string())
        .transpose()?;
    let r = lift(ruby, LegacyRealm::from_argument(given.as_deref()))?;
    Ok(r.as_str().to_owned())
}

/// The gem's association rule (`Catalog::association_order`) for records Ruby holds.
fn association_order(target_names: Vec<String>, listed: Vec<String>) -> Vec<usize> {
    cloud_connector::catalog::association_order(&target_names, &listed)
}

/// Every error code of the core, for one Ruby error class per code.
fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

fn init(ruby: &Ruby) -> Res<()> {
    let gitlab = ruby.define_module("Gitlab")?;
    let cc = gitlab.define_module("CloudConnector")?;
    let native = cc.define_module("Native")?;
    native.define_module_function("error_codes", function!(error_codes, 0))?;
    native.define_module_function("association_order", function!(association_order, 2))?;
    native.define_module_function("check_legacy_realm", function!(check_legacy_realm, 1))?;
    let c = native.define_class("Catalog", ruby.class_object())?;
    c.define_singleton_method("embedded", function!(RbCatalog::embedded, 1))?;
    c.define_singleton_method("load_dir", function!(RbCatalog::load_dir, 2))?;
    c.define_singleton_method(
        "load_dir_lenient",
        function!(RbCatalog::load_dir_lenient, 2),
    )?;
    c.define_singleton_method(
        "embedded_lenient",
        function!(RbCatalog::embedded_lenient, 1),
    )?;
    c.define_singleton_method("from_records", function!(RbCatalog::from_records, 1))?;
    c.define_method("warnings", method!(RbCatalog::warnings, 1))?;
    c.define_singleton_method("validate_dir", function!(RbCatalog::validate_dir, 1))?;
    c.define_method("source", method!(RbCatalog::source, 0))?;
    c.define_method("records", method!(RbCatalog::records, 1))?;
    c.define_method("load_all", method!(RbCatalog::load_all, 0))?;
    c.define_method("find", method!(RbCatalog::find, 2))?;
    c.define_method("associations", method!(RbCatalog::associations, 3))?;
    c.define_method(
        "available_services",
        method!(RbCatalog::available_services, 1),
    )?;
    c.define_method("entitlements", method!(RbCatalog::entitlements, 4))?;
    c.define_method(
        "unit_primitive_enum_values",
        method!(RbCatalog::unit_primitive_enum_values, 0),
    )?;
    c.define_method(
        "feature_category_enum_values",
        method!(RbCatalog::feature_category_enum_values, 0),
    )?;
    tokens::init(ruby, native)?;
    auth::init(ruby, native)?;
    Ok(())
}

/// The entry points Ruby looks for. Older RubyGems cargo builders copy the library to
/// `<gem name>.so` (`Init_gitlab-cloud-connector`), newer ones to `<crate name>.so`; both work.
/// `#[no_mangle]`/`export_name` count as unsafe code; these two items are the crate's only ones.
///
/// # Safety
///
/// Called only by Ruby, once, on the Ruby thread, when the library is required.
#[allow(unsafe_code, non_snake_case)]
#[export_name = "Init_gitlab-cloud-connector"]
pub unsafe extern "C" fn Init_gitlab_cloud_connector_dashed() {
    use magnus::method::RubyInit;
    init.call_handle_error()
}

/// The entry point under the crate's name.
///
/// # Safety
///
/// Called only by Ruby, once, on the Ruby thread, when the library is required.
#[allow(unsafe_code, non_snake_case)]
#[no_mangle]
pub unsafe extern "C" fn Init_gitlab_cloud_connector() {
    use magnus::method::RubyInit;
    init.call_handle_error()
}

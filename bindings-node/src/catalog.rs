//! `Catalog`: the embedded catalog or a directory, with the core's lookups (name or alias),
//! associations, filters, entitlements, the legacy generator and validation. Records are plain
//! camelCase objects; dates are `Date`s.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;

use cloud_connector::catalog::{self as core, EntitlementRequest, Overrides};
use cloud_connector::options::{self, Arg};
use cloud_connector::Catalog as CoreCatalog;

use crate::errors::{invalid, problems, CatalogProblem, OrThrow};

/// A unit primitive with every field of its catalog record.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct UnitPrimitive {
    pub name: String,
    pub description: String,
    pub group: String,
    pub feature_category: String,
    pub documentation_url: Option<String>,
    /// `MAJOR.MINOR`.
    pub milestone: Option<String>,
    pub introduced_by_url: Option<String>,
    pub unit_primitive_issue_url: Option<String>,
    pub deprecated_by_url: Option<String>,
    pub deprecation_message: Option<String>,
    /// When free access ends.
    pub cut_off_date: Option<DateTime<FixedOffset>>,
    pub min_gitlab_version: Option<String>,
    pub min_gitlab_version_for_free_access: Option<String>,
    /// Other names it is found by (empty when none).
    pub alias_names: Vec<String>,
    pub backend_services: Vec<String>,
    pub add_ons: Vec<String>,
    pub license_types: Vec<String>,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct BackendService {
    pub name: String,
    pub description: String,
    /// The token audience that names this backend.
    pub jwt_aud: String,
    pub group: Option<String>,
    pub project_url: Option<String>,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct AddOn {
    pub name: String,
    pub description: String,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct LicenseType {
    pub name: String,
    pub description: String,
}

#[napi(object)]
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub description: String,
    pub unit_primitives: Vec<String>,
    pub basic_unit_primitive: Option<String>,
    pub gitlab_realm: Option<Vec<String>>,
}

impl From<&core::UnitPrimitive> for UnitPrimitive {
    fn from(r: &core::UnitPrimitive) -> UnitPrimitive {
        let version = |v: &Option<core::Version>| v.as_ref().map(|v| v.as_str().to_owned());
        UnitPrimitive {
            name: r.name.clone(),
            description: r.description.clone(),
            group: r.group.clone(),
            feature_category: r.feature_category.clone(),
            documentation_url: r.documentation_url.clone(),
            milestone: version(&r.milestone),
            introduced_by_url: r.introduced_by_url.clone(),
            unit_primitive_issue_url: r.unit_primitive_issue_url.clone(),
            deprecated_by_url: r.deprecated_by_url.clone(),
            deprecation_message: r.deprecation_message.clone(),
            cut_off_date: r.cut_off_date,
            min_gitlab_version: version(&r.min_gitlab_version),
            min_gitlab_version_for_free_access: version(&r.min_gitlab_version_for_free_access),
            alias_names: r.aliases().to_vec(),
            backend_services: r.backend_services.clone(),
            add_ons: r.add_ons.clone(),
            license_types: r.license_types.clone(),
        }
    }
}

impl From<&core::BackendService> for BackendService {
    fn from(r: &core::BackendService) -> BackendService {
        BackendService {
            name: r.name.clone(),
            description: r.description.clone(),
            jwt_aud: r.jwt_aud.clone(),
            group: r.group.clone(),
            project_url: r.project_url.clone(),
        }
    }
}

impl From<&core::AddOn> for AddOn {
    fn from(r: &core::AddOn) -> AddOn {
        AddOn {
            name: r.name.clone(),
            description: r.description.clone(),
        }
    }
}

impl From<&core::LicenseType> for LicenseType {
    fn from(r: &core::LicenseType) -> LicenseType {
        LicenseType {
            name: r.name.clone(),
            description: r.description.clone(),
        }
    }
}

impl From<&core::Service> for Service {
    fn from(r: &core::Service) -> Service {
        Service {
            name: r.name.clone(),
            description: r.description.clone(),
            unit_primitives: r.unit_primitives.clone(),
            basic_unit_primitive: r.basic_unit_primitive.clone(),
            gitlab_realm: r.gitlab_realm.clone(),
        }
    }
}

fn all<'a, C: 'a, T: From<&'a C>>(records: impl IntoIterator<Item = &'a C>) -> Vec<T> {
    records.into_iter().map(T::from).collect()
}

/// What to compute entitlements for.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct EntitlementOptions {
    /// Active add-ons, catalog names (`code_suggestions` reads as `duo_pro`).
    pub add_ons: Vec<String>,
    /// When to judge free access (default: now).
    pub at: Option<DateTime<Utc>>,
    /// Only unit primitives available under this licence (when they list licences).
    pub license_type: Option<String>,
    /// Self-managed GitLab version (`MAJOR.MINOR[.PATCH]`), checked against minimum versions.
    pub gitlab_version: Option<String>,
}

/// Token scopes (unit primitive names) and audiences (`jwtAud` of the backends involved).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Entitlements {
    pub scopes: Vec<String>,
    pub audiences: Vec<String>,
}

/// Every set field must match.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct UnitPrimitiveFilter {
    pub group: Option<String>,
    pub feature_category: Option<String>,
    pub add_on: Option<String>,
    pub backend_service: Option<String>,
    pub license_type: Option<String>,
    /// `"free"` or `"paid"`, judged at `at` (default now).
    pub access: Option<String>,
    /// Case-insensitive text in the name, an alias, the description, group or category.
    pub text: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// A catalog: the one embedded in the addon (validated when it was built) or a directory.
#[napi]
#[derive(Debug)]
pub struct Catalog {
    pub(crate) inner: CoreCatalog,
}

fn overrides(env: &Env, value: Option<Value>) -> napi::Result<Overrides> {
    match value {
        None | Some(Value::Null) => Ok(Overrides::new()),
        Some(v) => Overrides::from_json(&v).or_throw(env),
    }
}

fn missing(kind: &str, name: &str) -> cloud_connector::Error {
    invalid(format!("no {kind} named '{name}'"))
}

impl Catalog {
    fn known_unit_primitive(&self, env: &Env, name: &str) -> napi::Result<&core::UnitPrimitive> {
        self.inner
            .unit_primitive(name)
            .ok_or_else(|| missing("unit primitive", name))
            .or_throw(env)
    }
}

#[napi]
impl Catalog {
    /// The embedded catalog (parsed once, shared), optionally with override configuration
    /// (`{ unit_primitives: { duo_chat: { description: "..." } } }`) merged in and validated.
    #[napi(factory)]
    pub fn embedded(env: Env, overrides: Option<Value>) -> napi::Result<Catalog> {
        let inner = match overrides {
            None | Some(Value::Null) => CoreCatalog::embedded().clone(),
            Some(o) => CoreCatalog::embedded_with_overrides(&self::overrides(&env, Some(o))?)
                .or_throw(&env)?,
        };
        Ok(Catalog { inner })
    }

    /// Loads a catalog directory through the validator; throws `catalog_invalid` (with
    /// `problems`) or `catalog_not_found`.
    #[napi(factory)]
    pub fn load_dir(env: Env, path: String, overrides: Option<Value>) -> napi::Result<Catalog> {
        let o = self::overrides(&env, overrides)?;
        Ok(Catalog {
            inner: CoreCatalog::load_dir_with_overrides(PathBuf::from(path), &o).or_throw(&env)?,
        })
    }

    /// `CLOUD_CONNECTOR_CONFIG_DIR` when set, else the embedded catalog.
    #[napi(factory)]
    pub fn from_env(env: Env) -> napi::Result<Catalog> {
        Ok(Catalog {
            inner: CoreCatalog::from_env().or_throw(&env)?,
        })
    }

    /// Every problem of a catalog directory, each with file, record and field; empty when the
    /// directory is valid. A missing directory throws `catalog_not_found`.
    #[napi]
    pub fn validate_dir(env: Env, path: String) -> napi::Result<Vec<CatalogProblem>> {
        Ok(problems(
            &CoreCatalog::validate_dir(PathBuf::from(path)).or_throw(&env)?,
        ))
    }

    /// `"embedded"`, `"records"`, or the directory it was loaded from.
    #[napi(getter)]
    pub fn source(&self) -> String {
        match self.inner.source() {
            core::CatalogSource::Embedded => "embedded".into(),
            core::CatalogSource::Directory(p) => p.display().to_string(),
            core::CatalogSource::Records => "records".into(),
        }
    }

    #[napi]
    pub fn unit_primitives(&self) -> Vec<UnitPrimitive> {
        all(self.inner.unit_primitives())
    }

    #[napi]
    pub fn backend_services(&self) -> Vec<BackendService> {
        all(self.inner.backend_services())
    }

    #[napi]
    pub fn add_ons(&self) -> Vec<AddOn> {
        all(self.inner.add_ons())
    }

    #[napi]
    pub fn license_types(&self) -> Vec<LicenseType> {
        all(self.inner.license_types())
    }

    #[napi]
    pub fn services(&self) -> Vec<Service> {
        all(self.inner.services())
    }

    /// By name or alias.
    #[napi]
    pub fn unit_primitive(&self, name: String) -> Option<UnitPrimitive> {
        self.inner.unit_primitive(&name).map(UnitPrimitive::from)
    }

    #[napi]
    pub fn backend_service(&self, name: String) -> Option<BackendService> {
        self.inner.backend_service(&name).map(BackendService::from)
    }

    #[napi]
    pub fn add_on(&self, name: String) -> Option<AddOn> {
        self.inner.add_on(&name).map(AddOn::from)
    }

    #[napi]
    pub fn license_type(&self, name: String) -> Option<LicenseType> {
        self.inner.license_type(&name).map(LicenseType::from)
    }

    #[napi]
    pub fn service(&self, name: String) -> Option<Service> {
        self.inner.service(&name).map(Service::from)
    }

    /// The backends serving a unit primitive (name or alias), in catalog order.
    #[napi]
    pub fn backend_services_of(
        &self,
        env: Env,
        unit_primitive: String,
    ) -> napi::Result<Vec<BackendService>> {
        let up = self.known_unit_primitive(&env, &unit_primitive)?;
        Ok(all(self.inner.backend_services_of(up)))
    }

    /// The add-ons that include a unit primitive (name or alias).
    #[napi]
    pub fn add_ons_of(&self, env: Env, unit_primitive: String) -> napi::Result<Vec<AddOn>> {
        let up = self.known_unit_primitive(&env, &unit_primitive)?;
        Ok(all(self.inner.add_ons_of(up)))
    }

    /// The licence types a unit primitive (name or alias) is available under.
    #[napi]
    pub fn license_types_of(
        &self,
        env: Env,
        unit_primitive: String,
    ) -> napi::Result<Vec<LicenseType>> {
        let up = self.known_unit_primitive(&env, &unit_primitive)?;
        Ok(all(self.inner.license_types_of(up)))
    }

    /// The unit primitives of a (legacy) service.
    #[napi]
    pub fn unit_primitives_of(
        &self,
        env: Env,
        service: String,
    ) -> napi::Result<Vec<UnitPrimitive>> {
        let c = &self.inner;
        let s = c
            .service(&service)
            .ok_or_else(|| missing("service", &service))
            .or_throw(&env)?;
        Ok(all(c.unit_primitives_of(s)))
    }

    /// Owning groups, sorted.
    #[napi]
    pub fn groups(&self) -> Vec<String> {
        self.inner.groups().into_iter().map(str::to_owned).collect()
    }

    /// Feature categories, sorted.
    #[napi]
    pub fn feature_categories(&self) -> Vec<String> {
        self.inner
            .feature_categories()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The unit primitives matching every set field of `filter`, in catalog order.
    #[napi]
    pub fn filter_unit_primitives(
        &self,
        env: Env,
        filter: Option<UnitPrimitiveFilter>,
    ) -> napi::Result<Vec<UnitPrimitive>> {
        let f = filter.unwrap_or_default();
        let access = f
            .access
            .map(|n| options::parse_access(&Arg::Str(n)))
            .transpose()
            .or_throw(&env)?;
        let filter = core::UnitPrimitiveFilter {
            group: f.group,
            feature_category: f.feature_category,
            add_on: f.add_on,
            backend_service: f.backend_service,
            license_type: f.license_type,
            access,
            text: f.text,
            at: f.at,
        };
        Ok(all(self.inner.filter_unit_primitives(&filter)))
    }

    /// Scopes and audiences an instance with these add-ons is entitled to.
    #[napi]
    pub fn entitlements(
        &self,
        env: Env,
        options: EntitlementOptions,
    ) -> napi::Result<Entitlements> {
        let request = EntitlementRequest {
            add_ons: options.add_ons,
            at: options.at,
            license_type: options.license_type,
            gitlab_version: options.gitlab_version,
        };
        let grant = self.inner.entitlements(&request).or_throw(&env)?;
        Ok(Entitlements {
            scopes: grant.scopes,
            audiences: grant.audiences,
        })
    }

    /// The legacy available-services structure for `"gitlab-com"` or `"self-managed"`
    /// (the gem's `AvailableServicesGenerator#generate`, keys as in `access_data.yml`);
    /// throws `invalid_realm`.
    #[napi(
        ts_return_type = "{ services: Record<string, { backend?: string; cut_off_date?: string; min_gitlab_version?: string; min_gitlab_version_for_free_access?: string; bundled_with?: Record<string, { unit_primitives: string[] } | null>; license_types?: string[] }> }"
    )]
    pub fn available_services(&self, env: Env, realm: String) -> napi::Result<Unknown<'static>> {
        let out = self.inner.available_services_for(&realm).or_throw(&env)?;
        // Through JSON text, not a serde_json::Value (whose objects sort their keys): the
        // entries keep the gem's key order and `bundled_with` groups their order of first use.
        let text =
            serde_json::to_string(&out).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        crate::convert::parse(&env, text)
    }

    /// Records in the gem's `load_all` shape (kind => plain records, snake_case as in YAML).
    #[napi(ts_return_type = "Record<string, Array<Record<string, unknown>>>")]
    pub fn load_all(&self) -> Value {
        self.inner.load_all()
    }
}

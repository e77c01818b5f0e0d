//! The legacy "available services" structure: the gem's `AvailableServicesGenerator#generate`,
//! i.e. what GitLab Rails' frozen `access_data.yml` holds (ruby-api.md section 4).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::Utc;
use indexmap::IndexMap;
use serde::Serialize;

use super::model::UnitPrimitive;
use super::store::Catalog;
use crate::error::{Error, ErrorCode};

/// The generator's realm vocabulary (not the token's `saas` / `self-managed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegacyRealm {
    /// `gitlab-com`.
    GitlabCom,
    /// `self-managed`.
    SelfManaged,
}

/// The gem's `GITLAB_REALMS`.
pub const GITLAB_REALMS: [&str; 2] = ["gitlab-com", "self-managed"];

/// The gem's exact message for a bad realm.
pub fn wrong_realm_message() -> String {
    format!(
        "Wrong gitlab_realm. Please use one of the following: {}",
        GITLAB_REALMS.join(", ")
    )
}

impl LegacyRealm {
    /// The realm as the generator writes it (`gitlab-com` / `self-managed`).
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyRealm::GitlabCom => GITLAB_REALMS[0],
            LegacyRealm::SelfManaged => GITLAB_REALMS[1],
        }
    }
}

impl FromStr for LegacyRealm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "gitlab-com" => Ok(LegacyRealm::GitlabCom),
            "self-managed" => Ok(LegacyRealm::SelfManaged),
            _ => Err(Error::new(ErrorCode::InvalidRealm, wrong_realm_message())),
        }
    }
}

impl fmt::Display for LegacyRealm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"unit_primitives": [...]}` inside `bundled_with`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bundle {
    /// Unit primitive names of the bundle, in catalog order.
    pub unit_primitives: Vec<String>,
}

/// One entry of the output. `None` fields are the ones `compact_blank` removed; keys serialise in
/// the gem's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyEntry {
    /// The `jwt_aud` of the service's backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// `%Y-%m-%d %H:%M:%S UTC`, or absent when free forever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_off_date: Option<String>,
    /// Minimum GitLab version, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version: Option<String>,
    /// Minimum GitLab version for free access, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_gitlab_version_for_free_access: Option<String>,
    /// Add-on (or `_irrelevant`) => bundle, in order of first use. A `None` bundle only arises
    /// from the `self_hosted_models` rule when no unit primitive has `duo_enterprise`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundled_with: Option<IndexMap<String, Option<Bundle>>>,
    /// Licence types of the service's unit primitives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_types: Option<Vec<String>>,
}

/// `{"services": {name => entry}}`, names in byte order (Ruby's `sort` on Strings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AvailableServices {
    /// Legacy service name => its entry.
    pub services: BTreeMap<String, LegacyEntry>,
}

/// Group key for unit primitives without add-ons.
pub const IRRELEVANT: &str = "_irrelevant";
/// The service whose bundles keep only `duo_enterprise`.
pub const SELF_HOSTED_MODELS: &str = "self_hosted_models";
const SELF_HOSTED_ADD_ON: &str = "duo_enterprise";

impl Catalog {
    /// `AvailableServicesGenerator#generate(realm)`, realm in the generator's vocabulary.
    pub fn available_services_for(&self, realm: &str) -> Result<AvailableServices, Error> {
        Ok(self.available_services(realm.parse()?))
    }

    /// The gem's `access_data` output for `realm`.
    pub fn available_services(&self, realm: LegacyRealm) -> AvailableServices {
        let mut services = BTreeMap::new();
        for service in self.services() {
            // Realm filtering applies to services only; a service without realms is in both.
            if let Some(realms) = &service.gitlab_realm {
                if !realms.iter().any(|r| r == realm.as_str()) {
                    continue;
                }
            }
            let ups = self.unit_primitives_of(service);
            let Some(mut entry) =
                self.service_config(&ups, service.basic_unit_primitive.as_deref())
            else {
                continue;
            };
            if service.name == SELF_HOSTED_MODELS {
                let kept = entry
                    .bundled_with
                    .as_mut()
                    .and_then(|b| b.shift_remove(SELF_HOSTED_ADD_ON))
                    .flatten();
                entry.bundled_with = Some(IndexMap::from([(SELF_HOSTED_ADD_ON.to_owned(), kept)]));
            }
            services.insert(service.name.clone(), entry);
        }
        for up in self.unit_primitives() {
            if self.service(&up.name).is_some() {
                continue;
            }
            if let Some(entry) = self.service_config(&[up], None) {
                services.insert(up.name.clone(), entry);
            }
        }
        AvailableServices { services }
    }

    /// The gem's `service_config`: one sampled unit primitive gives backend, dates and licences;
    /// every unit primitive contributes to `bundled_with`.
    fn service_config(&self, ups: &[&UnitPrimitive], basic: Option<&str>) -> Option<LegacyEntry> {
        let sample = basic
            .and_then(|b| ups.iter().find(|u| u.name == b))
            .or_else(|| ups.first())?;
        let mut bundled: IndexMap<String, Option<Bundle>> = IndexMap::new();
        for up in ups {
            let add_ons = self.add_ons_of(up);
            let groups: Vec<&str> = if add_ons.is_empty() {
                vec![IRRELEVANT]
            } else {
                add_ons.iter().map(|a| a.name.as_str()).collect()
            };
            for group in groups {
                let bundle = bundled.entry(group.to_owned()).or_insert_with(|| {
                    Some(Bundle {
                        unit_primitives: vec![],
                    })
                });
                if let Some(bundle) = bundle {
                    bundle.unit_primitives.push(up.name.clone());
                }
            }
        }
        let non_blank = |s: Option<String>| s.filter(|s| !s.is_empty());
        let licenses: Vec<String> = self
            .license_types_of(sample)
            .iter()
            .map(|l| l.name.clone())
            .collect();
        Some(LegacyEntry {
            backend: non_blank(
                self.backend_services_of(sample)
                    .first()
                    .map(|b| b.jwt_aud.clone()),
            ),
            // Converted to UTC before formatting: identical for catalog data (all +00:00), and
            // right where the gem would print a non-UTC wall clock followed by " UTC".
            cut_off_date: sample.cut_off_date.map(|t| {
                t.with_timezone(&Utc)
                    .format("%Y-%m-%d %H:%M:%S UTC")
                    .to_string()
            }),
            min_gitlab_version: non_blank(
                sample.min_gitlab_version.as_ref().map(|v| v.to_string()),
            ),
            min_gitlab_version_for_free_access: non_blank(
                sample
                    .min_gitlab_version_for_free_access
                    .as_ref()
                    .map(|v| v.to_string()),
            ),
            bundled_with: Some(bundled).filter(|b| !b.is_empty()),
            license_types: Some(licenses).filter(|l| !l.is_empty()),
        })
    }
}

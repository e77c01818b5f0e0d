//! Entitlements: which unit primitives (scopes) and which backends (audiences) an instance or
//! namespace gets. This is GitLab Rails' `TokenIssuer` rule (ruby-api.md 8.4), with optional
//! licence and version constraints for self-managed callers.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::model::UnitPrimitive;
use super::store::Catalog;
use super::version::Version;
use crate::error::{Error, ErrorCode};

/// GitLab Rails' billing database calls Duo Pro `code_suggestions`; the catalog calls it
/// `duo_pro`. Rails renames at the boundary, and so do we, so either name works here.
pub const RAILS_ADD_ON_ALIASES: &[(&str, &str)] = &[("code_suggestions", "duo_pro")];

/// The catalog name of an add-on name as Rails' billing database spells it.
pub fn catalog_add_on_name(name: &str) -> &str {
    RAILS_ADD_ON_ALIASES
        .iter()
        .find(|(rails, _)| *rails == name)
        .map_or(name, |(_, catalog)| catalog)
}

/// What to compute entitlements for.
#[derive(Clone, Debug, Default)]
pub struct EntitlementRequest {
    /// Active add-ons, catalog names (or `code_suggestions`). Unknown names never match, as in
    /// Rails (billing has add-ons the catalog does not).
    pub add_ons: Vec<String>,
    /// The time to decide free access at; `None` is now.
    pub at: Option<DateTime<Utc>>,
    /// When given, a unit primitive that lists license types must list this one.
    pub license_type: Option<String>,
    /// When given (self-managed), `min_gitlab_version` must be met, and free access also needs
    /// `min_gitlab_version_for_free_access`. GitLab.com passes none: Rails ignores versions there.
    pub gitlab_version: Option<String>,
}

impl EntitlementRequest {
    /// A request for these add-ons, judged now, with no licence or version condition.
    pub fn with_add_ons<I: IntoIterator<Item = S>, S: Into<String>>(
        add_ons: I,
    ) -> EntitlementRequest {
        EntitlementRequest {
            add_ons: add_ons.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
    /// Judges free access at `at` instead of now.
    pub fn at(mut self, at: DateTime<Utc>) -> EntitlementRequest {
        self.at = Some(at);
        self
    }
}

/// Token scopes (unit primitive names, catalog order) and audiences (`jwt_aud` of every backend
/// that serves a selected unit primitive, first appearance order, no repeats).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Entitlements {
    /// Unit primitive names a token for this request may carry (its `scopes` claim).
    pub scopes: Vec<String>,
    /// The `jwt_aud` of every backend serving one of the scopes (its `aud` claim).
    pub audiences: Vec<String>,
}

/// Free access: no cut-off, or a cut-off strictly after `at` (a cut-off equal to now is over).
pub fn is_free_at(up: &UnitPrimitive, at: DateTime<Utc>) -> bool {
    up.cut_off_date.is_none_or(|cut_off| cut_off > at)
}

impl Catalog {
    /// The scopes and audiences `request` grants (Rails' `TokenIssuer` rule); `invalid_argument` for an
    /// unknown licence name or a malformed GitLab version.
    pub fn entitlements(&self, request: &EntitlementRequest) -> Result<Entitlements, Error> {
        let at = request.at.unwrap_or_else(Utc::now);
        let version = request
            .gitlab_version
            .as_deref()
            .map(Version::parse_gitlab)
            .transpose()?;
        if let Some(license) = &request.license_type {
            if self.license_type(license).is_none() {
                let known: Vec<&str> = self
                    .license_types()
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect();
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "unknown license type '{license}'; the catalog has: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let active: Vec<&str> = request
            .add_ons
            .iter()
            .map(|a| catalog_add_on_name(a))
            .collect();
        let mut out = Entitlements::default();
        let mut backends_seen: Vec<&str> = Vec::new();
        for up in self.unit_primitives() {
            if !self.entitled(
                up,
                at,
                &active,
                request.license_type.as_deref(),
                version.as_ref(),
            ) {
                continue;
            }
            out.scopes.push(up.name.clone());
            for backend in self.backend_services_of(up) {
                // De-duplicated by backend record, as Rails' `uniq` on records.
                if !backends_seen.contains(&backend.name.as_str()) {
                    backends_seen.push(&backend.name);
                    out.audiences.push(backend.jwt_aud.clone());
                }
            }
        }
        Ok(out)
    }

    fn entitled(
        &self,
        up: &UnitPrimitive,
        at: DateTime<Utc>,
        active: &[&str],
        license: Option<&str>,
        version: Option<&Version>,
    ) -> bool {
        if let Some(license) = license {
            if !up.license_types.is_empty() && !up.license_types.iter().any(|l| l == license) {
                return false;
            }
        }
        let meets = |min: &Option<Version>| match (version, min) {
            (Some(v), Some(min)) => v.numeric() >= min.numeric(),
            _ => true,
        };
        if !meets(&up.min_gitlab_version) {
            return false;
        }
        let free = is_free_at(up, at) && meets(&up.min_gitlab_version_for_free_access);
        // Through the association, so an add-on name the catalog does not know never matches.
        free || self
            .add_ons_of(up)
            .iter()
            .any(|a| active.contains(&a.name.as_str()))
    }
}

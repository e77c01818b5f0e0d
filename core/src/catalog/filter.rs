//! Filtering unit primitives, as the directory and `catalog list` offer it: by owning group,
//! feature category, add-on, backend service, licence type, free/paid status and free text.
//! One rule set here, so every front end filters the same way.

use chrono::{DateTime, Utc};

use super::entitlements::is_free_at;
use super::model::UnitPrimitive;
use super::store::Catalog;

/// Free or paid at a given time (see [`is_free_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Free at that time (no cut-off, or a cut-off still ahead).
    Free,
    /// Past its cut-off date: only with an add-on that includes it.
    Paid,
}

impl Access {
    /// Whether `up` is free or paid at `at`.
    pub fn of(up: &UnitPrimitive, at: DateTime<Utc>) -> Access {
        if is_free_at(up, at) {
            Access::Free
        } else {
            Access::Paid
        }
    }
    /// `"free"` or `"paid"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Free => "free",
            Access::Paid => "paid",
        }
    }

    /// The access a name (`"free"` / `"paid"`, as [`Access::as_str`] writes it) stands for.
    pub fn from_name(name: &str) -> Option<Access> {
        [Access::Free, Access::Paid]
            .into_iter()
            .find(|a| a.as_str() == name)
    }
}

/// Every set field must match; unset fields match everything. Names compare exactly (add-ons,
/// backends and licences by canonical name, through the associations); `text` is a
/// case-insensitive substring of the name, an alias, the description, the group or the feature
/// category.
#[derive(Clone, Debug, Default)]
pub struct UnitPrimitiveFilter {
    /// Owning group (`group`), exactly.
    pub group: Option<String>,
    /// Feature category, exactly.
    pub feature_category: Option<String>,
    /// An add-on that includes the unit primitive, by canonical name.
    pub add_on: Option<String>,
    /// A backend service that serves the unit primitive, by name.
    pub backend_service: Option<String>,
    /// A licence type the unit primitive lists, by name.
    pub license_type: Option<String>,
    /// Free or paid at `at`.
    pub access: Option<Access>,
    /// Case-insensitive substring of the name, an alias, the description, the group or the
    /// feature category.
    pub text: Option<String>,
    /// The time `access` is judged at; `None` is now.
    pub at: Option<DateTime<Utc>>,
}

impl UnitPrimitiveFilter {
    /// Whether `up` passes every set field of this filter.
    pub fn matches(&self, catalog: &Catalog, up: &UnitPrimitive) -> bool {
        let eq = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        if !eq(&self.group, &up.group) || !eq(&self.feature_category, &up.feature_category) {
            return false;
        }
        if let Some(a) = &self.add_on {
            if !catalog.add_ons_of(up).iter().any(|x| &x.name == a) {
                return false;
            }
        }
        if let Some(b) = &self.backend_service {
            if !catalog.backend_services_of(up).iter().any(|x| &x.name == b) {
                return false;
            }
        }
        if let Some(l) = &self.license_type {
            if !catalog.license_types_of(up).iter().any(|x| &x.name == l) {
                return false;
            }
        }
        if let Some(access) = self.access {
            if Access::of(up, self.at.unwrap_or_else(Utc::now)) != access {
                return false;
            }
        }
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let needle = text.to_lowercase();
            let hit = |s: &str| s.to_lowercase().contains(&needle);
            if !(hit(&up.name)
                || up.aliases().iter().any(|a| hit(a))
                || hit(&up.description)
                || hit(&up.group)
                || hit(&up.feature_category))
            {
                return false;
            }
        }
        true
    }
}

impl Catalog {
    /// The unit primitives matching `filter`, in load order.
    pub fn filter_unit_primitives(&self, filter: &UnitPrimitiveFilter) -> Vec<&UnitPrimitive> {
        self.unit_primitives()
            .iter()
            .filter(|up| filter.matches(self, up))
            .collect()
    }

    /// Distinct owning groups, sorted (the directory's "who owns what" index).
    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = self
            .unit_primitives()
            .iter()
            .map(|u| u.group.as_str())
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }

    /// Distinct feature categories, sorted.
    pub fn feature_categories(&self) -> Vec<&str> {
        let mut cats: Vec<&str> = self
            .unit_primitives()
            .iter()
            .map(|u| u.feature_category.as_str())
            .collect();
        cats.sort_unstable();
        cats.dedup();
        cats
    }
}

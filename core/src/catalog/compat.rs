//! Names the existing packages' enums are made of. The Python package's `GitLabUnitPrimitive`
//! and `GitLabFeatureCategory` (and the Node package's equivalents) are built from these, so
//! every binding offers the same members.

use super::store::Catalog;

/// Feature categories that the Python package 1.2 (plus `duo_agent_platform`, 3.x) had as enum
/// members. Kept so code that names them keeps importing, whether or not a unit primitive uses
/// them now.
pub const LEGACY_FEATURE_CATEGORIES: &[&str] = &[
    "ai_abstraction_layer",
    "code_review_workflow",
    "code_suggestions",
    "continuous_integration",
    "duo_agent_platform",
    "duo_chat",
    "global_search",
    "product_analytics_visualization",
    "source_code_management",
    "team_planning",
    "vulnerability_management",
];

impl Catalog {
    /// Every unit primitive name and alias, sorted: the members of `GitLabUnitPrimitive`.
    /// Aliases are members in their own right so a token scope spelled the old way is still a
    /// known unit primitive.
    pub fn unit_primitive_enum_values(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .unit_primitives()
            .iter()
            .flat_map(|u| {
                std::iter::once(u.name.as_str()).chain(u.aliases().iter().map(String::as_str))
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The catalog's feature categories and the legacy ones, sorted: `GitLabFeatureCategory`.
    pub fn feature_category_enum_values(&self) -> Vec<&str> {
        let mut cats = self.feature_categories();
        cats.extend_from_slice(LEGACY_FEATURE_CATEGORIES);
        cats.sort_unstable();
        cats.dedup();
        cats
    }
}

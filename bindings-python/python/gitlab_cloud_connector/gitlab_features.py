"""Unit primitive and feature category enums, and the maps built from the catalog."""

from __future__ import annotations

from typing import Dict

from ._generated import GitLabFeatureCategory, GitLabUnitPrimitive
from ._native import Catalog
from .errors import WrongUnitPrimitives

__all__ = [
    "FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS",
    "UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING",
    "GitLabFeatureCategory",
    "GitLabUnitPrimitive",
    "WrongUnitPrimitives",
]

_records = Catalog.embedded().load_all()["unit_primitives"]

#: Each unit primitive's feature category, from the catalog.
FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS: Dict[GitLabUnitPrimitive, GitLabFeatureCategory] = {
    GitLabUnitPrimitive(r["name"]): GitLabFeatureCategory(r["feature_category"]) for r in _records
}

#: Each unit primitive's catalog description.
UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING: Dict[GitLabUnitPrimitive, str] = {
    GitLabUnitPrimitive(r["name"]): r["description"] for r in _records
}

"""The catalog as Python objects: ``load_catalog()`` (the bundled catalog, memoised) and
``Catalog`` for directories, overrides, entitlements, the legacy generator and filtering. Every
rule runs in the Rust core; this module only shapes the results."""

from __future__ import annotations

import datetime as _dt
import functools
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .. import _native
from ..errors import InvalidArgumentError

__all__ = [
    "AddOn",
    "BackendService",
    "Catalog",
    "Entitlements",
    "LicenseType",
    "Service",
    "UnitPrimitive",
    "load_catalog",
]

TimeLike = Union[_dt.datetime, str, None]


@dataclass(frozen=True)
class UnitPrimitive:
    name: str
    description: str
    group: str
    feature_category: str
    backend_services: Tuple[str, ...]
    add_ons: Tuple[str, ...]
    license_types: Tuple[str, ...]
    documentation_url: Optional[str] = None
    milestone: Optional[str] = None
    introduced_by_url: Optional[str] = None
    unit_primitive_issue_url: Optional[str] = None
    deprecated_by_url: Optional[str] = None
    deprecation_message: Optional[str] = None
    cut_off_date: Optional[_dt.datetime] = None
    min_gitlab_version: Optional[str] = None
    min_gitlab_version_for_free_access: Optional[str] = None
    alias_names: Tuple[str, ...] = ()


@dataclass(frozen=True)
class BackendService:
    name: str
    description: str
    jwt_aud: str
    group: Optional[str] = None
    project_url: Optional[str] = None


@dataclass(frozen=True)
class AddOn:
    name: str
    description: str


@dataclass(frozen=True)
class LicenseType:
    name: str
    description: str


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    unit_primitives: Tuple[str, ...]
    basic_unit_primitive: Optional[str] = None
    gitlab_realm: Optional[Tuple[str, ...]] = None


@dataclass(frozen=True)
class Entitlements:
    """Token scopes (unit primitive names, catalog order) and audiences (backend ``jwt_aud``s)."""

    scopes: Tuple[str, ...]
    audiences: Tuple[str, ...]


def _tuples(record: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in record.items()}


def _unit_primitive(record: Mapping[str, Any]) -> UnitPrimitive:
    fields = _tuples(record)
    if fields.get("cut_off_date") is not None:
        fields["cut_off_date"] = _dt.datetime.fromisoformat(fields["cut_off_date"])
    return UnitPrimitive(**fields)


def _rfc3339(at: TimeLike) -> Optional[str]:
    if at is None or isinstance(at, str):
        return at
    if isinstance(at, _dt.datetime):
        if at.tzinfo is None:
            raise InvalidArgumentError(
                f"naive datetime {at!r}: give a timezone (e.g. datetime.now(timezone.utc))",
                code="invalid_argument",
            )
        return at.isoformat()
    raise InvalidArgumentError(f"expected a datetime or RFC 3339 string, got {type(at).__name__}")


class Catalog:
    """A loaded catalog. Records are immutable; lookups by name take aliases for unit
    primitives."""

    def __init__(self, native: _native.Catalog) -> None:
        self._native = native
        data = native.load_all()
        self.unit_primitives: Tuple[UnitPrimitive, ...] = tuple(
            _unit_primitive(r) for r in data["unit_primitives"]
        )
        self.backend_services: Tuple[BackendService, ...] = tuple(
            BackendService(**r) for r in data["backend_services"]
        )
        self.add_ons: Tuple[AddOn, ...] = tuple(AddOn(**r) for r in data["add_ons"])
        self.license_types: Tuple[LicenseType, ...] = tuple(LicenseType(**r) for r in data["license_types"])
        self.services: Tuple[Service, ...] = tuple(Service(**_tuples(r)) for r in data["services"])
        self._ups = {u.name: u for u in self.unit_primitives}
        for u in self.unit_primitives:
            for alias in u.alias_names:
                self._ups.setdefault(alias, u)

    @classmethod
    def embedded(cls, overrides: Optional[Mapping[str, Any]] = None) -> Catalog:
        """The bundled catalog, with the gem-style overrides (``{kind: {name: {field: value}}}``)."""
        return cls(_native.Catalog.embedded(overrides))

    @classmethod
    def load_dir(
        cls, path: Union[str, os.PathLike[str]], overrides: Optional[Mapping[str, Any]] = None
    ) -> Catalog:
        """A catalog directory, validated; raises ``CatalogInvalidError`` listing every problem."""
        return cls(_native.Catalog.load_dir(os.fspath(path), overrides))

    @classmethod
    def from_env(cls, overrides: Optional[Mapping[str, Any]] = None) -> Catalog:
        """``CLOUD_CONNECTOR_CONFIG_DIR`` if set, else the bundled catalog."""
        path = os.environ.get("CLOUD_CONNECTOR_CONFIG_DIR")
        return cls.load_dir(path, overrides) if path else cls.embedded(overrides)

    @staticmethod
    def validate_dir(path: Union[str, os.PathLike[str]]) -> List[Dict[str, Any]]:
        """Every problem of a catalog directory (``[]`` when valid)."""
        return _native.Catalog.validate_dir(os.fspath(path))

    @property
    def source(self) -> str:
        return self._native.source

    def unit_primitive(self, name: str) -> Optional[UnitPrimitive]:
        return self._ups.get(str(name))

    def load_all(self) -> Dict[str, List[Dict[str, Any]]]:
        """The gem's ``DataModel.load_all`` shape (record dicts, association fields as names)."""
        result: Dict[str, List[Dict[str, Any]]] = self._native.load_all()
        return result

    def entitlements(
        self,
        add_ons: Sequence[str],
        *,
        at: TimeLike = None,
        license_type: Optional[str] = None,
        gitlab_version: Optional[str] = None,
    ) -> Entitlements:
        """Scopes and audiences for these active add-ons (``code_suggestions`` reads as duo_pro)."""
        grant = self._native.entitlements(
            [str(a) for a in add_ons], _rfc3339(at), license_type, gitlab_version
        )
        return Entitlements(tuple(grant["scopes"]), tuple(grant["audiences"]))

    def available_services(self, realm: str) -> Dict[str, Any]:
        """The legacy available-services structure (``gitlab-com`` or ``self-managed``)."""
        result: Dict[str, Any] = self._native.available_services(realm)
        return result

    def filter_unit_primitives(
        self,
        *,
        group: Optional[str] = None,
        feature_category: Optional[str] = None,
        add_on: Optional[str] = None,
        backend_service: Optional[str] = None,
        license_type: Optional[str] = None,
        access: Optional[str] = None,
        text: Optional[str] = None,
        at: TimeLike = None,
    ) -> List[UnitPrimitive]:
        names = self._native.filter_unit_primitives(
            group=group,
            feature_category=feature_category,
            add_on=add_on,
            backend_service=backend_service,
            license_type=license_type,
            access=access,
            text=text,
            at=_rfc3339(at),
        )
        return [self._ups[n] for n in names]

    def __repr__(self) -> str:
        return f"<Catalog {len(self.unit_primitives)} unit primitives from {self.source}>"


@functools.cache
def load_catalog() -> Catalog:
    """The bundled catalog (never the network, never the environment), built once."""
    return Catalog.embedded()

"""The native extension module (Rust). Use the package's public modules instead."""

from typing import Any, Dict, List, Optional

ERROR_CODES: List[str]

class Catalog:
    @staticmethod
    def embedded(overrides: Optional[Any] = None) -> Catalog: ...
    @staticmethod
    def load_dir(path: str, overrides: Optional[Any] = None) -> Catalog: ...
    @staticmethod
    def validate_dir(path: str) -> List[Dict[str, Any]]: ...
    @property
    def source(self) -> str: ...
    def load_all(self) -> Dict[str, List[Dict[str, Any]]]: ...
    def unit_primitive_enum_values(self) -> List[str]: ...
    def feature_category_enum_values(self) -> List[str]: ...
    def find(self, kind: str, name: str) -> Optional[str]: ...
    def associations(self, kind: str, name: str, association: str) -> List[str]: ...
    def entitlements(
        self,
        add_ons: List[str],
        at: Optional[str] = None,
        license_type: Optional[str] = None,
        gitlab_version: Optional[str] = None,
    ) -> Dict[str, List[str]]: ...
    def available_services(self, realm: str) -> Dict[str, Any]: ...
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
        at: Optional[str] = None,
    ) -> List[str]: ...

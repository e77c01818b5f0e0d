"""The native extension module (Rust). Use the package's public modules instead."""

from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from .errors import QuotaStoreError

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

class KeySource:
    @staticmethod
    def local(signing_key: str, validation_key: str, service_name: Optional[str] = None) -> KeySource: ...
    @staticmethod
    def static_jwks(name: str, jwks_json: str) -> KeySource: ...
    @staticmethod
    def oidc(
        name: str,
        base_url: str,
        fetch: Optional[Callable[[str, float, int], Tuple[int, bytes]]] = None,
        *,
        timeout_seconds: Optional[float] = None,
        ca_bundle: Optional[str] = None,
    ) -> KeySource: ...
    @staticmethod
    def python(name: str, obj: Any) -> KeySource: ...
    @property
    def name(self) -> str: ...
    def load(self) -> Dict[str, Any]: ...

class Composite:
    def __init__(
        self,
        sources: List[KeySource],
        *,
        expiry_seconds: Optional[float] = None,
        ttl_seconds: Optional[float] = None,
        retry_after_failure_seconds: Optional[float] = None,
        bypass_signature: Optional[bool] = None,
        algorithms: Optional[List[str]] = None,
        leeway: Optional[int] = None,
        issuer: Optional[str] = None,
        max_token_size: Optional[int] = None,
        reject_future_iat: Optional[bool] = None,
        unknown_kid_cooldown_seconds: Optional[float] = None,
        token_cache_size: Optional[int] = None,
        audiences: Optional[List[str]] = None,
    ) -> None: ...
    @property
    def expiry_seconds(self) -> float: ...
    def jwks(self) -> Dict[str, Any]: ...
    def ready(self) -> bool: ...
    def refresh(self) -> None: ...
    @property
    def refreshes(self) -> int: ...
    def held_jwks(self) -> Optional[Dict[str, Any]]: ...
    def refresh_due_in(self) -> Optional[float]: ...
    def last_refresh_report(
        self,
    ) -> Optional[
        Tuple[
            List[Tuple[int, str, str, Optional[BaseException]]],
            Optional[str],
            List[Optional[List[Optional[str]]]],
        ]
    ]: ...
    @property
    def cached_tokens(self) -> int: ...
    def authenticate(self, token: str, audience: str) -> Tuple[bool, Tuple[Any, ...], int]: ...
    def bind_user(self, config_type: type, claims_type: type, user_type: type, on_refresh: Any) -> None: ...
    def authenticate_user(self, token: str) -> Any: ...
    def refresh_to_report(self) -> bool: ...
    def verify(self, token: str, audience: str) -> Dict[str, Any]: ...

def authenticate_request(
    headers: Any,
    composite: Optional[Composite],
    provider: Any,
    bypass_auth: bool,
    service_name: Optional[str],
) -> Tuple[Dict[str, Any], Optional[str], Any]: ...
def user_can(
    unit_primitive: Any, is_debug: bool, claims: Any, disallowed_issuers: Optional[List[str]] = None
) -> bool: ...
def known_unit_primitives(scopes: Any) -> List[str]: ...
def current_service_name(config_type: type) -> str: ...

class TokenAuthority:
    def __init__(self, signing_key: str) -> None: ...
    def encode(
        self,
        service_name: str,
        sub: str,
        gitlab_realm: str,
        gitlab_instance_id: Any,
        scopes: List[str],
        duo_seat_count: Optional[str] = None,
        extra_claims: Optional[Any] = None,
    ) -> Tuple[str, int]: ...

class KeyRing:
    def __init__(self, pems: Optional[List[str]] = None) -> None: ...
    @staticmethod
    def load_dir(path: str) -> KeyRing: ...
    def save_dir(self, path: str) -> None: ...
    def create_new_key(self) -> str: ...
    def rotate(self) -> None: ...
    def trim(self) -> None: ...
    @property
    def kids(self) -> List[str]: ...
    def jwks(self) -> Dict[str, Any]: ...
    def issue_instance_token(
        self,
        *,
        issuer: str,
        subject: str,
        realm: str,
        active_add_ons: List[str],
        ttl: Optional[int] = None,
        extra_claims: Optional[Dict[str, Any]] = None,
        license_type: Optional[str] = None,
        gitlab_version: Optional[str] = None,
    ) -> Tuple[str, Dict[str, Any]]: ...

class KeySet:
    @staticmethod
    def from_jwks(jwks: Any) -> KeySet: ...
    @property
    def kids(self) -> List[Optional[str]]: ...
    @property
    def skipped(self) -> List[str]: ...
    def __len__(self) -> int: ...
    def verify(
        self,
        token: str,
        audiences: Union[str, List[str]],
        *,
        now: Optional[int] = None,
        algorithms: Optional[List[str]] = None,
        issuer: Optional[str] = None,
        leeway: Optional[int] = None,
        max_token_size: Optional[int] = None,
        reject_future_iat: Optional[bool] = None,
        verify_signature: Optional[bool] = None,
    ) -> Dict[str, Any]: ...

class SignatureFloor:
    """The raw signature check under ``KeySet.verify``, prepared once (for benchmarks)."""

    def __init__(self, token: str, keys: KeySet) -> None: ...
    def check(self) -> bool: ...

class SigningFloor:
    """The raw signature under ``TokenAuthority.encode``, prepared once (for benchmarks)."""

    def __init__(self, pem: str, token: str) -> None: ...
    def sign(self) -> bool: ...

def jwk_thumbprint(jwk: Any) -> str: ...

class Quotas:
    @staticmethod
    def load(path: str, catalog: Optional[Catalog] = None, **store: Any) -> Quotas: ...
    @staticmethod
    def parse(
        text: str, file: str = "<string>", catalog: Optional[Catalog] = None, **store: Any
    ) -> Quotas: ...
    def check(
        self,
        gitlab_instance_id: Any,
        global_user_id: Optional[str],
        gitlab_realm: str,
        unit_primitive: str,
    ) -> Tuple[bool, float, List[Tuple[str, str]], Optional[str], Optional[QuotaStoreError]]: ...
    def limit_names(self) -> List[str]: ...

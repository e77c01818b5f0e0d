"""Key providers and ``CompositeProvider``. Keys are parsed once, kept in the core's cache
(24 h, single-flight refresh, last good keys kept, unknown-kid refresh rate-limited) and checked
with the GIL released."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import weakref
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from .cache import AuthRecord, LocalAuthCache
from .config import CloudConnectorConfig
from .errors import CloudConnectorError, CriticalAuthError, NoServiceNameError, error_for_code
from .logging import log_exception
from .requests_fetch import requests_fetch
from .user import CloudConnectorUser, UserClaims

LOGGER_NAME = "cloud_connector"


class _StdlibLogger:
    """A structlog-style face (``info(msg, **fields)``) on a stdlib logger, for callers that
    pass no ``log_provider``: the fields go into the record's ``extra``."""

    _RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def _log(self, level: int, msg: str, fields: Dict[str, Any]) -> None:
        extra = {(k if k not in self._RESERVED else f"field_{k}"): v for k, v in fields.items()}
        self._logger.log(level, msg, extra=extra)

    def info(self, msg: str, **fields: Any) -> None:
        self._log(logging.INFO, msg, fields)

    def error(self, msg: str, **fields: Any) -> None:
        self._log(logging.ERROR, msg, fields)

    def warning(self, msg: str, **fields: Any) -> None:
        self._log(logging.WARNING, msg, fields)


def _logger(log_provider: Any) -> Any:
    if log_provider is None or log_provider is logging:
        return _StdlibLogger(LOGGER_NAME)
    return log_provider.getLogger(LOGGER_NAME)


def _raised(err: CloudConnectorError) -> BaseException:
    """What a failure is about: the exception a Python hook raised, else the core's error."""
    return err.__cause__ if err.__cause__ is not None else err


def _log_refreshed(logger: Any, keys: Sequence[Optional[str]], provider: Any) -> None:
    logger.info("JWKS refreshed", kids=list(keys), provider=type(provider).__name__)


def _service_name_or_none() -> Optional[str]:
    try:
        return CloudConnectorConfig().service_name
    except NoServiceNameError:
        return None


class AuthProvider(ABC):
    """Anything that turns a token into a ``CloudConnectorUser``."""

    @abstractmethod
    def authenticate(self, token: str) -> CloudConnectorUser: ...


class JwksProvider:
    """A source of public keys: ``jwks()`` returns ``{"keys": [...]}`` (or ``{}``)."""

    def __init__(self, log_provider: Any = None) -> None:
        self.log_provider = log_provider
        self.logger = _logger(log_provider)

    def _sources(self) -> List[_native.KeySource]:
        return [_native.KeySource.python(type(self).__name__, self)]

    def jwks(self) -> Dict[str, Any]:
        return self.load_jwks()

    def cached_jwks(self) -> Dict[str, Any]:
        return {}

    def load_jwks(self) -> Dict[str, Any]:
        keys: List[Dict[str, Any]] = []
        for source in self._sources():
            try:
                keys.extend(source.load().get("keys", []))
            except CloudConnectorError as err:
                log_exception(_raised(err), {"oidc_provider": source.name})
        if not keys:
            return {}
        _log_refreshed(self.logger, [k.get("kid") for k in keys], self)
        return {"keys": keys}


class LocalAuthProvider(JwksProvider, AuthProvider):
    """The service's own keys (PEM, private or public). An empty PEM is "not configured"; a bad
    one is logged and skipped without losing the other. Kids: ``<service>_signing_key`` and
    ``<service>_validation_key``."""

    def __init__(self, log_provider: Any, signing_key: str, validation_key: str) -> None:
        super().__init__(log_provider)
        self._source = _native.KeySource.local(
            signing_key or "", validation_key or "", _service_name_or_none()
        )

    def _sources(self) -> List[_native.KeySource]:
        return [self._source]

    def authenticate(self, token: str) -> CloudConnectorUser:
        return CompositeProvider([self], self.log_provider).authenticate(token)


class GitLabOidcProvider(JwksProvider):
    """OIDC discovery per provider (``{"Gitlab": url, "CustomersDot": url}``), 10 s timeout,
    fetched through ``requests`` when it imports (its CA bundle and proxy rules; ``responses`` and
    ``requests_mock`` see the fetches), else through the core's client (``REQUESTS_CA_BUNDLE`` /
    ``CURL_CA_BUNDLE`` / ``SSL_CERT_FILE`` and proxy variables). One provider's failure never
    affects another."""

    def __init__(
        self, log_provider: Any, oidc_providers: Mapping[str, str], timeout_seconds: Optional[float] = None
    ) -> None:
        super().__init__(log_provider)
        self.oidc_providers = dict(oidc_providers)
        fetch = requests_fetch()
        self._oidc = [
            _native.KeySource.oidc(name, url, fetch, timeout_seconds=timeout_seconds)
            for name, url in self.oidc_providers.items()
        ]

    def _sources(self) -> List[_native.KeySource]:
        return list(self._oidc)


class StaticJwksProvider(JwksProvider):
    """A fixed JWKS (dict, JSON text, or a file path): air-gapped sites, no network ever."""

    def __init__(
        self,
        log_provider: Any,
        jwks: Union[Mapping[str, Any], str, os.PathLike[str]],
        name: str = "StaticJwks",
    ) -> None:
        super().__init__(log_provider)
        if isinstance(jwks, Mapping):
            text = json.dumps(dict(jwks))
        elif isinstance(jwks, str) and jwks.lstrip().startswith("{"):
            text = jwks
        else:
            with open(os.fspath(jwks)) as f:
                text = f.read()
        self._source = _native.KeySource.static_jwks(name, text)

    def _sources(self) -> List[_native.KeySource]:
        return [self._source]


class CompositeProvider(AuthProvider):
    """Verifies tokens against the keys of every provider, in order."""

    RS256_ALGORITHM: ClassVar[str] = "RS256"
    SUPPORTED_ALGORITHMS: ClassVar[List[str]] = ["RS256"]
    CACHE_KEY: ClassVar[str] = "jwks"
    CriticalAuthError = CriticalAuthError

    def __init__(
        self,
        providers: Sequence[Any],
        log_provider: Any = None,
        expiry_seconds: Optional[float] = None,
        bypass_auth_jwt_signature: bool = False,
        *,
        unknown_kid_cooldown_seconds: Optional[float] = None,
    ) -> None:
        self.providers = list(providers)
        self.logger = _logger(log_provider)
        self.bypass_auth_jwt_signature = bypass_auth_jwt_signature
        sources: List[_native.KeySource] = []
        # Each provider with the positions of its sources, for its own "JWKS refreshed" line.
        self._owned: List[Tuple[Any, range]] = []
        for p in self.providers:
            own = p._sources() if isinstance(p, JwksProvider) else _native_source_for(p)
            self._owned.append((p, range(len(sources), len(sources) + len(own))))
            sources.extend(own)
        self._source_names = [s.name for s in sources]
        # An unknown kid triggers at most one key refresh per `unknown_kid_cooldown_seconds`
        # (the core's rule; this only passes the setting through).
        # Options left at None are not passed: the core holds the defaults and the ranges.
        self._use_native(
            _native.Composite(
                sources,
                expiry_seconds=expiry_seconds,
                bypass_signature=bypass_auth_jwt_signature,
                unknown_kid_cooldown_seconds=unknown_kid_cooldown_seconds,
            )
        )
        self.expiry_seconds = self._native.expiry_seconds
        self.cache: LocalAuthCache = _HeldKeys(self._native, int(self.expiry_seconds))

    def _use_native(self, native: _native.Composite) -> None:
        """Sets the native composite and gives it what `authenticate` builds users with; the
        refresh logger as a weak method, so the native object holds no cycle with this provider."""
        native.bind_user(
            CloudConnectorConfig, UserClaims, CloudConnectorUser, weakref.WeakMethod(self._report_refresh)
        )
        self._native = native

    def _log_refresh(self) -> None:
        # Logged once per completed refresh (never for answers from the cache): the native
        # composite keeps which refresh was reported last, for this and `authenticate`'s path.
        if self._native.refresh_to_report():
            self._report_refresh()

    def _report_refresh(self) -> None:
        # In the order of a synchronous load: per provider, each failing source through
        # `log_exception` (with `{"oidc_provider": name}`) and the provider's own "JWKS
        # refreshed" through its logger; then the fallback message GitLab's alerts key on, and
        # the composite's "JWKS refreshed".
        report = self._native.last_refresh_report()
        if report is not None:
            failures, fallback, delivered = report
            failed = {index: (code, message, raised) for index, code, message, raised in failures}
            for provider, positions in self._owned:
                for i in positions:
                    if i in failed:
                        code, message, raised = failed[i]
                        exc = raised if raised is not None else error_for_code(code, message)
                        log_exception(exc, {"oidc_provider": self._source_names[i]})
                loaded = [kids for kids in (delivered[i] for i in positions) if kids is not None]
                if loaded and isinstance(provider, JwksProvider):
                    _log_refreshed(provider.logger, [k for kids in loaded for k in kids], provider)
            if fallback is not None:
                self.logger.error(fallback)
        keys = self._native.jwks().get("keys", [])
        _log_refreshed(self.logger, [k.get("kid") for k in keys], self)

    def authenticate(self, token: str) -> CloudConnectorUser:
        """Raises ``CriticalAuthError`` when no provider has any key, ``NoServiceNameError``
        without a service name; a bad token is an unauthenticated user with empty claims."""
        # The native side builds the user and its claims (fresh `scopes` and `extra`): no
        # Python-level construction on the hot path.
        result: CloudConnectorUser = self._native.authenticate_user(token)
        return result

    def jwks(self) -> Dict[str, Any]:
        keys: Dict[str, Any] = self._native.jwks()
        self._log_refresh()
        return keys

    def cached_jwks(self) -> Dict[str, Any]:
        return self.jwks() if self._native.refreshes else {}

    def load_jwks(self) -> Dict[str, Any]:
        self._native.refresh()
        return self.jwks()

    @property
    def refreshes(self) -> int:
        """Key refreshes completed so far (every fetch of the providers' keys, failed or not)."""
        return self._native.refreshes

    def ready(self) -> bool:
        ready = self._native.ready()
        self._log_refresh()
        return ready


class _HeldKeys(LocalAuthCache):
    """``CompositeProvider.cache``: a ``LocalAuthCache`` whose ``CACHE_KEY`` record is the key
    set the core holds (``.value`` the JWKS dict, ``.exp`` when it is due for a refresh), read
    live and never loading. The core owns that record: setting or deleting it is refused; any
    other key is an ordinary entry."""

    def __init__(self, native: _native.Composite, expiry_seconds: int) -> None:
        super().__init__(expiry_seconds)
        self._native = native

    def get(self, k: str) -> Optional[AuthRecord]:
        if k != CompositeProvider.CACHE_KEY:
            return super().get(k)
        jwks = self._native.held_jwks()
        due = self._native.refresh_due_in()
        if jwks is None or due is None:
            return None
        return AuthRecord(jwks, dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=due))

    def set(self, k: str, val: Any, exp: dt.datetime) -> None:
        self._refuse_keys(k)
        super().set(k, val, exp)

    def delete(self, k: str) -> None:
        self._refuse_keys(k)
        super().delete(k)

    @staticmethod
    def _refuse_keys(k: str) -> None:
        if k == CompositeProvider.CACHE_KEY:
            raise TypeError(
                f"the {k!r} record is the key set held by the core; use load_jwks() to refresh it"
            )


def _native_source_for(provider: Any) -> List[_native.KeySource]:
    if not hasattr(provider, "jwks"):
        raise TypeError(f"{type(provider).__name__} is not a key provider: it has no jwks()")
    return [_native.KeySource.python(type(provider).__name__, provider)]


def cloud_connector_ready(provider: Any) -> bool:
    """True only when every key provider has delivered keys; never raises."""
    try:
        if isinstance(provider, CompositeProvider):
            ready = provider.ready()
        else:
            ready = bool(provider.jwks().get("keys"))
    except Exception as err:  # readiness must answer, whatever went wrong
        logging.getLogger(LOGGER_NAME).error("cloud_connector_ready failed: %s", err)
        ready = False
    if not ready:
        logging.getLogger(LOGGER_NAME).error(
            "cloud_connector_ready=False", extra={"cloud_connector_ready": False}
        )
    return ready

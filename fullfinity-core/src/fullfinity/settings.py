"""The one settings table of Fullfinity.

Every setting is a field of :class:`Settings`, read from a ``FULLFINITY_<NAME>``
environment variable, or from the YAML file given with ``fullfinity -c FILE`` (keys are
the names in lower case, without the prefix). Environment variables win over the file,
the file wins over defaults. ``docs/settings.md`` is generated from this table
(``fullfinity settings --markdown``) and a test keeps the two in step.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from fullfinity.exceptions import ConfigurationError

__all__ = ["Settings", "configure", "get_settings", "settings_markdown"]

ENV_PREFIX = "FULLFINITY_"
CONFIG_FILE_ENV = "FULLFINITY_CONFIG_FILE"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fullfinity"


class _YamlFileSource(PydanticBaseSettingsSource):
    """Values from the optional YAML config file (lower priority than the environment)."""

    def __init__(self, settings_cls: type[BaseSettings], path: str | None) -> None:
        super().__init__(settings_cls)
        self._values: dict[str, Any] = {}
        if not path:
            return
        file = Path(path)
        if not file.is_file():
            raise ConfigurationError(
                f"Config file {file} does not exist. Pass an existing YAML file with -c, or unset {CONFIG_FILE_ENV}."
            )
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"Config file {file} cannot be read as YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigurationError(
                f"Config file {file} must hold a mapping of setting names to values, got {type(data).__name__}."
            )
        known = set(settings_cls.model_fields)
        unknown = sorted(k for k in data if str(k).lower() not in known)
        if unknown:
            raise ConfigurationError(
                f"Config file {file} has unknown keys {unknown}; valid keys are the setting "
                f"names in lower case without the {ENV_PREFIX} prefix, e.g. 'database_url'."
            )
        self._values = {str(k).lower(): v for k, v in data.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


class Settings(BaseSettings):
    """Fullfinity settings. Field descriptions are the documentation."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_default=True)

    # Databases
    database_url: str | None = Field(
        None, description="DSN of the main PostgreSQL server (alias `default`); unset starts an embedded PostgreSQL."
    )
    # NoDecode: our validators parse the raw text, so a malformed value becomes a
    # ConfigurationError naming the variable instead of pydantic-settings' SettingsError.
    database_servers: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description="JSON object alias -> DSN of additional PostgreSQL servers."
    )
    catalog_db: str = Field("fullfinity_catalog", description="Name of the tenant catalog database.")
    db_prefix: str = Field("ff_", description="Prefix of tenant database names.")
    db_max_connections: int = Field(50, ge=1, description="Per-process connection budget shared by all tenant pools.")
    db_pool_size: int = Field(10, ge=1, description="Maximum connections of one tenant pool.")
    db_pool_idle_seconds: float = Field(300, gt=0, description="Idle time after which a tenant pool is closed.")
    db_acquire_timeout: float = Field(10, gt=0, description="Seconds to wait for a connection before answering 503.")
    db_statement_timeout: float = Field(
        30, ge=0, description="Per-statement timeout in seconds for request transactions (0 disables)."
    )
    db_conflict_retries: int = Field(
        3,
        ge=0,
        description="Times a request is run again after a deadlock or serialization failure before answering 503.",
    )
    module_lock_timeout: float = Field(
        60,
        ge=0,
        description="Seconds a module install/upgrade/uninstall waits for another one on the same tenant (then 409).",
    )
    pg_bin_dir: Path | None = Field(
        None, description="Directory of pg_dump/pg_restore; default: the embedded PostgreSQL package."
    )
    # Cache
    cache_url: str | None = Field(None, description="Valkey/Redis URL; unset uses an in-process cache.")
    # Files
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Embedded cluster, filestore and generated secrets (`$XDG_DATA_HOME/fullfinity` when set).",
    )
    # Tenancy
    base_domain: str | None = Field(None, description="Domain whose subdomains are tenants (`erp.example.com`).")
    default_tenant: str | None = Field(None, description="Tenant used when nothing else resolves.")
    list_tenants: bool = Field(False, description="Enable `GET /auth/tenants` for the database selector.")
    # Security
    secret_key: str | None = Field(
        None, description="JWT signing key; generated into the data directory when unset (development)."
    )
    access_token_ttl: int = Field(900, ge=1, description="Access token lifetime in seconds.")
    refresh_token_ttl: int = Field(1209600, ge=1, description="Refresh token lifetime in seconds.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins per account per window.")
    login_lock_seconds: int = Field(900, ge=1, description="Account lock window in seconds.")
    login_ip_rate: int = Field(20, ge=1, description="Login/refresh attempts per client address per minute.")
    password_min_length: int = Field(8, ge=1, description="Minimum password length.")
    license_public_key: str | None = Field(
        None, description="Ed25519 public key (base64 raw or PEM); unset: enterprise modules cannot install."
    )
    license_file: Path | None = Field(None, description="Server-wide license document(s).")
    auto_upgrade: bool = Field(False, description="Upgrade a tenant on first access when module versions changed.")
    # API
    api_max_limit: int = Field(10000, ge=1, description="Maximum `limit` of a query.")
    api_max_body_size: int = Field(
        10_485_760, ge=1, description="Maximum size in bytes of a request body under `/api/` (larger: 413)."
    )
    api_docs: bool = Field(True, description="Serve `/openapi.json` and `/docs`.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Allowed cross-origin front-ends (comma-separated, or a JSON list)."
    )
    # Server
    host: str = Field("127.0.0.1", description="Listen address.")
    port: int = Field(8000, ge=0, le=65535, description="Listen port.")
    workers: int = Field(1, ge=1, description="Worker processes (more than one needs `FULLFINITY_CACHE_URL`).")
    shutdown_timeout: int = Field(
        30, ge=1, description="Seconds `serve` lets in-flight requests finish after SIGTERM/SIGINT before closing them."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field("INFO", description="Logging level.")
    # Scheduled jobs
    cron: bool = Field(False, description="Run the scheduler of scheduled jobs inside each server worker.")
    cron_interval: float = Field(60, gt=0, description="Seconds between the scheduler's polls of every tenant.")
    cron_timeout: int = Field(3600, ge=1, description="A job Running for longer than this many seconds is reset.")

    @field_validator("database_servers", mode="before")
    @classmethod
    def _parse_servers(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"must be a JSON object alias -> DSN, got {value!r} ({exc.msg})") from None
        if isinstance(value, dict) and "default" in value:
            raise ValueError("the alias 'default' is reserved for FULLFINITY_DATABASE_URL")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(
                        f"must be a JSON list or comma-separated origins, got {value!r} ({exc.msg})"
                    ) from None
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_source = _YamlFileSource(settings_cls, os.environ.get(CONFIG_FILE_ENV))
        return (init_settings, env_settings, yaml_source)

    @property
    def embedded(self) -> bool:
        """True when Fullfinity runs its own PostgreSQL (no database URL configured)."""
        return not self.database_url


def configure(config_file: str | Path | None = None) -> Settings:
    """Select a YAML config file (the CLI's ``-c``) and reload settings."""
    if config_file is not None:
        os.environ[CONFIG_FILE_ENV] = str(config_file)
    get_settings.cache_clear()
    return get_settings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (call ``get_settings.cache_clear()`` to re-read)."""
    try:
        return Settings()
    except PydanticValidationError as exc:
        problems = [
            {"path": ENV_PREFIX + ".".join(str(p) for p in err["loc"]).upper(), "message": _problem(err)}
            for err in exc.errors()
        ]
        source = "environment variables"
        if os.environ.get(CONFIG_FILE_ENV):
            source += f" or config file {os.environ[CONFIG_FILE_ENV]} (keys in lower case without the prefix)"
        raise ConfigurationError(f"Invalid settings; fix these {source}:", details=problems) from None


def _problem(err: Any) -> str:
    """One pydantic error as a sentence; our own validators already quote the value."""
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    shown = repr(err.get("input"))
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"{err['msg']}, got {shown}"


def _type_label(annotation: Any) -> str:
    """A reader's name for a setting's type (the docs table)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_label(args[0])
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if args and type(None) in args:  # X | None
        return _type_label(next(a for a in args if a is not type(None)))
    if origin is dict:
        return "JSON object"
    if origin is list:
        return "list"
    names = {str: "text", int: "integer", float: "number", bool: "boolean", Path: "path"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default_label(name: str, field: FieldInfo) -> str:
    if name == "data_dir":
        return "`~/.local/share/fullfinity`"
    if field.default_factory is not None:
        value: Any = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict | list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def settings_markdown() -> str:
    """The settings reference table (the generated part of docs/settings.md)."""
    rows = ["| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        annotation = _type_label(field.annotation)
        rows.append(
            f"| `{ENV_PREFIX}{name.upper()}` | {annotation} | {_default_label(name, field)} | {field.description} |"
        )
    return "\n".join(rows) + "\n"

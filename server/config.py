"""The relay's settings, read once from the environment (and the command line) at start.

Everything the relay needs to reach Odoo comes from KASIR_* variables so the API key never sits in a
file the terminals can fetch. Missing values fail at start with one clear message, not at the
first forwarded sale.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ODOO_VARIABLES = ("KASIR_ODOO_URL", "KASIR_ODOO_DB", "KASIR_ODOO_LOGIN", "KASIR_ODOO_API_KEY")
SUPPORTED_ODOO_VERSIONS = (18, 19)


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class OdooSettings:
    """Where and as whom the relay talks to Odoo."""

    url: str
    db: str
    login: str
    api_key: str = field(repr=False)
    version: int = 18
    config_id: int | None = None
    timeout: float = 15.0


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs; tests build one directly, `kasir serve` from the env."""

    odoo: OdooSettings | None
    database: Path = Path("var/kasir.db")
    dist: Path = Path("dist")
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    mirror_interval: float = 60.0
    max_items: int = 500
    max_body: int = 5 * 1024 * 1024

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the non-None values of `changes` applied (command-line flags win)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be >= 0, got {raw!r}")
    return value


def odoo_from_env(env: Mapping[str, str]) -> OdooSettings:
    """The Odoo connection from KASIR_ODOO_*; ConfigError naming every missing variable."""
    missing = [name for name in ODOO_VARIABLES if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(
            "kasir cannot reach Odoo: set "
            + ", ".join(missing)
            + " (the Odoo URL, database, login and API key the relay forwards sales with; "
            "`kasir demo` runs against the built-in sandbox instead)"
        )
    raw_version = env.get("KASIR_ODOO_VERSION", "18").strip() or "18"
    try:
        version = int(raw_version.split(".")[0])
    except ValueError:
        raise ConfigError(f"KASIR_ODOO_VERSION must be 18 or 19, got {raw_version!r}") from None
    if version not in SUPPORTED_ODOO_VERSIONS:
        raise ConfigError(f"KASIR_ODOO_VERSION must be 18 or 19, got {raw_version!r}")
    raw_config = env.get("KASIR_ODOO_CONFIG_ID", "").strip()
    config_id = None
    if raw_config:
        if not raw_config.isdigit() or int(raw_config) <= 0:
            raise ConfigError(f"KASIR_ODOO_CONFIG_ID must be a pos.config id, got {raw_config!r}")
        config_id = int(raw_config)
    url = env["KASIR_ODOO_URL"].strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"KASIR_ODOO_URL must start with http:// or https://, got {url!r}")
    return OdooSettings(
        url=url,
        db=env["KASIR_ODOO_DB"].strip(),
        login=env["KASIR_ODOO_LOGIN"].strip(),
        api_key=env["KASIR_ODOO_API_KEY"].strip(),
        version=version,
        config_id=config_id,
        timeout=_number(env, "KASIR_ODOO_TIMEOUT", 15.0),
    )


def from_env(env: Mapping[str, str] | None = None, *, require_odoo: bool = True) -> Settings:
    """Settings from the environment; ConfigError with a clear message when something is off."""
    env = os.environ if env is None else env
    odoo = odoo_from_env(env) if require_odoo else None
    return Settings(
        odoo=odoo,
        database=Path(env.get("KASIR_DATABASE", "").strip() or "var/kasir.db"),
        dist=Path(env.get("KASIR_DIST", "").strip() or "dist"),
        backoff_base=_number(env, "KASIR_BACKOFF_BASE", 0.5),
        backoff_cap=_number(env, "KASIR_BACKOFF_CAP", 60.0),
        mirror_interval=_number(env, "KASIR_MIRROR_INTERVAL", 60.0),
    )

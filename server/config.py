"""The relay's settings, read once from the environment (and the command line) at start.

Everything the relay needs to reach Odoo comes from KASIR_* variables so the API key never sits in a
file the terminals can fetch. Missing values fail at start with one clear message, not at the
first forwarded sale.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

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
    database_url: str | None = None  # postgresql://...: the journal in PostgreSQL instead
    dist: Path = Path("dist")
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    mirror_interval: float = 60.0
    max_items: int = 500
    max_body: int = 5 * 1024 * 1024
    forward_batch: int = 25  # orders per pos.order.sync_from_ui call (KASIR_FORWARD_BATCH)
    body_timeout: float = 10.0  # seconds to receive a request body, else 408 (KASIR_BODY_TIMEOUT)
    # Seconds a forwarder's claim on items lasts; renewed while it works (KASIR_FORWARD_LEASE).
    forward_lease: float = 4.0
    # Odoo's limit_time_real: how long a call may still run in Odoo after its client is gone
    # (KASIR_ODOO_TIME_LIMIT); an unanswered order is not sent again before that.
    odoo_time_limit: float = 120.0
    # The shop's time zone (KASIR_TIMEZONE, an IANA name); None: the Odoo user's, else UTC.
    timezone: str | None = None
    # What a cashier who is not a manager does only with a manager's PIN (KASIR_MANAGER_PIN_FOR),
    # and the line or order discount % above which "discount" asks (KASIR_DISCOUNT_LIMIT).
    manager_pin_for: tuple[str, ...] = ("price", "discount", "refund", "cash_out")
    discount_limit: Decimal = Decimal(10)

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


def _seconds(env: Mapping[str, str], name: str, default: float, least: float, most: float) -> float:
    value = _number(env, name, default)
    if not least <= value <= most:
        raise ConfigError(
            f"{name} must be from {least:g} to {most:g} seconds, got {env.get(name, '').strip()!r}"
        )
    return value


def _count(env: Mapping[str, str], name: str, default: int, least: int, most: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not least <= value <= most:
        raise ConfigError(f"{name} must be from {least} to {most}, got {raw!r}")
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
    check_odoo_url(url)
    return OdooSettings(
        url=url,
        db=env["KASIR_ODOO_DB"].strip(),
        login=env["KASIR_ODOO_LOGIN"].strip(),
        api_key=env["KASIR_ODOO_API_KEY"].strip(),
        version=version,
        config_id=config_id,
        timeout=_number(env, "KASIR_ODOO_TIMEOUT", 15.0),
    )


def database_url(env: Mapping[str, str]) -> str | None:
    """KASIR_DATABASE_URL, checked: a PostgreSQL URL puts the journal there (several relays can
    share it); unset keeps the SQLite file of KASIR_DATABASE."""
    url = env.get("KASIR_DATABASE_URL", "").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "KASIR_DATABASE_URL must be a PostgreSQL URL like "
            f"postgresql://kasir@db.example/kasir, got {url.split('@')[-1]!r} "
            "(leave it unset to keep the journal in the SQLite file KASIR_DATABASE)"
        )
    return url


def known_zone(name: str) -> bool:
    """Whether `name` is a time zone this machine's database knows ("Asia/Jakarta", "UTC")."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found, not a zone name, not a zone file
        return False
    return True


def time_zone(env: Mapping[str, str]) -> str | None:
    """KASIR_TIMEZONE, checked: the IANA name of the shop's time zone, which decides where the
    shop's day starts and how times are shown; unset leaves it to the Odoo user's time zone."""
    name = env.get("KASIR_TIMEZONE", "").strip()
    if not name:
        return None
    if known_zone(name):
        return name
    if not available_timezones():
        raise ConfigError(
            f"KASIR_TIMEZONE is {name!r} but this machine has no time zone database: "
            "install the tzdata package (apt install tzdata, or pip install tzdata)"
        )
    raise ConfigError(
        f"KASIR_TIMEZONE must be an IANA time zone such as Asia/Jakarta or Asia/Makassar, "
        f"got {name!r}"
    )


MANAGER_PIN_ACTIONS = ("price", "discount", "refund", "cash_out")


def manager_pin_for(env: Mapping[str, str]) -> tuple[str, ...]:
    """KASIR_MANAGER_PIN_FOR: a comma list of price, discount, refund, cash_out ("none": a
    cashier needs no manager for any); unset: all four."""
    raw = env.get("KASIR_MANAGER_PIN_FOR")
    if raw is None or not raw.strip():
        return MANAGER_PIN_ACTIONS
    names = tuple(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    if names == ("none",):
        return ()
    wrong = [n for n in names if n not in MANAGER_PIN_ACTIONS]
    if wrong:
        raise ConfigError(
            f"KASIR_MANAGER_PIN_FOR takes {', '.join(MANAGER_PIN_ACTIONS)} or none, "
            f"got {', '.join(wrong)}"
        )
    return names


def discount_limit(env: Mapping[str, str]) -> Decimal:
    """KASIR_DISCOUNT_LIMIT: the discount % a cashier may give without a manager (default 10)."""
    raw = env.get("KASIR_DISCOUNT_LIMIT", "").strip()
    try:
        limit = Decimal(raw) if raw else Decimal(10)
    except InvalidOperation:
        limit = Decimal(-1)
    if not limit.is_finite() or not 0 <= limit <= 100:
        raise ConfigError(f"KASIR_DISCOUNT_LIMIT must be a percentage from 0 to 100, got {raw!r}")
    return limit


def from_env(env: Mapping[str, str] | None = None, *, require_odoo: bool = True) -> Settings:
    """Settings from the environment; ConfigError with a clear message when something is off."""
    env = os.environ if env is None else env
    odoo = odoo_from_env(env) if require_odoo else None
    return Settings(
        odoo=odoo,
        database=Path(env.get("KASIR_DATABASE", "").strip() or "var/kasir.db"),
        database_url=database_url(env),
        dist=Path(env.get("KASIR_DIST", "").strip() or "dist"),
        backoff_base=_number(env, "KASIR_BACKOFF_BASE", 0.5),
        backoff_cap=_number(env, "KASIR_BACKOFF_CAP", 60.0),
        mirror_interval=_number(env, "KASIR_MIRROR_INTERVAL", 60.0),
        forward_batch=_count(env, "KASIR_FORWARD_BATCH", 25, 1, 500),
        body_timeout=_seconds(env, "KASIR_BODY_TIMEOUT", 10.0, 0.1, 600),
        forward_lease=_seconds(env, "KASIR_FORWARD_LEASE", 4.0, 2, 600),
        odoo_time_limit=_seconds(env, "KASIR_ODOO_TIME_LIMIT", 120.0, 0, 3600),
        timezone=time_zone(env),
        manager_pin_for=manager_pin_for(env),
        discount_limit=discount_limit(env),
    )


# -- the optional TOML file -----------------------------------------------------------------------

# [section] key -> the environment variable it stands for. The environment wins over the file, so
# a deployment can keep the file in git and pass the API key (or one override) as a variable.
FILE_KEYS: dict[str, dict[str, str]] = {
    "odoo": {
        "url": "KASIR_ODOO_URL",
        "db": "KASIR_ODOO_DB",
        "login": "KASIR_ODOO_LOGIN",
        "api_key": "KASIR_ODOO_API_KEY",
        "version": "KASIR_ODOO_VERSION",
        "config_id": "KASIR_ODOO_CONFIG_ID",
        "timeout": "KASIR_ODOO_TIMEOUT",
        "time_limit": "KASIR_ODOO_TIME_LIMIT",
    },
    "relay": {
        "database": "KASIR_DATABASE",
        "database_url": "KASIR_DATABASE_URL",
        "dist": "KASIR_DIST",
        "backoff_base": "KASIR_BACKOFF_BASE",
        "backoff_cap": "KASIR_BACKOFF_CAP",
        "mirror_interval": "KASIR_MIRROR_INTERVAL",
        "forward_batch": "KASIR_FORWARD_BATCH",
        "body_timeout": "KASIR_BODY_TIMEOUT",
        "forward_lease": "KASIR_FORWARD_LEASE",
        "log_level": "KASIR_LOG_LEVEL",
        "timezone": "KASIR_TIMEZONE",
        "manager_pin_for": "KASIR_MANAGER_PIN_FOR",
        "discount_limit": "KASIR_DISCOUNT_LIMIT",
    },
}


def check_odoo_url(url: str) -> str:
    """An http(s) URL with a host and nothing after the path (no query, no fragment)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ConfigError(f"KASIR_ODOO_URL is not a valid URL: {url!r}") from None
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"KASIR_ODOO_URL must start with http:// or https://, got {url!r}")
    if not parts.hostname:
        raise ConfigError(
            f"KASIR_ODOO_URL must name the Odoo host (https://shop.odoo.com), got {url!r}"
        )
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(
            f"KASIR_ODOO_URL must be the plain address of Odoo (no user, query or #), got {url!r}"
        )
    return url


def read_file(path: str | Path) -> dict[str, str]:
    """The TOML file's settings as KASIR_* variables; ConfigError naming what is wrong."""
    import tomllib

    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"the configuration file {file} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the configuration file {file}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file} is not valid TOML: {error}") from None
    values: dict[str, str] = {}
    for section, table in data.items():
        if section in FILE_KEYS and not isinstance(table, dict):
            raise ConfigError(f"{file}: {section} must be a [{section}] section, got {table!r}")
        if section not in FILE_KEYS:
            raise ConfigError(
                f"{file}: unknown section {section!r}; use "
                + " and ".join(f"[{name}]" for name in FILE_KEYS)
            )
        for key, value in table.items():
            name = FILE_KEYS[section].get(key)
            if name is None:
                raise ConfigError(
                    f"{file}: unknown key {key!r} in [{section}]; known keys: "
                    + ", ".join(FILE_KEYS[section])
                )
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ConfigError(
                    f"{file}: [{section}] {key} must be a string or a number, got {value!r}"
                )
            values[name] = str(value)
    if "KASIR_ODOO_API_KEY" in values and _readable_by_others(file):
        import logging

        logging.getLogger("kasir.config").warning(
            "%s holds the Odoo API key and is readable by other users: chmod 600 it", file
        )
    return values


def _readable_by_others(file: Path) -> bool:
    try:
        return os.name == "posix" and bool(file.stat().st_mode & 0o077)
    except OSError:
        return False


def load(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    require_odoo: bool = True,
) -> Settings:
    """Settings from an optional TOML file (`path`, else KASIR_CONFIG) overridden by the env.

    Checked at once: a missing or wrong value is a ConfigError that names the variable and, when
    the value came from the file, the file and the key to change.
    """
    env = os.environ if env is None else env
    path = path or env.get("KASIR_CONFIG", "").strip() or None
    from_file = read_file(path) if path else {}
    merged = dict(from_file)
    merged.update({name: value for name, value in env.items() if value.strip()})
    try:
        return from_env(merged, require_odoo=require_odoo)
    except ConfigError as error:
        message = str(error)
        where = {
            name: f"[{section}] {key}"
            for section, keys in FILE_KEYS.items()
            for key, name in keys.items()
            if name in from_file and not env.get(name, "").strip()
        }
        notes = [
            f"{name} comes from {path} {spot}" for name, spot in where.items() if name in message
        ]
        if notes:
            message += " (" + "; ".join(notes) + ")"
        raise ConfigError(message) from None

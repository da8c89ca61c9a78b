"""The optional TOML file and the environment: the env wins, and a bad value is named at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from kasir.config import ConfigError, load

GOOD = """
[odoo]
url = "https://shop.example.com/"
db = "shop"
login = "pos@shop"
api_key = "file-key"
version = 19
config_id = 3
timeout = 7.5

[relay]
database = "/data/kasir.db"
backoff_base = 0.25
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kasir.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_file_alone(tmp_path: Path) -> None:
    settings = load(write(tmp_path, GOOD), env={})
    odoo = settings.odoo
    assert odoo is not None
    assert (odoo.url, odoo.db, odoo.login, odoo.api_key) == (
        "https://shop.example.com",
        "shop",
        "pos@shop",
        "file-key",
    )
    assert odoo.version == 19 and odoo.config_id == 3 and odoo.timeout == 7.5
    assert settings.database == Path("/data/kasir.db") and settings.backoff_base == 0.25
    assert "file-key" not in repr(settings)


def test_environment_overrides_the_file_and_kasir_config_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    env = {
        "KASIR_CONFIG": str(path),
        "KASIR_ODOO_API_KEY": "env-key",
        "KASIR_ODOO_VERSION": "18",
        "KASIR_ODOO_DB": "  ",  # blank: the file's value stays
    }
    odoo = load(env=env).odoo
    assert odoo is not None
    assert odoo.api_key == "env-key" and odoo.version == 18 and odoo.db == "shop"


def test_no_file_is_the_environment(tmp_path: Path) -> None:
    env = {
        "KASIR_ODOO_URL": "http://odoo:8069",
        "KASIR_ODOO_DB": "d",
        "KASIR_ODOO_LOGIN": "l",
        "KASIR_ODOO_API_KEY": "k",
    }
    assert load(env=env).odoo.url == "http://odoo:8069"
    assert load(env={}, require_odoo=False).odoo is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('url = "ftp://shop"', "KASIR_ODOO_URL must start with http"),
        ('url = "https://"', "must name the Odoo host"),
        ('url = "https://shop:99999"', "not a valid URL"),
        ('url = "https://user:pw@shop"', "plain address"),
        ("version = 17", "KASIR_ODOO_VERSION must be 18 or 19, got '17'"),
        ('version = "nineteen"', "KASIR_ODOO_VERSION must be 18 or 19"),
        ('config_id = "first"', "KASIR_ODOO_CONFIG_ID must be a pos.config id"),
        ("config_id = 0", "KASIR_ODOO_CONFIG_ID"),
        ('timeout = "soon"', "KASIR_ODOO_TIMEOUT must be a number"),
    ],
)
def test_bad_values_name_the_variable_and_the_file_key(tmp_path: Path, change, message) -> None:
    key = change.split(" ")[0]
    text = "\n".join(change if line.startswith(f"{key} =") else line for line in GOOD.splitlines())
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load(path, env={})
    assert message in str(error.value)
    assert f"comes from {path} [odoo] {key}" in str(error.value)


def test_missing_values_are_all_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[odoo]\nurl = "https://shop.example.com"\n')
    with pytest.raises(ConfigError) as error:
        load(path, env={"KASIR_ODOO_LOGIN": "pos"})
    text = str(error.value)
    assert "KASIR_ODOO_DB" in text and "KASIR_ODOO_API_KEY" in text
    assert "KASIR_ODOO_LOGIN" not in text and "KASIR_ODOO_URL," not in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[odoo\nurl=1", "is not valid TOML"),
        ("[shop]\nname = 1\n", "unknown section 'shop'"),
        ('[odoo]\napikey = "x"\n', "unknown key 'apikey' in [odoo]; known keys: url"),
        ("[odoo]\nversion = [19]\n", "[odoo] version must be a string or a number"),
        ("[odoo]\nversion = true\n", "must be a string or a number"),
        ("odoo = 1\n", "odoo must be a [odoo] section"),
    ],
)
def test_a_bad_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load(path, env={})
    assert message in str(error.value) and str(path) in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="does not exist"):
        load(env={"KASIR_CONFIG": str(tmp_path / "also-nope.toml")})


def test_an_api_key_in_a_world_readable_file_is_warned_about(tmp_path: Path, caplog) -> None:
    path = write(tmp_path, GOOD)
    path.chmod(0o644)
    load(path, env={})
    assert "chmod 600" in caplog.text


def test_orders_per_odoo_call_is_a_setting_with_bounds(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "forward_batch = 50\n")
    assert load(path, env={}).forward_batch == 50
    assert load(path, env={"KASIR_FORWARD_BATCH": "1"}).forward_batch == 1
    assert load(write(tmp_path, GOOD), env={}).forward_batch == 25
    for bad in ("0", "501", "ten"):
        with pytest.raises(ConfigError, match="KASIR_FORWARD_BATCH"):
            load(path, env={"KASIR_FORWARD_BATCH": bad})


def test_the_shops_time_zone_is_an_iana_name_checked_at_start(tmp_path: Path) -> None:
    assert load(write(tmp_path, GOOD), env={}).timezone is None  # the Odoo user's, else UTC
    path = write(tmp_path, GOOD + 'timezone = "Asia/Makassar"\n')
    assert load(path, env={}).timezone == "Asia/Makassar"
    assert load(path, env={"KASIR_TIMEZONE": " Asia/Jakarta "}).timezone == "Asia/Jakarta"
    for bad in ("WIB", "Asia/Jakrta", "asia/jakarta", "../etc/passwd", "/etc/localtime", "+07:00"):
        with pytest.raises(ConfigError) as error:
            load(path, env={"KASIR_TIMEZONE": bad})
        assert "KASIR_TIMEZONE must be an IANA time zone such as Asia/Jakarta" in str(error.value)
        assert repr(bad) in str(error.value)
    with pytest.raises(ConfigError) as error:
        load(write(tmp_path, GOOD + 'timezone = "Jakarta"\n'), env={})
    assert f"KASIR_TIMEZONE comes from {path} [relay] timezone" in str(error.value)

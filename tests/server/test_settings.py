import pytest
from pydantic import ValidationError

from server.settings import DEVELOPMENT_SECRET, Settings


def test_development_runs_on_the_built_in_secret(monkeypatch):
    monkeypatch.delenv("GONGXUE_SECRET_KEY", raising=False)

    settings = Settings(env="development")

    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET


@pytest.mark.parametrize("env", ["production", "test"])
def test_the_built_in_secret_is_refused_outside_development(monkeypatch, env):
    monkeypatch.delenv("GONGXUE_SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="GONGXUE_SECRET_KEY must be set"):
        Settings(env=env)


def test_a_short_secret_is_refused(monkeypatch):
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env="production", secret_key="too-short")


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGXUE_ENV", "production")
    monkeypatch.setenv("GONGXUE_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("GONGXUE_DATABASE_URL", "postgresql+asyncpg://app@db/gongxue")
    monkeypatch.setenv("GONGXUE_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("GONGXUE_DATA_DIR", str(tmp_path))

    settings = Settings()

    assert settings.database_url == "postgresql+asyncpg://app@db/gongxue"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.resolved_data_dir == tmp_path
    assert "s" * 40 not in repr(settings)


@pytest.mark.parametrize("proxies", ["10.0.0.1, lb.internal", "*, 10.0.0.1"])
def test_a_trusted_proxy_must_be_an_address_or_a_network(proxies):
    with pytest.raises(ValidationError, match="GONGXUE_TRUSTED_PROXIES"):
        Settings(trusted_proxies=proxies)


def test_trusted_proxies_are_addresses_and_networks():
    settings = Settings(trusted_proxies=" 10.0.0.0/8, 127.0.0.1 ,,::1")

    assert settings.trusted_proxy_networks == ["10.0.0.0/8", "127.0.0.1", "::1"]
    assert Settings().trusted_proxy_networks == []

"""Settings from the environment (or a `.env` file), named as README.md lists them."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only ever acceptable on a developer's machine: the validator below refuses it elsewhere.
DEVELOPMENT_SECRET = "gongxue-development-secret-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGXUE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    # The API and workers connect as a role that owns nothing and cannot bypass row-level
    # security; migrations connect as `database_url`'s owner. Unset: the owner's URL with the
    # user swapped for APP_DATABASE_ROLE (and APP_DATABASE_PASSWORD, if any).
    app_database_url: str | None = None
    app_database_password: SecretStr | None = None
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    data_dir: Path = Path(".gongxue")
    max_body_bytes: int = 1024 * 1024
    db_pool_size: int = 10
    # Backstops PostgreSQL applies to the application's sessions, in seconds (0: none): a
    # session idle inside a transaction this long is closed, and a running statement checks
    # this often that its client is still there (`server.db.SessionLimits`). A transaction
    # a bug leaves open then holds its locks, and blocks what waits on them, this long at most.
    db_idle_in_transaction_timeout: float = 60
    db_client_check_interval: float = 5
    # What one user may upload per day (Beijing time): enough for an application's evidence
    # or a season of sign-in sheets, not enough to fill the disk.
    upload_daily_files: int = 200
    upload_daily_bytes: int = 200 * 1024 * 1024
    # Communities a rule audit writes per transaction: larger is faster, smaller loses less
    # work to a killed worker.
    audit_chunk: int = 200
    # Adds `X-SQL-Statements` to every response: for the benchmark, never in production.
    count_sql: bool = False
    # uvicorn's line per request ("POST /graphql 200", all a GraphQL API's lines say); off
    # where the load balancer logs the requests (docker/compose.yaml): a tenth of the CPU of a
    # compiled page read.
    access_log: bool = True
    # `gongxue serve` runs the arq worker in-process when Redis is the embedded one, unless
    # `--no-worker` (which sets this to false) says another process does it.
    serve_worker: bool = True
    # Addresses and networks (comma-separated) of the proxies whose `X-Forwarded-For` names
    # the client, or `*` where nothing but a proxy can reach the API; none by default, so a
    # client cannot pick the address its sign-in failures count against by sending the header.
    trusted_proxies: str = ""
    # Communities served at `/` of a host name of their own, `host=slug` comma-separated
    # (`learn.example.cn=yrd-county-elderly`): the same pages and the same tenant rules.
    community_hosts: str = ""
    # Where the public reaches the platform (no trailing slash): printed certificates carry
    # `<public_url>/verify/<number>`, which must open from a phone years later.
    public_url: str = "http://localhost:8000"
    # The CJK font printed documents embed (a subset of it): Debian's fonts-noto-cjk, whose
    # collection's face 2 has the Simplified Chinese glyph forms.
    print_font: Path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    print_font_number: int = 2

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.env != "development" and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError(
                "GONGXUE_SECRET_KEY must be set outside development (GONGXUE_ENV="
                f"{self.env}); the built-in development secret is refused"
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("GONGXUE_SECRET_KEY must be at least 32 characters")
        for proxy in self.trusted_proxy_networks:
            if proxy == "*" and len(self.trusted_proxy_networks) == 1:
                continue
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"GONGXUE_TRUSTED_PROXIES: {proxy!r} is not an IP address or network "
                    "(or a lone `*`)"
                ) from None
        return self

    @model_validator(mode="after")
    def _refuse_malformed_community_hosts(self) -> "Settings":
        _community_hosts(self.community_hosts)
        return self

    @property
    def community_host_slugs(self) -> dict[str, str]:
        """GONGXUE_COMMUNITY_HOSTS: the slug for each host name (lower case, no port)."""
        return _community_hosts(self.community_hosts)

    @property
    def public_base(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def trusted_proxy_networks(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()


def _community_hosts(text: str) -> dict[str, str]:
    slugs: dict[str, str] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        host, _, slug = (part.strip() for part in entry.partition("="))
        if not host or not slug or ":" in host or "/" in host:
            raise ValueError(
                f"GONGXUE_COMMUNITY_HOSTS: {entry!r} is not `host=slug` "
                "(as `learn.example.cn=yrd-county-elderly`)"
            )
        slugs[host.lower()] = slug
    return slugs


@lru_cache
def get_settings() -> Settings:
    return Settings()

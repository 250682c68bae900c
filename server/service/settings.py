"""Service settings: one ``Settings`` read from the environment (and ``.env``), nothing else.

Every variable is listed, with its default, in ``.env.example``. Code never reads the
environment directly: it takes a ``Settings`` (the API factory, the worker, the job runner),
and ``get_settings()`` builds the process-wide one lazily, so tests can pass their own or
clear the cache (``get_settings.cache_clear()``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    """Field ``x`` is the environment variable ``X`` (case-insensitive)."""

    # Empty values (``WORK_DIR=`` in a copied .env.example) mean "use the default".
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
    )

    # Execution
    mode: Literal["standalone", "rq"] = Field(  # `serve --mode` overrides it
        "standalone", validation_alias=AliasChoices("render_mode", "mode")
    )
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "ecg"  # namespaces this service's keys (several services, one Redis)
    queue_name: str = "ecg-render"
    max_concurrent_jobs: int = Field(2, ge=1, le=64)  # standalone: renders running at once
    max_queued_jobs: int = Field(100, ge=1)  # standalone: more waiting jobs get 503

    # Storage
    storage: Literal["local", "s3"] = "local"
    storage_dir: Path = Path("data")  # local: published files in public/, pieces in work/
    work_dir: Path | None = None  # scratch for renders in progress; default STORAGE_DIR/work
    public_base_url: str = "http://localhost:8090"  # download_url = this + /files/<name>
    s3_bucket: str | None = None
    s3_prefix: str = "renders/"
    aws_region: str = "us-east-1"
    s3_endpoint_url: str | None = None  # MinIO, moto, LocalStack
    # Lifetime of download URLs: S3 presigned GETs, and signed /files links when API_KEY is set.
    s3_url_expires_seconds: int = Field(7 * 24 * 3600, ge=60, le=7 * 24 * 3600)

    # Inputs and safety
    allow_private_urls: bool = False  # video URLs on loopback/private networks (dev, tests)
    # Comma-separated hosts (exact or *.domain) and networks (CIDR) video URLs may reach
    # although they are not public, e.g. an in-house media server.
    video_url_allowlist: str = ""
    # Comma-separated: when set, the only hosts callback URLs may name. Link-local and cloud
    # metadata addresses are refused whatever this says.
    callback_allowed_hosts: str = ""
    allow_local_inputs: bool = False  # plain file paths as video_url (dev, tests)
    # When set, X-API-Key is required everywhere but /health; /files links are then signed.
    api_key: SecretStr | None = None
    # Queued + processing jobs one client (IP address) may have; more get 429. 0 = no bound.
    max_active_jobs_per_client: int = Field(100, ge=0)
    max_scenario_bytes: int = Field(5 * MB, ge=1024)  # the backend's own limit
    # MotionText v1.3 scenarios are migrated to v2.0 (README "v1.3 scenarios"); false refuses
    # them as 1.5.0 does.
    accept_v13: bool = True
    input_open_timeout_seconds: float = 15.0
    input_read_timeout_seconds: float = 60.0

    # Rendering
    encoder: str = "auto"  # auto = h264_nvenc when a session opens, else libx264
    preset: str | None = None  # x264 preset name; None = veryfast
    array_backend: Literal["numpy", "cupy", "auto"] = "auto"
    decoder: Literal["cpu", "nvdec", "auto"] = "auto"  # auto = NVDEC when it opens here
    segment_seconds: float = Field(60.0, ge=0)  # rq: piece length; 0 = never split
    job_timeout_base_seconds: int = Field(300, ge=10)
    job_timeout_per_video_second: float = Field(10.0, ge=0)  # scaled by the video's length
    job_retries: int = Field(2, ge=0, le=10)  # rq: extra tries after a transient failure
    job_ttl_seconds: int = Field(7 * 24 * 3600, ge=60)  # finished job records are kept this long

    # Look of the editor page (README "Matching the editor"): the host style profile renders
    # inherit when the request names none, and the web font folders (":"-separated, first
    # first; `ecg-render fonts install` writes into the first).
    host_style: str = "bare"
    font_dirs: str = "fonts"
    npm_registry: str = "https://registry.npmjs.org"  # where `fonts install` fetches from

    # Callbacks
    # With these defaults a status callback is retried for about 7 minutes (full jitter:
    # 20 tries, waits capped at 60 s), so an endpoint down for minutes still gets it. That
    # holds for connection errors, timeouts and busy answers; other answers get fewer tries
    # (server.service.callbacks).
    callback_max_tries: int = Field(20, ge=1, le=20)
    callback_timeout_seconds: float = Field(5.0, gt=0)
    callback_backoff_seconds: float = Field(0.5, ge=0)
    callback_backoff_max_seconds: float = Field(60.0, ge=0)

    # Health
    min_free_disk_mb: int = Field(1024, ge=0)

    @field_validator("host_style")
    @classmethod
    def _known_host_style(cls, value: str) -> str:
        from motiontext.host_styles import HOST_STYLES

        if value not in HOST_STYLES:
            raise ValueError(f"must be one of {', '.join(HOST_STYLES)}, but is {value!r}")
        return value

    @property
    def font_dir_paths(self) -> tuple[Path, ...]:
        return tuple(Path(d) for d in self.font_dirs.split(":") if d.strip())

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def public_dir(self) -> Path:
        return self.storage_dir / "public"

    @property
    def scratch_dir(self) -> Path:
        return self.work_dir or self.storage_dir / "work"

    def job_timeout_seconds(self, video_seconds: float | None) -> int:
        """rq job timeout for rendering ``video_seconds`` of video (unknown: one hour's worth
        is assumed, generous rather than killing a long render)."""
        seconds = 3600.0 if video_seconds is None else video_seconds
        return int(self.job_timeout_base_seconds + self.job_timeout_per_video_second * seconds)


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()

"""Where finished videos (and the pieces of segmented renders) are kept.

Two kinds of object, by name:

* **published** files, ``<job_id>.<ext>``: the results behind ``download_url``;
* **work** files, ``(job_id, name)``: rendered segments waiting for the merge job, possibly on
  another machine; removed once the merge is done.

Only complete files are ever handed over (``publish``/``put_work`` take a finished local file):
a local publish is an atomic rename, an S3 upload becomes visible only when it completes.
boto3 and OS errors are translated to :class:`~motiontext.errors.StorageError` here, once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from motiontext.errors import InputError, StorageError
from server.service.settings import Settings


class Storage(Protocol):
    def publish(self, path: Path, name: str) -> None:
        """Make the complete file at ``path`` the published ``name`` (the file may be moved)."""

    def download_url(self, name: str) -> str: ...

    def delete(self, name: str) -> None: ...

    def put_work(self, job_id: str, name: str, path: Path) -> None: ...

    def get_work(self, job_id: str, name: str, scratch: Path) -> Path:
        """A local path holding the work file (read only; may be inside ``scratch``)."""

    def delete_work(self, job_id: str) -> None: ...


@contextlib.contextmanager
def translate_storage_errors(what: str) -> Iterator[None]:
    """The storage side's one boundary from boto3/OS exceptions to StorageError."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except StorageError:
        raise
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "?")
        raise StorageError(f"{what} failed: S3 answered {code}") from exc
    except OSError as exc:  # the reason only: file names are server paths
        raise StorageError(f"{what} failed: {exc.strerror or exc}") from exc
    except (Boto3Error, BotoCoreError) as exc:  # Boto3Error: failed transfers
        raise StorageError(f"{what} failed: {exc}") from exc


def files_signing_key(settings: Settings) -> bytes | None:
    """The key that signs /files links: derived from API_KEY (None without one, and the
    links are then plain). Every API process and worker derives the same key."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return None
    secret = settings.api_key.get_secret_value().encode()
    return hashlib.sha256(b"ecg-render files v1\0" + secret).digest()


def file_signature(key: bytes, name: str, expires: int) -> str:
    """HMAC-SHA256 of ``name`` and its expiry (unix seconds), hex."""
    return hmac.new(key, f"{name}\n{expires}".encode(), hashlib.sha256).hexdigest()


def check_file_signature(
    key: bytes, name: str, expires: str | None, signature: str | None, now: float | None = None
) -> bool:
    """True when ``signature`` signs ``name`` until ``expires``, and that is not past."""
    if not expires or not signature or not expires.isdigit():
        return False
    if int(expires) < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(file_signature(key, name, int(expires)), signature)


class LocalStorage:
    """Files under ``STORAGE_DIR``: published in ``public/`` (served at ``/files/``), work
    files in ``work/<job_id>/``. With a ``signing_key`` (API_KEY set) download URLs carry
    ``?expires=<unix seconds>&signature=<hmac>``, checked by the API's /files route, so
    end users can download without the API key, like S3 presigned URLs."""

    def __init__(
        self,
        root: Path,
        public_base_url: str,
        signing_key: bytes | None = None,
        url_expires_seconds: int = 7 * 24 * 3600,
    ):
        self.public_dir = root / "public"
        self.work_root = root / "work"
        self.public_base_url = public_base_url.rstrip("/")
        self.signing_key = signing_key
        self.url_expires_seconds = url_expires_seconds
        with translate_storage_errors(f"creating {root}"):
            self.public_dir.mkdir(parents=True, exist_ok=True)
            self.work_root.mkdir(parents=True, exist_ok=True)

    def publish(self, path: Path, name: str) -> None:
        with translate_storage_errors(f"publishing {name}"):
            _move_atomically(path, self.public_dir / _safe_name(name))

    def download_url(self, name: str) -> str:
        url = f"{self.public_base_url}/files/{urllib.parse.quote(_safe_name(name))}"
        if self.signing_key is None:
            return url
        expires = int(time.time()) + self.url_expires_seconds
        return (
            f"{url}?expires={expires}&signature={file_signature(self.signing_key, name, expires)}"
        )

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.public_dir / _safe_name(name)).unlink()

    def put_work(self, job_id: str, name: str, path: Path) -> None:
        folder = self.work_root / _safe_name(job_id)
        with translate_storage_errors(f"storing {name}"):
            folder.mkdir(parents=True, exist_ok=True)
            _move_atomically(path, folder / _safe_name(name))

    def get_work(self, job_id: str, name: str, scratch: Path) -> Path:
        path = self.work_root / _safe_name(job_id) / _safe_name(name)
        if not path.is_file():
            raise StorageError(f"work file {job_id}/{name} is missing")
        return path

    def delete_work(self, job_id: str) -> None:
        shutil.rmtree(self.work_root / _safe_name(job_id), ignore_errors=True)


class S3Storage:
    """Objects in ``S3_BUCKET`` under ``S3_PREFIX``: published as ``<prefix><name>``, work
    files as ``<prefix>.work/<job_id>/<name>``; download URLs are presigned GETs."""

    def __init__(self, client: Any, bucket: str, prefix: str, url_expires_seconds: int):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.url_expires_seconds = url_expires_seconds

    def _work_key(self, job_id: str, name: str = "") -> str:
        return f"{self.prefix}.work/{_safe_name(job_id)}/{name}"

    def publish(self, path: Path, name: str) -> None:
        with translate_storage_errors(f"uploading {name}"):
            self.client.upload_file(str(path), self.bucket, self.prefix + _safe_name(name))
        path.unlink(missing_ok=True)

    def download_url(self, name: str) -> str:
        with translate_storage_errors(f"presigning {name}"):
            return str(
                self.client.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": self.bucket, "Key": self.prefix + _safe_name(name)},
                    ExpiresIn=self.url_expires_seconds,
                )
            )

    def delete(self, name: str) -> None:
        with contextlib.suppress(StorageError), translate_storage_errors(f"deleting {name}"):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _safe_name(name))

    def put_work(self, job_id: str, name: str, path: Path) -> None:
        with translate_storage_errors(f"uploading {name}"):
            self.client.upload_file(str(path), self.bucket, self._work_key(job_id, name))
        path.unlink(missing_ok=True)

    def get_work(self, job_id: str, name: str, scratch: Path) -> Path:
        destination = scratch / _safe_name(name)
        with translate_storage_errors(f"downloading {name}"):
            self.client.download_file(self.bucket, self._work_key(job_id, name), str(destination))
        return destination

    def delete_work(self, job_id: str) -> None:
        with contextlib.suppress(StorageError), translate_storage_errors("removing work files"):
            listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._work_key(job_id))
            keys = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


def s3_client(settings: Settings) -> Any:
    """A boto3 S3 client for the configured region/endpoint (credentials: boto3's own chain)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=settings.aws_region,
        endpoint_url=settings.s3_endpoint_url,
        config=Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"}),
    )


def build_storage(settings: Settings) -> Storage:
    if settings.storage == "s3":
        if not settings.s3_bucket:
            raise InputError("STORAGE=s3 needs S3_BUCKET")
        return S3Storage(
            s3_client(settings),
            settings.s3_bucket,
            settings.s3_prefix,
            settings.s3_url_expires_seconds,
        )
    return LocalStorage(
        settings.storage_dir,
        settings.public_base_url,
        files_signing_key(settings),
        settings.s3_url_expires_seconds,
    )


def presign_s3_url(settings: Settings, url: str, expires_seconds: int = 6 * 3600) -> str:
    """``s3://bucket/key`` -> an https GET URL FFmpeg can read (it cannot speak s3://)."""
    parts = urllib.parse.urlsplit(url)
    bucket, key = parts.netloc, parts.path.lstrip("/")
    if not bucket or not key:
        raise InputError(f"an s3 URL must look like s3://bucket/key, but is {url!r}")
    with translate_storage_errors(f"presigning {url}"):
        return str(
            s3_client(settings).generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_seconds
            )
        )


def _safe_name(name: str) -> str:
    """Names come from validated job ids; refuse anything that could leave the folder."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\0" in name:
        raise StorageError(f"invalid storage name {name!r}")
    return name


def _move_atomically(source: Path, destination: Path) -> None:
    """Rename when on the same file system, else copy to a temporary name and rename, so the
    destination never shows a partial file."""
    try:
        os.replace(source, destination)
        return
    except OSError:
        pass
    temporary = destination.with_name(f".{destination.name}.partial")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)  # e.g. disk full: leave no partial copy behind
        raise
    source.unlink(missing_ok=True)

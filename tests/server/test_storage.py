"""Storage back ends: local folder and S3 (moto's server over HTTP, real boto3)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from motiontext.errors import StorageError
from server.service.storage import LocalStorage, S3Storage, presign_s3_url, s3_client
from tests.server.conftest import make_bucket, make_settings


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_local_publish_work_and_names(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "s", "http://files.example/")
    storage.publish(_file(tmp_path, "x.mp4", b"video"), "job-1.mp4")
    assert (tmp_path / "s" / "public" / "job-1.mp4").read_bytes() == b"video"
    assert storage.download_url("job-1.mp4") == "http://files.example/files/job-1.mp4"
    storage.put_work("job-1", "seg-0.mp4", _file(tmp_path, "p.mp4", b"piece"))
    assert storage.get_work("job-1", "seg-0.mp4", tmp_path).read_bytes() == b"piece"
    storage.delete_work("job-1")
    with pytest.raises(StorageError):
        storage.get_work("job-1", "seg-0.mp4", tmp_path)
    for bad in ("..", "../x", "a/b", ""):
        with pytest.raises(StorageError):
            storage.publish(_file(tmp_path, "y.mp4", b""), bad)
    storage.delete("job-1.mp4")
    assert not (tmp_path / "s" / "public" / "job-1.mp4").exists()


def test_s3_publish_presign_work_and_input(tmp_path: Path, s3_endpoint: str) -> None:
    bucket = f"ecg-{uuid.uuid4().hex[:10]}"
    make_bucket(s3_endpoint, bucket)
    settings = make_settings(tmp_path, storage="s3", s3_bucket=bucket, s3_endpoint_url=s3_endpoint)
    storage = S3Storage(s3_client(settings), bucket, "renders/", 600)
    source = _file(tmp_path, "x.mp4", b"video bytes")
    storage.publish(source, "job-2.mp4")
    assert not source.exists()  # uploaded, local copy gone
    url = storage.download_url("job-2.mp4")
    assert httpx.get(url).content == b"video bytes"
    storage.put_work("job-2", "seg-0.mp4", _file(tmp_path, "p.mp4", b"piece"))
    fetched = storage.get_work("job-2", "seg-0.mp4", tmp_path)
    assert fetched.read_bytes() == b"piece"
    storage.delete_work("job-2")
    with pytest.raises(StorageError):
        storage.get_work("job-2", "seg-0.mp4", tmp_path)
    presigned = presign_s3_url(settings, f"s3://{bucket}/renders/job-2.mp4")
    assert httpx.get(presigned).content == b"video bytes"
    with pytest.raises(StorageError, match="NoSuchBucket"):
        S3Storage(s3_client(settings), "no-such-bucket-x", "", 60).publish(
            _file(tmp_path, "z.mp4", b"z"), "z.mp4"
        )

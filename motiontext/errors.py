"""The project's one error tree. Every class carries a machine ``code`` that the API and the
callbacks report as ``error_code``.

    RenderError                 code RENDER_FAILED
    ├── ScenarioError           code INVALID_SCENARIO   (carries the JSON path)
    ├── InputError              code INVALID_INPUT      (bad options, unusable arguments)
    │   └── DownloadError       code DOWNLOAD_FAILED    (URL refused or unreachable)
    ├── DecodeError             code INVALID_VIDEO      (unreadable, corrupt, no video stream)
    ├── EncodeError             code ENCODE_FAILED      (encoder would not open, mux failed)
    ├── StorageError            code STORAGE_FAILED     (disk full, upload failed)
    └── CancelledError          code CANCELLED

PyAV, Skia and boto3 exceptions are translated into this tree at one boundary each.
Messages say what was expected and what came.
"""

from __future__ import annotations


class RenderError(Exception):
    code = "RENDER_FAILED"


class ScenarioError(RenderError):
    """A scenario that 1.5.0 would reject. ``path`` is the JSON path of the bad field
    (``cues[3].root.children[1].displayTime``) or "" for document-level errors."""

    code = "INVALID_SCENARIO"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class InputError(RenderError):
    code = "INVALID_INPUT"


class DownloadError(InputError):
    code = "DOWNLOAD_FAILED"


class DecodeError(RenderError):
    code = "INVALID_VIDEO"


class EncodeError(RenderError):
    code = "ENCODE_FAILED"


class StorageError(RenderError):
    code = "STORAGE_FAILED"


class CancelledError(RenderError):
    code = "CANCELLED"

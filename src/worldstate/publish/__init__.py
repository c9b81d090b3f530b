"""Publishing finished exports to CI: upload providers and the records of their attempts."""

from __future__ import annotations

from worldstate.publish._model import UploadContext, Uploader, UploadResult, UploadStatus
from worldstate.publish._storage import UPLOAD_PLACEHOLDERS, StorageUploader

__all__ = [
    "Uploader",
    "UploadContext",
    "UploadResult",
    "UploadStatus",
    "StorageUploader",
    "UPLOAD_PLACEHOLDERS",
]

"""Publishing finished exports to CI: upload providers and the records of their attempts."""

from __future__ import annotations

from worldstate.publish._model import UploadContext, Uploader, UploadResult, UploadStatus

__all__ = ["Uploader", "UploadContext", "UploadResult", "UploadStatus"]

"""In-memory object store behind the presigned upload and signed download URLs.

Addressing (wire reference 01 §4.7, §6.9): every object has a key
``<jobId>/<slot>/<id>`` where ``slot`` is the upload ``type`` (``startingImage``,
``contextImage1``, ``referenceAudio``...) or ``complete``/``preview`` for
results, and ``id`` is the ``imageId``/``id`` query value (the job's ``imgID``
for results).  Because clients never reference an upload's random
``imageId`` again, uploads are also indexed by ``(jobId, slot[, id])``.

URLs are signed with an HMAC over ``method, key, expiry`` and expire on the
simulated clock: uploads after ``upload_url_ttl_s``, downloads after
``download_url_ttl_s`` (24 h by default); objects are forgotten after
``object_retention_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from .clock import SimClock

__all__ = ["ObjectStore", "StoredObject"]


@dataclass
class StoredObject:
    """Bytes plus their content type and creation time (simulated clock)."""

    data: bytes
    content_type: str
    created: float


@dataclass
class ObjectStore:
    """Objects by key, presigned URL minting and verification."""

    clock: SimClock
    base_url: str = ""
    upload_ttl: float = 3600.0
    download_ttl: float = 86400.0
    retention: float = 86400.0
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(16), repr=False)
    _objects: dict[str, StoredObject] = field(default_factory=dict, repr=False)
    _latest: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)

    @staticmethod
    def key(job_id: str, slot: str, object_id: str) -> str:
        """The canonical key of one object."""
        return f"{job_id}/{slot}/{object_id or '-'}"

    def _signature(self, method: str, key: str, expires: int) -> str:
        message = f"{method}\n{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def _url(self, method: str, key: str, ttl: float) -> str:
        expires = int(self.clock.now() + ttl)
        query = urlencode(
            {"X-Expires": expires, "X-Signature": self._signature(method, key, expires)}
        )
        prefix = "_upload" if method == "PUT" else "_store"
        return f"{self.base_url}/{prefix}/{quote(key, safe='/')}?{query}"

    def upload_url(self, job_id: str, slot: str, object_id: str) -> str:
        """Mint a presigned PUT URL for one upload slot."""
        return self._url("PUT", self.key(job_id, slot, object_id), self.upload_ttl)

    def download_url(self, key: str) -> str:
        """Mint a signed GET URL for a stored key (the object need not exist yet)."""
        return self._url("GET", key, self.download_ttl)

    def verify(self, method: str, key: str, expires: str, signature: str) -> str | None:
        """Check a presigned URL.

        Returns:
            ``None`` when valid, else a short reason (``"expired"``,
            ``"bad-signature"``).
        """
        try:
            deadline = int(expires)
        except ValueError:
            return "bad-signature"
        if not hmac.compare_digest(self._signature(method, key, deadline), signature):
            return "bad-signature"
        if self.clock.now() > deadline:
            return "expired"
        return None

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under a key and index them by ``(jobId, slot, id)``."""
        self._objects[key] = StoredObject(data, content_type, self.clock.now())
        parts = key.split("/", 2)
        if len(parts) == 3:
            self._latest[(parts[0], parts[1], "")] = key
            self._latest[(parts[0], parts[1], parts[2])] = key

    def get(self, key: str) -> StoredObject | None:
        """Fetch an object; ``None`` when absent or past its retention."""
        obj = self._objects.get(key)
        if obj is None:
            return None
        if self.clock.now() - obj.created > self.retention:
            del self._objects[key]
            return None
        return obj

    def find_upload(self, job_id: str, slot: str, object_id: str = "") -> StoredObject | None:
        """An upload by ``(jobId, slot[, id])`` (workers resolve assets this way)."""
        key = self._latest.get((job_id, slot, object_id))
        return None if key is None else self.get(key)

    def __len__(self) -> int:
        return len(self._objects)

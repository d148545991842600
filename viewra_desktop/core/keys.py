"""Raw-key encryption: the key, the packager's flags, the players' settings, the key files.

The packager encrypts with one raw key for every track (``--enable_raw_key_encryption``):
a 16-byte key and a 16-byte key ID, random unless the user gives them, the ``cenc`` or
``cbcs`` scheme, and a clear lead of 0 s unless the user sets one. Players decrypt with the
same key: mpv through FFmpeg's ``cenc_decryption_key`` demuxer option, Shaka Player through
``drm.clearKeys`` (``{key ID: key}`` in hex).

Two files hold a key, and neither is ever published or served:
- beside an exported package, ``<name>.key.json`` (``layout.key_file``): the key, and how
  each player is given it; a folder to publish never contains it;
- in an encrypted cache entry, ``layout.ENTRY_KEY``: the preview session's key, kept with
  the entry so a replay decrypts with the key it was encrypted with.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .errors import ViewraError

logger = logging.getLogger(__name__)

SCHEMES = ("cenc", "cbcs")  # AES-CTR (DASH's common scheme) and AES-CBC pattern (HLS, Apple)
DEFAULT_SCHEME = "cenc"
KEY_BYTES = 16


class EncryptionError(ViewraError):
    """A key, key ID, scheme or clear lead the user gave cannot be used."""


@dataclass(frozen=True)
class Encryption:
    """How a package is encrypted: the key and key ID (32 hex digits each), the scheme and
    the clear lead (seconds left unencrypted at the start)."""

    key_id: str
    key: str
    scheme: str = DEFAULT_SCHEME
    clear_lead: float = 0.0

    @property
    def clear_keys(self) -> dict[str, str]:
        """Shaka Player's ``drm.clearKeys``."""
        return {self.key_id: self.key}

    @property
    def mpv_options(self) -> dict[str, str]:
        """mpv's option (python-mpv spelling) that decrypts the package."""
        return {"demuxer_lavf_o": f"cenc_decryption_key={self.key}"}

    @property
    def page_fragment(self) -> str:
        """What follows ``index.html#`` so the player page decrypts (never sent to a server)."""
        return f"key={self.key_id}:{self.key}"


def _hex(value: str | None, what: str) -> str:
    if value is None:
        return secrets.token_hex(KEY_BYTES)
    text = value.strip().lower().replace("-", "")
    if len(text) != 2 * KEY_BYTES or any(c not in "0123456789abcdef" for c in text):
        raise EncryptionError(f"The {what} must be 32 hexadecimal digits; {value!r} is not.")
    return text


def make_encryption(
    key: str | None = None,
    key_id: str | None = None,
    scheme: str = DEFAULT_SCHEME,
    clear_lead: float = 0.0,
) -> Encryption:
    """An encryption with the user's values, random ones for what is not given."""
    if scheme not in SCHEMES:
        raise EncryptionError(f"The scheme must be one of {', '.join(SCHEMES)}; {scheme!r} is not.")
    if not 0 <= clear_lead <= 3600:
        raise EncryptionError("The clear lead must be between 0 and 3600 seconds.")
    return Encryption(_hex(key_id, "key ID"), _hex(key, "key"), scheme, float(clear_lead))


def packager_args(encryption: Encryption) -> list[str]:
    """The packager's flags for raw-key encryption."""
    keys = f"label=:key_id={encryption.key_id}:key={encryption.key}"  # label "": every track
    return [
        "--enable_raw_key_encryption",  # the key is given here, no key server
        "--keys", keys,
        "--protection_scheme", encryption.scheme,
        # Its default is 5 s in the clear; 0 unless asked: every segment is encrypted.
        "--clear_lead", f"{encryption.clear_lead:g}",
    ]  # fmt: skip


def to_record(encryption: Encryption) -> dict[str, object]:
    return {
        "key_id": encryption.key_id,
        "key": encryption.key,
        "scheme": encryption.scheme,
        "clear_lead": encryption.clear_lead,
    }


def from_record(record: object) -> Encryption | None:
    if not isinstance(record, dict):
        return None
    try:
        return make_encryption(
            str(record["key"]),
            str(record["key_id"]),
            str(record.get("scheme", DEFAULT_SCHEME)),
            float(record.get("clear_lead", 0.0)),
        )
    except (KeyError, TypeError, ValueError, ViewraError):
        return None


def _write_private(path: Path, data: bytes) -> None:
    """Write a key file readable by its owner only, atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_key_file(path: Path, encryption: Encryption, package: Path) -> None:
    """The key file beside an exported package: the key, and how each player uses it."""
    record = dict(
        to_record(encryption),
        package=package.name,
        shaka={"drm": {"clearKeys": encryption.clear_keys}},
        mpv=f"--demuxer-lavf-o=cenc_decryption_key={encryption.key}",
        page=f"index.html#{encryption.page_fragment}",
    )
    _write_private(path, (json.dumps(record, indent=1) + "\n").encode())


def read_key_file(path: Path) -> Encryption | None:
    try:
        return from_record(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError):
        return None


def entry_encryption(entry: Path, name: str) -> Encryption:
    """The key of an encrypted cache entry: the one it holds, or a new random one."""
    path = entry / name
    found = read_key_file(path)
    if found is not None:
        return found
    encryption = make_encryption()
    _write_private(path, (json.dumps(to_record(encryption)) + "\n").encode())
    logger.info("new preview key for cache entry %s", entry.name)
    return encryption

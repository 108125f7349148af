"""Signed content packs: the compiled knowledge base, a manifest and a signature in one file.

A pack is what a clinic copies from a USB stick. Its layout (every text line ends in
``\\n``)::

    kapdesk-content-pack 1
    untrusted comment: …                          ┐
    <base64: "ED" + key id + signature>           │ a minisign signature of the
    trusted comment: kapdesk-pack {manifest}      │ database part (prehashed
    <base64: global signature>                    ┘ Ed25519, BLAKE2b-512)
    <the SQLite knowledge base, manifest.db_bytes long>

The signature covers the database bytes; the global signature covers that signature and
the trusted comment, which carries the manifest (content version, review, build and
expiry dates, schema version, oldest program, content hash, database size). So both
are signed by the publisher's key, and the middle four lines are exactly what
``minisign -V`` checks.

Checking order: size (before reading anything), header, key id against the pinned
publisher keys, manifest signature, database size, database signature while the bytes
are copied into a private file, schema and program version — and only then is that
file opened as SQLite: read-only, ``trusted_schema`` off, ``PRAGMA integrity_check``,
schema version and content hash against the manifest.

``cryptography`` is imported only inside the functions that sign or verify, so opening
the active knowledge base at start-up never loads it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kapdesk import __version__
from kapdesk.errors import DataError
from kapdesk.fsio import atomic_write
from kapdesk.kb.pack_state import (
    CHUNK,
    DB_NAME,
    InstalledPack,
    Manifest,
    PackError,
    PackState,
    collect_garbage,
    file_digest,
    fsync_dir,
    installed_digest_ok,
    load_state,
    packs_dir,
    program_tuple,
    write_state,
)
from kapdesk.kb.store import KnowledgeBase, ensure_kb, open_active_kb
from kapdesk.paths import AppPaths

if TYPE_CHECKING:
    from kapdesk.kb.diff import ContentDiff

log = logging.getLogger("kapdesk.kb")

MAGIC = b"kapdesk-content-pack 1\n"
COMMENT_PREFIX = "kapdesk-pack "
# The knowledge base is about 2 MB today; a pack over this size is refused unread.
MAX_PACK_BYTES = 250_000_000
HEADER_MAX = 16 * 1024
SIG_NAME = "knowledge-base.sqlite3.minisig"

# The publisher's public keys (minisign format), pinned in the program. Only these sign
# packs a clinic can install; no option, environment variable or settings file adds one.
# The secret keys are kept offline by the publisher (docs/content-packs-publisher.md).
PUBLISHER_KEYS: dict[str, str] = {
    "release": "RWQYLakygB9ol/qiXrFLHJD7D0up84FtqPf16wUA89wZafIHjkRI0oRy",
    "backup": "RWQt4e3tsAO+V9LcalHAFW8NMBtAY0QRpjZdBI4yS6eOy7OrplZiNCNX",
}


# --- keys -------------------------------------------------------------------------------


def key_id_text(key_id: bytes) -> str:
    """A key id as minisign prints it (little-endian, upper-case hex)."""
    return key_id[::-1].hex().upper()


@dataclass(frozen=True)
class PublicKey:
    """A minisign Ed25519 public key."""

    name: str
    key_id: bytes
    raw: bytes

    @classmethod
    def parse(cls, name: str, text: str) -> PublicKey:
        """Read the base64 line of a minisign public key (``RWQ…``)."""
        data = base64.b64decode(text.strip().splitlines()[-1], validate=True)
        if len(data) != 42 or data[:2] != b"Ed":
            raise ValueError("not a minisign Ed25519 public key")
        return cls(name, data[2:10], data[10:])

    @property
    def id_text(self) -> str:
        return key_id_text(self.key_id)

    def minisign_text(self) -> str:
        """The public key file as ``minisign -G`` writes it."""
        line = base64.b64encode(b"Ed" + self.key_id + self.raw).decode()
        return f"untrusted comment: minisign public key {self.id_text}\n{line}\n"


def trusted_keys() -> dict[bytes, PublicKey]:
    """The pinned publisher keys by key id."""
    keys = (PublicKey.parse(name, text) for name, text in PUBLISHER_KEYS.items())
    return {key.key_id: key for key in keys}


@dataclass(frozen=True)
class SecretKey:
    """A minisign Ed25519 secret key: key id and the 32-byte seed."""

    key_id: bytes
    seed: bytes

    def public(self, name: str = "") -> PublicKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKey(name, self.key_id, raw)

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def _scrypt_params(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """libsodium's scryptsalsa208sha256 parameter choice (what minisign uses)."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
        n_log2 = next(i for i in range(1, 63) if (1 << i) > max_n // 2)
    else:
        max_n = memlimit // (r * 128)
        n_log2 = next(i for i in range(1, 63) if (1 << i) > max_n // 2)
        max_rp = min((opslimit // 4) // (1 << n_log2), 0x3FFFFFFF)
        p = max(max_rp // r, 1)
    return n_log2, r, p


def _scrypt_xor(keynum: bytes, password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    """``keynum`` XOR the scrypt stream of ``password``: minisign's key encryption, which
    is its own inverse (the same call encrypts and decrypts)."""
    n_log2, r, p = _scrypt_params(opslimit, memlimit)
    stream = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=1 << n_log2,
        r=r,
        p=p,
        maxmem=129 * r * (1 << n_log2) + 1024 * 1024,
        dklen=len(keynum),
    )
    return bytes(a ^ b for a, b in zip(keynum, stream, strict=True))


def read_secret_key(path: Path, password: Callable[[], str] | None = None) -> SecretKey:
    """Read a minisign secret key file; an encrypted one asks ``password()`` for its password."""
    field_name = "--secret-key"
    try:
        lines = path.read_text(encoding="ascii").splitlines()
        data = base64.b64decode(lines[1].strip(), validate=True)
    except (OSError, UnicodeDecodeError, IndexError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not readable"
        raise PackError(f"{field_name}: '{path}': {reason}; give a minisign secret key") from None
    if len(data) != 158 or data[:2] != b"Ed" or data[4:6] != b"B2":
        raise PackError(f"{field_name}: '{path}' is not a minisign Ed25519 secret key")
    kdf, salt = data[2:4], data[6:38]
    opslimit = int.from_bytes(data[38:46], "little")
    memlimit = int.from_bytes(data[46:54], "little")
    keynum = data[54:158]
    if kdf == b"Sc":
        if password is None:
            import getpass

            password = lambda: getpass.getpass(f"Password for {path.name}: ")  # noqa: E731
        keynum = _scrypt_xor(keynum, password(), salt, opslimit, memlimit)
    elif kdf != b"\0\0":
        raise PackError(f"{field_name}: '{path}': unknown key encryption {kdf!r}")
    key_id, secret, checksum = keynum[:8], keynum[8:72], keynum[72:]
    expected = hashlib.blake2b(b"Ed" + key_id + secret, digest_size=32).digest()
    if checksum != expected and (kdf == b"Sc" or any(checksum)):
        raise PackError(f"{field_name}: '{path}': wrong password or damaged key file")
    key = SecretKey(key_id, secret[:32])
    if key.public().raw != secret[32:]:
        raise PackError(f"{field_name}: '{path}': damaged key file (public half does not match)")
    return key


def write_keypair(
    secret_path: Path,
    public_path: Path,
    *,
    password: str | None = None,
    opslimit: int = 1 << 25,
    memlimit: int = 1 << 30,
) -> SecretKey:
    """Generate a minisign key pair: the format ``minisign -G`` writes.

    With ``password`` the secret key is encrypted as minisign does (scrypt with
    ``opslimit``/``memlimit``, minisign's defaults); without, it is stored as by
    ``minisign -G -W``. The secret key file is created with mode 0600 and never
    overwritten.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    seed = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    key = SecretKey(secrets.token_bytes(8), seed)
    public = key.public()
    secret = seed + public.raw
    checksum = hashlib.blake2b(b"Ed" + key.key_id + secret, digest_size=32).digest()
    keynum = key.key_id + secret + checksum
    salt = secrets.token_bytes(32)
    if password is None:
        kdf, salt, opslimit, memlimit = b"\0\0", bytes(32), 0, 0
    else:
        kdf = b"Sc"
        keynum = _scrypt_xor(keynum, password, salt, opslimit, memlimit)
    blob = (
        b"Ed"
        + kdf
        + b"B2"
        + salt
        + opslimit.to_bytes(8, "little")
        + memlimit.to_bytes(8, "little")
        + keynum
    )
    text = "untrusted comment: minisign secret key\n" + base64.b64encode(blob).decode() + "\n"
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
    atomic_write(public_path, public.minisign_text().encode("ascii"))
    return key


# --- reading and checking a pack --------------------------------------------------------


@dataclass(frozen=True)
class PackHeader:
    """The parsed, signature-checked header of a pack (the database not yet checked)."""

    path: Path
    manifest: Manifest
    key: PublicKey
    signature: bytes  # Ed25519 signature of BLAKE2b-512(database)
    minisig: str  # lines 2–5: the minisign signature file of the database part
    offset: int  # where the database part starts


def _size_text(size: int) -> str:
    return f"{size / 1_000_000_000:.1f} GB" if size >= 1e9 else f"{size / 1_000_000:.1f} MB"


def read_header(path: Path) -> PackHeader:
    """Check size, format, key and manifest signature; read no database byte."""
    name = f"PACK '{path.name}'"
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise PackError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise PackError(f"{name}: not a file; give a kapdesk content pack")
    if size > MAX_PACK_BYTES:
        raise PackError(
            f"{name}: {_size_text(size)} is over the size limit for a content pack "
            f"({_size_text(MAX_PACK_BYTES)}); refused unread"
        )
    with open(path, "rb") as handle:
        head = handle.read(HEADER_MAX)
    if not head.startswith(MAGIC):
        if MAGIC.startswith(head):
            raise PackError(f"{name}: truncated ({size} bytes): the file ends inside the header")
        raise PackError(
            f"{name}: not a kapdesk content pack (it does not start with the pack line)"
        )
    lines = head[len(MAGIC) :].split(b"\n", 4)
    if len(lines) < 5:
        if size < HEADER_MAX:
            raise PackError(f"{name}: truncated ({size} bytes): the file ends inside the header")
        raise PackError(f"{name}: header is too long; not a kapdesk content pack")
    untrusted, sig_line, comment_line, global_line = lines[:4]
    offset = len(MAGIC) + sum(len(line) + 1 for line in lines[:4])
    try:
        if not untrusted.startswith(b"untrusted comment: "):
            raise ValueError("untrusted comment")
        sig_blob = base64.b64decode(sig_line, validate=True)
        if not comment_line.startswith(b"trusted comment: "):
            raise ValueError("trusted comment")
        comment = comment_line[len(b"trusted comment: ") :].decode("utf-8")
        global_sig = base64.b64decode(global_line, validate=True)
        if len(sig_blob) != 74 or len(global_sig) != 64:
            raise ValueError("signature length")
    except (ValueError, UnicodeDecodeError):
        raise PackError(f"{name}: signature block is damaged (the pack was altered)") from None
    algorithm, key_id, signature = sig_blob[:2], sig_blob[2:10], sig_blob[10:]
    if algorithm != b"ED":
        raise PackError(
            f"{name}: signature algorithm {algorithm!r}; only prehashed Ed25519 ('ED') is accepted"
        )
    keys = trusted_keys()
    key = keys.get(key_id)
    if key is None:
        known = ", ".join(f"{k.name} {k.id_text}" for k in keys.values())
        raise PackError(
            f"{name}: signed by unknown key {key_id_text(key_id)}; trusted keys: {known}"
        )
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(key.raw).verify(
            global_sig, signature + comment.encode("utf-8")
        )
    except InvalidSignature:
        raise PackError(
            f"{name}: manifest signature does not match (the pack was altered after signing)"
        ) from None
    if not comment.startswith(COMMENT_PREFIX):
        raise PackError(f"{name}: manifest: the trusted comment is not a kapdesk manifest")
    manifest = Manifest.from_json(comment[len(COMMENT_PREFIX) :])
    database = size - offset
    if database < manifest.db_bytes:
        raise PackError(
            f"{name}: truncated: the database part is {database} bytes, "
            f"the signed manifest says {manifest.db_bytes}"
        )
    if database > manifest.db_bytes:
        raise PackError(
            f"{name}: {database - manifest.db_bytes} bytes more than the signed manifest says "
            "(the pack was altered)"
        )
    if manifest.kb_schema != _schema_version():
        newer = manifest.kb_schema > _schema_version()
        raise PackError(
            f"{name}: kb_schema: the pack has knowledge-base schema {manifest.kb_schema}; "
            f"this kapdesk reads schema {_schema_version()}"
            + ("; update kapdesk first" if newer else "; ask the publisher for a current pack")
        )
    if program_tuple(manifest.min_program) > program_tuple(__version__):
        raise PackError(
            f"{name}: min_program: the pack needs kapdesk {manifest.min_program} or newer; "
            f"this is {__version__}"
        )
    minisig = b"\n".join(lines[:4]).decode("utf-8") + "\n"
    return PackHeader(path, manifest, key, signature, minisig, offset)


def _schema_version() -> int:
    from kapdesk.kb.build import SCHEMA_VERSION

    return SCHEMA_VERSION


def extract_database(header: PackHeader, target: Path) -> str:
    """Copy the database part to ``target`` and verify its signature; return its BLAKE2b hex.

    The signature is checked over the very bytes written, so the file opened afterwards
    is the one the publisher signed even if the pack changes meanwhile.
    """
    digest = hashlib.blake2b()
    remaining = header.manifest.db_bytes
    with open(header.path, "rb") as source, open(target, "xb") as out:
        source.seek(header.offset)
        while remaining:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                raise PackError(f"PACK '{header.path.name}': truncated while reading")
            digest.update(chunk)
            out.write(chunk)
            remaining -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(header.key.raw).verify(header.signature, digest.digest())
    except InvalidSignature:
        raise PackError(
            f"PACK '{header.path.name}': database signature does not match "
            "(the pack was altered after signing)"
        ) from None
    return digest.hexdigest()


def check_database(path: Path, manifest: Manifest, pack_name: str) -> None:
    """Open the signed database read-only and check it against its manifest."""
    name = f"PACK '{pack_name}'"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise PackError(f"{name}: the database cannot be opened ({exc})") from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        conn.close()
    if rows != ["ok"]:
        raise PackError(
            f"{name}: integrity_check failed ({'; '.join(rows)[:200]}): the publisher built "
            "a damaged pack; ask for a new one"
        )
    try:
        with KnowledgeBase.open(path, activate_catalog=False, origin="pack") as kb:
            schema, content_hash, release = kb.schema_version, kb.version.content_hash, kb.release
    except (DataError, KeyError, ValueError) as exc:
        raise PackError(f"{name}: the database is not a kapdesk knowledge base ({exc})") from None
    if schema != manifest.kb_schema:
        raise PackError(f"{name}: schema {schema} in the database, {manifest.kb_schema} signed")
    if content_hash != manifest.content_hash:
        raise PackError(f"{name}: content hash in the database does not match the manifest")
    if release.content_version != manifest.content_version:
        raise PackError(f"{name}: content version in the database does not match the manifest")


@dataclass(frozen=True)
class VerifiedPack:
    """A pack whose signature, manifest and database were all checked."""

    header: PackHeader
    db_digest: str
    warnings: tuple[str, ...] = ()

    @property
    def manifest(self) -> Manifest:
        return self.header.manifest


def _expiry_warnings(manifest: Manifest, today: date) -> tuple[str, ...]:
    if manifest.expired(today):
        return (
            f"content version {manifest.content_version} expired on "
            f"{manifest.expires.isoformat()}: its content is due for review; "
            "ask the publisher for a newer pack",
        )
    return ()


@contextmanager
def open_pack(path: Path, *, today: date | None = None) -> Iterator[tuple[VerifiedPack, Path]]:
    """Verify ``path`` completely; yield it with its database copied to a private file."""
    header = read_header(path)
    with tempfile.TemporaryDirectory(prefix="kapdesk-pack-") as tmp:
        db_path = Path(tmp) / DB_NAME
        digest = extract_database(header, db_path)
        check_database(db_path, header.manifest, path.name)
        warnings = _expiry_warnings(header.manifest, today or date.today())
        yield VerifiedPack(header, digest, warnings), db_path


def preview_pack(
    path: Path, current: KnowledgeBase, *, today: date | None = None
) -> tuple[VerifiedPack, ContentDiff]:
    """Verify ``path`` completely and tell what it would change in ``current``."""
    from kapdesk.kb.diff import diff_kbs

    with (
        open_pack(path, today=today) as (verified, db_path),
        KnowledgeBase.open(db_path, activate_catalog=False, origin="pack") as incoming,
    ):
        return verified, diff_kbs(current, incoming)


def verify_pack(path: Path, *, today: date | None = None) -> VerifiedPack:
    """Verify ``path`` completely (signature, manifest, database); raise PackError if not."""
    with open_pack(path, today=today) as (verified, _):
        return verified


# --- building ---------------------------------------------------------------------------


def sign_kb_file(
    db_path: Path, key: SecretKey, out: Path, *, built: date | None = None
) -> Manifest:
    """Write the pack ``out`` for the knowledge-base file ``db_path``, signed with ``key``.

    The manifest is read from the database itself through the KnowledgeBase API.
    """
    with KnowledgeBase.open(db_path, activate_catalog=False) as kb:
        release = kb.release
        manifest = Manifest(
            content_version=release.content_version,
            reviewed=kb.version.reviewed,
            built=built or date.today(),
            expires=release.expires,
            kb_schema=kb.schema_version,
            min_program=release.min_program,
            content_hash=kb.version.content_hash,
            db_bytes=db_path.stat().st_size,
        )
    signature = key.sign(bytes.fromhex(file_digest(db_path)))
    comment = COMMENT_PREFIX + manifest.to_json()
    global_sig = key.sign(signature + comment.encode("utf-8"))
    header = MAGIC + (
        f"untrusted comment: kapdesk content pack, content version "
        f"{manifest.content_version}, key {key_id_text(key.key_id)}\n"
        + base64.b64encode(b"ED" + key.key_id + signature).decode()
        + "\n"
        + f"trusted comment: {comment}\n"
        + base64.b64encode(global_sig).decode()
        + "\n"
    ).encode("utf-8")
    if len(header) > HEADER_MAX:
        raise PackError("manifest: too long for a pack header")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".pack-", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle, open(db_path, "rb") as source:
            handle.write(header)
            shutil.copyfileobj(source, handle, CHUNK)
        os.replace(tmp_name, out)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return manifest


def build_pack(
    secret_key: Path,
    out: Path,
    *,
    resources_root: Path | None = None,
    today: date | None = None,
    password: Callable[[], str] | None = None,
) -> tuple[Manifest, PublicKey]:
    """Build the knowledge base from ``resources/`` and write it as a signed pack."""
    from kapdesk.content.kinds import compile_resources
    from kapdesk.kb.build import build

    today = today or date.today()
    key = read_secret_key(secret_key, password)
    content = compile_resources(resources_root)
    if content.release.expires <= today:
        raise PackError(
            f"expires: {content.release.expires.isoformat()} in release.toml is not after "
            f"today ({today.isoformat()}); set a later date"
        )
    with tempfile.TemporaryDirectory(prefix="kapdesk-pack-build-") as tmp:
        db_path = build(content, Path(tmp) / DB_NAME)
        manifest = sign_kb_file(db_path, key, out, built=today)
    known = trusted_keys().get(key.key_id)
    return manifest, known or key.public("")


@dataclass(frozen=True)
class Outcome:
    """What an install or rollback did, for the user."""

    message: str
    warnings: tuple[str, ...] = ()


def _describe(kb: KnowledgeBase) -> str:
    what = "content pack" if kb.origin == "pack" else "bundled content"
    return f"{what} version {kb.release.content_version}"


def install_pack(
    paths: AppPaths, pack: Path, *, today: date | None = None, resources_root: Path | None = None
) -> Outcome:
    """Verify ``pack`` and make it the active content; atomic, never touches the profile.

    The database is written into a new folder beside the installed ones, verified again
    from disk, and switched to by replacing the state file (one rename). A crash at any
    point leaves the old or the new content active.
    """
    today = today or date.today()
    header = read_header(pack)
    manifest = header.manifest
    name = f"PACK '{pack.name}'"
    paths.ensure()
    state = load_state(paths)
    with open_active_kb(paths, resources_root=resources_root) as active:
        active_version, active_text = active.release.content_version, _describe(active)
    expired = manifest.expired(today)
    note = f" (and it expired on {manifest.expires.isoformat()})" if expired else ""
    version = manifest.content_version
    withdrawn = state.withdrawn or {}
    reinstall = withdrawn.get("content_version") == version
    if state.active and state.active.manifest.content_version == version:
        raise PackError(f"{name}: content version {version} is already installed{note}")
    if version <= state.highest_installed and not reinstall:
        raise PackError(
            f"{name}: content version {version} is not newer than version "
            f"{state.highest_installed}, installed before{note}; older packs cannot be "
            "installed again (to go back use `kapdesk pack rollback`)"
        )
    if version <= active_version:
        raise PackError(
            f"{name}: content version {version} is not newer than the active {active_text}{note}"
        )
    folder = packs_dir(paths)
    folder.mkdir(parents=True, exist_ok=True)
    collect_garbage(paths, state)
    target = folder / f"v{version}-{secrets.token_hex(6)}"
    target.mkdir()
    db_path = target / DB_NAME
    digest = extract_database(header, db_path)
    if reinstall and digest != withdrawn.get("db_digest"):
        shutil.rmtree(target, ignore_errors=True)
        raise PackError(
            f"{name}: content version {version} differs from the pack of that version "
            "installed before; ask the publisher for a newer version"
        )
    atomic_write(target / SIG_NAME, header.minisig.encode("utf-8"))
    fsync_dir(target)
    # Verify again, from what is now on disk.
    if file_digest(db_path) != digest:
        shutil.rmtree(target, ignore_errors=True)
        raise DataError(f"{db_path}: the copied database differs from the pack (disk error?)")
    try:
        check_database(db_path, manifest, pack.name)
    except PackError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    installed = InstalledPack(target.name, manifest, digest, header.key.name)
    new_state = PackState(
        active=installed,
        previous=state.active,
        highest_installed=max(state.highest_installed, version),
        withdrawn=None,
    )
    write_state(paths, new_state)
    collect_garbage(paths, new_state)
    return Outcome(
        f"Installed content pack version {version} (reviewed {manifest.reviewed.isoformat()}, "
        f"expires {manifest.expires.isoformat()}); it replaces the {active_text}",
        _expiry_warnings(manifest, today),
    )


def rollback_pack(paths: AppPaths, *, resources_root: Path | None = None) -> Outcome:
    """Go back to the previous pack, or to the bundled content if none was kept."""
    state = load_state(paths)
    if state.active is None:
        raise PackError(
            "pack rollback: no content pack is installed; the bundled content is active"
        )
    previous = state.previous
    if previous is not None:
        path = packs_dir(paths) / previous.folder / DB_NAME
        try:
            ok = file_digest(path) == previous.db_digest
        except OSError:
            ok = False
        if not ok:
            raise DataError(f"{path}: the previous content pack is damaged; cannot go back to it")
    gone = state.active
    new_state = PackState(
        active=previous,
        previous=None,
        highest_installed=state.highest_installed,
        withdrawn={
            "content_version": gone.manifest.content_version,
            "db_digest": gone.db_digest,
        },
    )
    write_state(paths, new_state)
    collect_garbage(paths, new_state)
    with open_active_kb(paths, resources_root=resources_root) as active:
        now = _describe(active)
    return Outcome(
        f"Rolled back: content pack version {gone.manifest.content_version} removed; "
        f"active now: {now}"
    )


def pack_status(
    paths: AppPaths, *, today: date | None = None, resources_root: Path | None = None
) -> dict[str, Any]:
    """Active content (bundled or pack), the installed and previous packs, as a dict."""
    today = today or date.today()
    state = load_state(paths)

    def kb_info(kb: KnowledgeBase) -> dict[str, Any]:
        return {**kb.content_info(), "expired": kb.release.expired(today)}

    def pack_info(pack: InstalledPack | None) -> dict[str, Any] | None:
        if pack is None:
            return None
        m = pack.manifest
        return {
            "content_version": m.content_version,
            "reviewed": m.reviewed.isoformat(),
            "built": m.built.isoformat(),
            "expires": m.expires.isoformat(),
            "expired": m.expired(today),
            "key": pack.key,
            "intact": installed_digest_ok(paths, pack),
        }

    with open_active_kb(paths, resources_root=resources_root) as active:
        active_info = kb_info(active)
    bundled, _ = ensure_kb(paths, resources_root=resources_root)
    with bundled:
        bundled_info = kb_info(bundled)
    return {
        "active": active_info,
        "bundled": bundled_info,
        "installed_pack": pack_info(state.active),
        "previous_pack": pack_info(state.previous),
        "rollback_to": (
            "nothing"
            if state.active is None
            else f"content pack version {state.previous.manifest.content_version}"
            if state.previous
            else f"bundled content version {bundled_info['content_version']}"
        ),
        "highest_installed": state.highest_installed,
    }

"""Write a zip package member by member; untouched members are copied as their raw bytes, never recompressed.

zipfile has no public API for raw copies, so local records are written through the
writer's `fp` and their `ZipInfo` registered in `filelist`; `ZipFile.close()` then
writes the central directory, with ZIP64 records where sizes or offsets need them.
"""

from __future__ import annotations

import copy
import io
import os
import struct
import types
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from sheetsync.stores.xlsx.xmlparts import corrupt

ISAL: types.ModuleType | None = None
"""Intel's ISA-L (python-isal): the same raw deflate streams 3-6x faster than zlib at the same ratio, and inflated ~3x
faster (`package.part_chunks`); None on a platform without its wheel (zlib writes and reads the same format)."""
try:
    from isal import isal_zlib

    ISAL = isal_zlib
except ImportError:
    pass
_zlib: types.ModuleType = ISAL or zlib
_MAX_LEVEL: int = zlib.Z_BEST_COMPRESSION if ISAL is None else ISAL.ISAL_BEST_COMPRESSION

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_HAS_DESCRIPTOR = 0x08
_ZIP64_EXTRA = 0x0001
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class NewMember:
    """A rewritten member: `data` holds its raw deflate stream from position 0."""

    data: BinaryIO
    crc: int
    size: int
    compressed_size: int


class Deflater:
    """Deflate a part into `out` as it is produced (raw deflate, as zip stores it).

    A million-row import deflates ~900 MB of sheet XML: zlib's level 1 took 2.5 s of a core alone (4.6 s
    beside the journal's thread), ISA-L's level 1 0.7 s for a part as small.  `level` is zlib's scale,
    capped at ISA-L's highest (3)."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        self._out = out
        self._start = out.tell()
        self._compressor = _zlib.compressobj(min(level, _MAX_LEVEL), _zlib.DEFLATED, -15)
        self._crc = 0
        self._size = 0

    def write(self, data: bytes) -> None:
        self._crc = _zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out.write(self._compressor.compress(data))

    def finish(self) -> NewMember:
        self._out.write(self._compressor.flush())
        end = self._out.tell()
        self._out.seek(self._start)
        return NewMember(self._out, self._crc, self._size, end - self._start)


def deflate(data: bytes, level: int) -> NewMember:
    """A small part, deflated in memory."""
    deflater = Deflater(io.BytesIO(), level)
    deflater.write(data)
    return deflater.finish()


def write_package(
    src: BinaryIO,
    members: Sequence[zipfile.ZipInfo],
    new: Mapping[str, NewMember],
    dst: BinaryIO | Path,
    *,
    comment: bytes,
    where: str,
) -> None:
    """Write `members` in order to `dst`: those named in `new` with their new content, the rest raw from `src`."""
    with zipfile.ZipFile(dst, "w") as out:
        fp = out.fp
        assert fp is not None
        for info in members:
            offset = fp.tell()
            if info.filename in new:
                record = _write_new(fp, info, new[info.filename])
            else:
                record = copy.copy(info)
                record.extra = _strip_zip64(info.extra)
                _copy(src, info.header_offset, _record_length(src, info, where), fp)
            record.header_offset = offset
            out.filelist.append(record)
            out.NameToInfo[record.filename] = record
            out.start_dir = fp.tell()
        out.comment = comment


def _write_new(fp: IO[bytes], original: zipfile.ZipInfo, member: NewMember) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(original.filename, original.date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = original.create_system
    info.external_attr = original.external_attr
    info.comment = original.comment
    info.CRC, info.file_size, info.compress_size = member.crc, member.size, member.compressed_size
    fp.write(info.FileHeader())
    if not _copy_in_kernel(member.data, member.compressed_size, fp):
        _copy(member.data, 0, member.compressed_size, fp)
    return info


def _copy_in_kernel(src: IO[bytes], length: int, dst: IO[bytes]) -> bool:
    """Copy `length` bytes from the start of the file `src` to `dst`'s position by `os.copy_file_range`
    (Linux): the kernel moves them, not Python's reads and writes (the deflated sheet of a million-row
    import is ~100 MB: 0.65 s through Python).  False, with nothing written, where it cannot."""
    if not hasattr(os, "copy_file_range"):
        return False
    try:
        source, target = src.fileno(), dst.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):  # a BytesIO, or not a file of the system's
        return False
    dst.flush()
    start = dst.tell()
    done = 0
    try:
        while done < length:
            moved = os.copy_file_range(source, target, length - done, done, start + done)
            if moved == 0:
                raise EOFError("zip member is truncated")
            done += moved
    except OSError:  # file systems or kernels that refuse it (EXDEV, ENOSYS, EINVAL...): copied by Python
        if done:
            dst.seek(start)
            dst.truncate()
        return False
    dst.seek(start + length)
    return True


def _record_length(src: BinaryIO, info: zipfile.ZipInfo, where: str) -> int:
    src.seek(info.header_offset)
    header = src.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise corrupt(where, f"member {info.filename} has no local header")
    fields = _LOCAL_HEADER.unpack(header)
    flags, name_length, extra_length = fields[2], fields[9], fields[10]
    src.seek(name_length, io.SEEK_CUR)
    zip64 = _has_zip64(src.read(extra_length))
    length = _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
    if flags & _HAS_DESCRIPTOR:
        src.seek(info.header_offset + length)
        signed = src.read(4) == _DESCRIPTOR_SIGNATURE
        length += 4 * signed + 4 + (16 if zip64 else 8)
    return length


def _copy(src: IO[bytes], offset: int, length: int, dst: IO[bytes]) -> None:
    src.seek(offset)
    while length > 0:
        block = src.read(min(length, _CHUNK))
        if not block:
            raise EOFError("zip member is truncated")
        dst.write(block)
        length -= len(block)


def _extra_fields(extra: bytes) -> list[tuple[int, bytes]]:
    fields, pos = [], 0
    while pos + 4 <= len(extra):
        key, size = struct.unpack_from("<HH", extra, pos)
        fields.append((key, extra[pos : pos + 4 + size]))
        pos += 4 + size
    return fields


def _has_zip64(extra: bytes) -> bool:
    return any(key == _ZIP64_EXTRA for key, _ in _extra_fields(extra))


def _strip_zip64(extra: bytes) -> bytes:
    """The central-directory extra field without its ZIP64 record; zipfile writes a fresh one when needed."""
    return b"".join(field for key, field in _extra_fields(extra) if key != _ZIP64_EXTRA)

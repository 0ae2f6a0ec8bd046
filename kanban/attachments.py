"""What a file attached to a card may be, and how an upload is read.

The rules, each once: the largest file (``ATTACHMENT_MAX_BYTES``, counted while the
upload arrives by ``SizeLimitHandler``, so a large file is never read whole), the kinds
allowed (told by the content, never by the name: ``kind_of``), and the name kept (no
path, no control or direction characters, readable Chinese, short enough for the
column: ``clean_name``). The organisation's quota is checked under a lock by
``kanban.services.attachment_add``, which stores the file under a random key
(``storage_key``), never under the name the person gave it.
"""

from __future__ import annotations

import codecs
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from opsboard.compression import UNCOMPRESSED

# As long as the name column (Attachment.name); a longer name is cut before its extension.
NAME_MAX_LENGTH = 200
# How much of a file the type is told from (filetype reads at most this much).
HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a name without any of them gets
    # A raster image a browser may show in the page. Nothing else is ever sent inline:
    # not SVG, not HTML, not PDF (their scripts would run with the site's cookies).
    image: bool = False


_KINDS = [
    FileKind("image/png", (".png",), image=True),
    FileKind("image/jpeg", (".jpg", ".jpeg", ".jfif"), image=True),
    FileKind("image/gif", (".gif",), image=True),
    FileKind("image/webp", (".webp",), image=True),
    FileKind("application/pdf", (".pdf",)),
    FileKind("application/msword", (".doc",)),
    FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    FileKind("application/vnd.ms-excel", (".xls",)),
    FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    FileKind("application/vnd.ms-powerpoint", (".ppt",)),
    FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
    ),
    FileKind("application/vnd.oasis.opendocument.text", (".odt",)),
    FileKind("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    FileKind("application/vnd.oasis.opendocument.presentation", (".odp",)),
    FileKind("application/zip", (".zip",)),
    FileKind("text/csv", (".csv", ".tsv")),
    FileKind("text/plain", (".txt", ".md", ".log")),
]
KINDS = {kind.content_type: kind for kind in _KINDS}
TEXT_KINDS = [KINDS["text/csv"], KINDS["text/plain"]]


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def quota_bytes() -> int:
    return settings.ATTACHMENT_QUOTA_BYTES


def too_large_message(name: str) -> str:
    return _("“%(name)s” is larger than %(limit)s, the most a file may be.") % {
        "name": name,
        "limit": filesizeformat(max_bytes()),
    }


def check_size(name: str, size: int) -> None:
    """Refuse an empty file, or one over the per-file limit."""
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > max_bytes():
        raise ValidationError(too_large_message(name), code="too_large")


def quota_message(*, used: int, size: int, name: str) -> str:
    return _(
        "“%(name)s” (%(size)s) does not fit: this organisation's files take %(used)s "
        "of its %(quota)s. Remove files it no longer needs, or ask an ops manager."
    ) % {
        "name": name,
        "size": filesizeformat(size),
        "used": filesizeformat(used),
        "quota": filesizeformat(quota_bytes()),
    }


# Characters Windows and macOS refuse in a name; they become "_" so a download saves as given.
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """The name to keep for an uploaded file: the last part of any path (``/`` or ``\\``),
    without control, format (right-to-left override) or unassigned characters, spaces
    collapsed, no leading dots, at most NAME_MAX_LENGTH characters with its extension
    kept. Chinese and other letters stay as they are (NFC)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip().lstrip(".").strip()
    if not name:
        name = _("file")
    if len(name) > NAME_MAX_LENGTH:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        name = name[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
    return name


def named_for(name: str, kind: FileKind) -> str:
    """``name`` ending with one of the kind's extensions: a PNG named ``x.exe`` is kept as
    ``x.exe.png``, so what a download saves is what it is."""
    if PurePosixPath(name).suffix.lower() in kind.extensions:
        return name
    return clean_name(name + kind.extensions[0])


def _is_text(file: IO[bytes]) -> bool:
    """Whether the whole file reads as text: UTF-8 (with or without a BOM), UTF-16 with a
    BOM, or GB18030 (a Chinese Excel's CSV), with no NUL byte outside UTF-16. Read in
    chunks: a 25 MB file is never in memory whole."""
    file.seek(0)
    head = file.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoders = [codecs.getincrementaldecoder("utf-16")()]
        allow_nul = True
    else:
        decoders = [codecs.getincrementaldecoder(e)() for e in ("utf-8-sig", "gb18030")]
        allow_nul = False
    file.seek(0)
    while chunk := file.read(64 * 1024):
        if not allow_nul and b"\x00" in chunk:
            return False
        for decoder in list(decoders):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                decoders.remove(decoder)
        if not decoders:
            return False
    for decoder in list(decoders):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            decoders.remove(decoder)
    return bool(decoders)


def kind_of(file: IO[bytes], name: str) -> FileKind:
    """The kind of an uploaded file, told from its content (its magic bytes; text by
    reading it all), or ValidationError when it is none the product keeps. The name only
    chooses between text kinds (a CSV or a note) and refuses text of other kinds
    (HTML, SVG, scripts), which browsers would run."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    guessed = filetype.guess(head)
    if guessed is not None:
        kind = KINDS.get(guessed.mime)
        if kind is None:
            raise ValidationError(
                _(
                    "“%(name)s” is a kind of file that cannot be attached (%(type)s). "
                    "Attach images, PDFs, office documents, text or CSV files, or zip archives."
                )
                % {"name": name, "type": guessed.mime},
                code="type",
            )
        return kind
    suffix = PurePosixPath(name).suffix.lower()
    text_kind = next((k for k in TEXT_KINDS if suffix in k.extensions), None)
    if text_kind is not None and _is_text(file):
        file.seek(0)
        return text_kind
    file.seek(0)
    raise ValidationError(
        _(
            "“%(name)s” is not a kind of file that can be attached. "
            "Attach images, PDFs, office documents, text or CSV files, or zip archives."
        )
        % {"name": name},
        code="type",
    )


def image_size(file: IO[bytes], name: str) -> tuple[int, int]:
    """An image's width and height, from its header (nothing is decoded); ValidationError
    when it does not open as an image or is absurdly large (a decompression bomb)."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            size = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise ValidationError(
            _("“%(name)s” could not be read as an image.") % {"name": name}, code="image"
        ) from None
    finally:
        file.seek(0)
    return size


# Images are shown on the card at most this wide or high (twice the CSS size, for sharp
# screens); a larger one, or a heavy one, gets a preview of that size, made at upload.
PREVIEW_SIDE = 640
PREVIEW_FROM_BYTES = 256 * 1024
# Beyond this many pixels no preview is decoded (the memory it takes); the file itself is
# shown, as the browser scales it.
PREVIEW_MAX_PIXELS = 40_000_000


def preview_of(
    file: IO[bytes], kind: FileKind, *, width: int, height: int, nbytes: int
) -> ContentFile | None:
    """A WebP of the image at most PREVIEW_SIDE wide and high, turned as its EXIF says,
    for the page to show instead of a large or heavy original; None when the original
    serves (small already, a GIF that may move, too many pixels, or it will not decode)."""
    small = max(width, height) <= PREVIEW_SIDE and nbytes < PREVIEW_FROM_BYTES
    if small or kind.content_type == "image/gif" or width * height > PREVIEW_MAX_PIXELS:
        return None
    out = io.BytesIO()
    try:
        with Image.open(file) as image:
            image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))  # JPEG: decode at a fraction
            shown = ImageOps.exif_transpose(image)
            if shown.mode not in ("RGB", "RGBA"):
                shown = shown.convert("RGBA" if "A" in shown.getbands() else "RGB")
            shown.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
            shown.save(out, "WEBP", quality=82, method=4)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    return ContentFile(out.getvalue())


def storage_key(organization_id: int) -> str:
    """Where a file is stored: under its organisation, by a random name nobody can guess
    (never the name the person gave it)."""
    return f"attachments/{organization_id}/{secrets.token_urlsafe(24)}"


class SizeLimitHandler(FileUploadHandler):
    """Counts each uploaded file's bytes as they arrive and drops a file the moment it
    passes ATTACHMENT_MAX_BYTES: the rest of it is read and thrown away, never stored or
    held. The view then says which files were too large (``too_large``).

    Installed ahead of Django's own handlers (``limit_uploads``), which keep files over
    FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file rather than in memory."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = max_bytes()
        self.too_large: list[str] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large.append(clean_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request: HttpRequest) -> SizeLimitHandler:
    """Put the size limit in front of the request's upload handlers. Call it before anything
    reads ``request.POST`` or ``request.FILES`` (the view is ``csrf_exempt`` and checks the
    token itself afterwards, as Django's docs on upload handlers say)."""
    handler = SizeLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


# A stored file never changes under its id: the reader's browser may keep it, nobody else.
CACHE_SECONDS = 24 * 60 * 60
# What a file's answer may do if a browser were to render it anyway: nothing.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_response(*, file: FieldFile, name: str, content_type: str, inline: bool) -> FileResponse:
    """A stored file streamed to the reader: a download under the name it was given (RFC
    5987 ``filename*`` for names that are not ASCII, such as Chinese ones), or, with
    ``inline``, shown in the page (callers pass it for raster images only). The browser
    is told not to guess the type and to run nothing in it."""
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=name, content_type=content_type
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    # Images, PDFs, office files and archives are compressed already; and gzip would drop
    # the length the browser shows progress by.
    setattr(response, UNCOMPRESSED, True)
    return response

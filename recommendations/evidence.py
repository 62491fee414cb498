"""Evidence files on progress updates: the one way a file gets in, and the one rule for who reads one.

- **Getting in.** Every upload goes through `store_evidence`: it checks the file (`check_upload`:
  not empty, not over `EVIDENCE_MAX_BYTES`, a PDF, Word, Excel, PowerPoint, image or CSV file by its
  content, with a name ending as its content says), then stores it through Django's storage API
  under a random name (`models.evidence_file_path`). The name people see is the one it was uploaded
  with, made safe (`safe_name`). `save_update_with_evidence` saves an update and its files in one
  transaction and leaves no file in storage when anything fails.
- **Reading.** A public file of a published update is anyone's; every other file only the update's
  council's members' (any role) and administrators'. `can_read_evidence` asks it of one file and
  `readable_files` is its queryset twin, which the file view and every list of files use.
"""

import codecs
import logging
import pathlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.db.models import Prefetch, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import EvidenceFile
from .permissions import council_of, is_admin, member_council_ids, sees_drafts_of

logger = logging.getLogger(__name__)

MB = 1024 * 1024
NAME_MAX_CHARACTERS = 100  # of the name shown, its extension included
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of file the tracker takes: what to call it, its MIME type and the name endings it may have."""

    label: str
    content_type: str
    extensions: tuple


PDF = Kind("PDF", "application/pdf", (".pdf",))
DOC = Kind("Word document", "application/msword", (".doc",))
DOCX = Kind("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLS = Kind("Excel spreadsheet", "application/vnd.ms-excel", (".xls",))
XLSX = Kind("Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPT = Kind("PowerPoint presentation", "application/vnd.ms-powerpoint", (".ppt",))
PPTX = Kind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
PNG = Kind("PNG image", "image/png", (".png",))
JPEG = Kind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = Kind("GIF image", "image/gif", (".gif",))
WEBP = Kind("WebP image", "image/webp", (".webp",))
CSV = Kind("CSV file", "text/csv", (".csv",))
KINDS = (PDF, DOC, DOCX, XLS, XLSX, PPT, PPTX, PNG, JPEG, GIF, WEBP, CSV)
BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}
# For the file input's `accept`: what the browser's file chooser offers first.
ACCEPT = ",".join(BY_EXTENSION)

WRONG_TYPE = "The selected file must be a PDF, Word, Excel, PowerPoint, image or CSV file"
EMPTY = "The selected file is empty"

# Magic numbers at the start of a file (offset 0), and what each says the file is.
SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Microsoft's compound file: .doc, .xls, .ppt
# An Office Open XML package (a zip) names its [Content_Types] and the main part's folder.
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
# A compound file's streams are named in its directory (UTF-16): the one holding the document says
# which program's it is. A password-protected .docx, .xlsx or .pptx is a compound file too.
OLE2_STREAMS = (
    ("WordDocument", (DOC,)),
    ("Workbook", (XLS,)),
    ("Book", (XLS,)),
    ("PowerPoint Document", (PPT,)),
    ("EncryptedPackage", (DOCX, XLSX, PPTX)),
)


def max_bytes():
    return settings.EVIDENCE_MAX_BYTES


def size_text(size):
    """'20 MB', '1.5 MB', '500 KB': the limit as people read it."""
    if size >= MB:
        return f"{size / MB:.3g} MB"
    return f"{max(size // 1024, 1)} KB"


def too_big_message():
    return f"The selected file must be smaller than {size_text(max_bytes())}"


def type_label(content_type):
    """'PDF', 'Word document', ...: how a stored file's type is shown."""
    kind = BY_CONTENT_TYPE.get(content_type)
    return kind.label if kind else "File"


# The name shown -----------------------------------------------------------------------------------

# Characters Windows and browsers refuse in a file name (and the path separators).
UNSAFE_CHARACTERS = re.compile(r'[<>:"/\\|?*]')


def safe_name(original):
    """The name a file was uploaded with, made safe to show and to offer as a download's name: its
    last path part only (whichever way the slashes lean), no control or invisible formatting
    characters (such as right-to-left overrides), none of <>:"/\\|?*, spaces collapsed, no leading
    or trailing dots, its extension in lower case, at most NAME_MAX_CHARACTERS long with the
    extension kept."""
    name = unicodedata.normalize("NFC", str(original or ""))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(UNSAFE_CHARACTERS.sub("", name).split()).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    extension = f".{extension.lower()}" if dot and extension else ""
    if not dot or len(extension) > 10:  # no extension, or none the tracker knows: all of it is the name
        stem, extension = name, ""
    stem = stem.strip(" .")
    stem = stem[: NAME_MAX_CHARACTERS - len(extension)].rstrip(" .") or "evidence"
    return stem + extension


def extension_of(name):
    return pathlib.PurePosixPath(name).suffix.lower()


# What a file is, by its content ------------------------------------------------------------------


def _read_head(upload, size=SNIFF_BYTES):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _ooxml_kinds(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()  # the central directory only: nothing is decompressed
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return set()
    return {kind for folder, kind in OOXML_FOLDERS.items() if any(name.startswith(folder) for name in names)}


def _contains_any(upload, needles):
    """Which of `needles` (bytes) occur in the file, read in chunks."""
    overlap = max(len(needle) for needle in needles) - 1
    found, tail = set(), b""
    upload.seek(0)
    for chunk in upload.chunks():
        window = tail + chunk
        found |= {needle for needle in needles if needle in window}
        tail = window[-overlap:]
    upload.seek(0)
    return found


def _ole2_kinds(upload):
    streams = {name.encode("utf-16-le"): kinds for name, kinds in OLE2_STREAMS}
    return {kind for needle in _contains_any(upload, list(streams)) for kind in streams[needle]}


def _is_utf8_text(upload):
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def content_kinds(upload, claimed=None):
    """The kinds the file's content says it is: a set, empty when it is none the tracker takes.
    Only a file that claims to be CSV (by its name) is read as text: any UTF-8 text without NUL
    bytes is a CSV file's content, so nothing else is taken for one."""
    head = _read_head(upload)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return {kind}
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return {WEBP}
    if head.startswith(ZIP):
        return _ooxml_kinds(upload)
    if head.startswith(OLE2):
        return _ole2_kinds(upload)
    if claimed == CSV and _is_utf8_text(upload):
        return {CSV}
    return set()


@dataclass(frozen=True)
class Checked:
    name: str
    kind: Kind
    size: int


def check_upload(upload):
    """Is `upload` (a Django UploadedFile) a file the tracker takes? Returns its safe name, kind and
    size, or raises ValidationError saying what is wrong with it."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(EMPTY, code="empty")
    if size > max_bytes():
        raise ValidationError(too_big_message(), code="too_big")
    name = safe_name(upload.name)
    claimed = BY_EXTENSION.get(extension_of(name))
    found = content_kinds(upload, claimed)
    if claimed is not None and claimed in found:
        return Checked(name=name, kind=claimed, size=size)
    if len(found) == 1:  # a file the tracker takes, under the wrong name: say how to put it right
        (kind,) = found
        endings = " or ".join(kind.extensions)
        article = "an" if kind.label[0] in "AEIOU" else "a"
        raise ValidationError(
            f"The selected file is {article} {kind.label} but its name does not end in {endings}: "
            "rename it and select it again",
            code="wrong_extension",
        )
    raise ValidationError(WRONG_TYPE, code="wrong_type")


# Storing -----------------------------------------------------------------------------------------


def store_evidence(update, upload, *, public, by):
    """Check `upload` and attach it to `update` as an evidence file: the one way a file is added.

    Virus scanning would plug in here: scan the file after check_upload and, if it is infected,
    raise a ValidationError before it is stored.

    The file is written to storage before its row is saved; if the row cannot be saved the file is
    deleted again. Call it inside `save_update_with_evidence` (or a block that deletes what it stored
    when the transaction fails): storage knows nothing of database transactions."""
    checked = check_upload(upload)
    evidence = EvidenceFile(
        update=update,
        name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        public=bool(public),
        uploaded_by=by,
    )
    evidence.full_clean(exclude=["file"])
    upload.seek(0)
    evidence.file.save(checked.name, upload, save=False)
    try:
        evidence.save()
    except BaseException:
        evidence.file.delete(save=False)
        raise
    return evidence


def save_update_with_evidence(save_update, uploads, *, by):
    """Run `save_update()` (which saves and returns a progress update) and store `uploads`, a list of
    (uploaded file, public?), as its evidence files, in one transaction. If anything fails, nothing
    is saved and every file stored so far is deleted from storage, then the error is raised."""
    stored = []
    try:
        with transaction.atomic():
            update = save_update()
            for upload, public in uploads:
                stored.append(store_evidence(update, upload, public=public, by=by).file.name)
    except BaseException:
        for name in stored:
            _delete_stored(name)
        raise
    return update


def _delete_stored(name):
    from django.core.files.storage import default_storage

    try:
        default_storage.delete(name)
    except Exception:  # a file that cannot be deleted must not hide why the save failed
        logger.exception("Could not delete the stored evidence file %s", name)


@receiver(post_delete, sender=EvidenceFile, dispatch_uid="evidence_file_deleted")
def delete_stored_file(sender, instance, **kwargs):
    """A deleted evidence file (or one deleted with its update) leaves storage once the deletion is committed."""
    if instance.file.name:
        name = instance.file.name
        transaction.on_commit(lambda: _delete_stored(name))


# Reading -----------------------------------------------------------------------------------------

PUBLISHED_PUBLIC = Q(public=True, update__published=True)


def can_read_evidence(user, evidence):
    """May `user` download `evidence`? A public file once its update is published: anyone. Any other
    file: members of the update's council (any role) and administrators."""
    if evidence.public and evidence.update.published:
        return True
    return sees_drafts_of(user, council_of(evidence.update))


def readable_files(user, files=None):
    """The evidence files `user` may download: the queryset twin of can_read_evidence."""
    files = EvidenceFile.objects.all() if files is None else files
    if is_admin(user):
        return files
    councils = member_council_ids(user)
    if not councils:
        return files.filter(PUBLISHED_PUBLIC)
    return files.filter(PUBLISHED_PUBLIC | Q(update__action__recommendation__challenge__council_id__in=councils))


def with_readable_files(updates, user):
    """The progress updates, each with `readable_evidence_files`: the files `user` may download, in
    the order they were uploaded, fetched for all the updates in one query."""
    return updates.prefetch_related(
        Prefetch(
            "evidence_files",
            queryset=readable_files(user).order_by("uploaded_at", "pk"),
            to_attr="readable_evidence_files",
        )
    )


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file upload handler that stops writing a file to disk once it is larger than
    any file the tracker takes (EVIDENCE_MAX_BYTES). Its size is still counted, so the form says it
    is too big, but a huge upload never fills the server's disk."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) <= max_bytes():
            self.file.write(raw_data)

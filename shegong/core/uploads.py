"""Checking an uploaded evidence file, photo or attachment before it is stored (evaluations, inspections).

A file is recognised by its first bytes, not by its name or the browser's word, so a renamed program or web page is
refused; its size is bounded by settings.EVIDENCE_MAX_BYTES. Stored files are never served publicly: each app
downloads them through a view that checks the viewer's scope.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ZIP = (b"PK\x03\x04",)  # docx, xlsx
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc, xls
# extension: (content type, the first bytes it may start with): what a phone or an office produces.
FILE_TYPES = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
}
ACCEPT = ",".join(f".{extension}" for extension in FILE_TYPES)  # for <input type="file" accept=…>


def validate_upload(upload) -> tuple[str, str]:
    """(clean file name, content type) of an uploaded file, or a ValidationError saying what is wrong with it."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES:
        raise ValidationError(
            _("文件“%(name)s”的类型不受支持：只接受 JPG、PNG 照片和 PDF、Word、Excel 文件。") % {"name": name},
            code="file_type",
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)s。") % {"name": name, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            code="file_size",
        )
    if upload.size == 0:
        raise ValidationError(_("文件“%(name)s”是空的。") % {"name": name}, code="file_empty")
    content_type, signatures = FILE_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符，请上传原始文件。") % {"name": name}, code="file_content"
        )
    return name, content_type


def help_text() -> str:
    """What an upload field accepts, with the limit in force (for the fields' help text)."""
    return _("JPG、PNG、PDF、Word、Excel，每个不超过 %(limit)s") % {
        "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)
    }

"""Evidence files, downloaded: the only way a stored file leaves the tracker (there is no public
media URL). Who may download which is recommendations.evidence's rule."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views import View

from .evidence import readable_files

logger = logging.getLogger(__name__)


class EvidenceFileView(View):
    """One evidence file, as a download under the name it was uploaded with. A file the reader may
    not download is not found (404), whoever asks: its existence is not given away."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, pk):
        evidence = get_object_or_404(readable_files(request.user).select_related("update"), pk=pk)
        try:
            stored = evidence.file.storage.open(evidence.file.name, "rb")
        except FileNotFoundError:
            logger.error("Evidence file %s is missing from storage (%s)", evidence.pk, evidence.file.name)
            raise Http404("No such file") from None
        response = FileResponse(stored, as_attachment=True, filename=evidence.name, content_type=evidence.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        if not (evidence.public and evidence.update.published):
            response["Cache-Control"] = "private, no-store"
        return response

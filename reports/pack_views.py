"""The progress-review pack's downloads: Word and PDF, made from the same data (reports.pack).

Coordinators of the challenge's council (and administrators) make it, as they make committee
reports; its content is public information only, whoever downloads it. Anyone else signed in is
refused (403); the public are sent to sign in. The PDF is rendered in the request for now.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from recommendations.models import PeerChallenge

from .pack import pack_data
from .pack_docx import pack_docx
from .pdf import html_to_pdf, stylesheet

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PACK_STYLESHEET = "reports/pack-pdf.css"


class PackMixin(PermissionRequiredMixin):
    permission_required = "reports.make_pack"

    def get_permission_object(self):
        if not hasattr(self, "challenge"):
            self.challenge = get_object_or_404(
                PeerChallenge.objects.select_related("council"), slug=self.kwargs["slug"]
            )
        return self.challenge

    def get_pack(self):
        return pack_data(self.get_permission_object(), site_url=self.request.build_absolute_uri("/"))

    @staticmethod
    def download(content, content_type, filename):
        """A download (never shown in the browser) named after the challenge's slug and the date:
        letters, digits and hyphens only, so the header needs no quoting rules."""
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class PackDocxView(PackMixin, View):
    def get(self, request, slug):
        pack = self.get_pack()
        return self.download(pack_docx(pack), DOCX_TYPE, pack.filename("docx"))


class PackPdfView(PackMixin, View):
    def get(self, request, slug):
        pack = self.get_pack()
        html = render_to_string("reports/pack_pdf.html", {"pack": pack}, request=request)
        pdf = html_to_pdf(
            html, base_url=request.build_absolute_uri("/"), css=[stylesheet(), stylesheet(PACK_STYLESHEET)]
        )
        return self.download(pdf, "application/pdf", pack.filename("pdf"))

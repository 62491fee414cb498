"""The progress-review pack's downloads: Word and PDF, made from the same data (reports.pack).

Coordinators of the challenge's council (and administrators) make it, as they make committee
reports; its content is public information only, whoever downloads it. Anyone else signed in is
refused (403); the public are sent to sign in. The Word document is made in the request (python-docx
takes tens of milliseconds); the PDF (WeasyPrint, seconds) is made in the background, one per
challenge and day (reports.prepared), with a page saying it is being prepared until it is ready.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from recommendations.models import PeerChallenge

from .pack import pack_data
from .pack_docx import pack_docx
from .prepared import pack_pdf
from .views import pdf_not_ready, report_crumbs

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
        challenge = self.get_permission_object()
        day = timezone.localdate()
        pdf, prepared = pack_pdf(
            challenge, day=day, base_url=request.build_absolute_uri("/"), retry="retry" in request.GET
        )
        if pdf is None:
            reports_url = reverse("reports:report-list", args=[challenge.slug])
            return pdf_not_ready(
                request,
                prepared,
                what="the progress review pack",
                caption=f"{challenge.council.name}: {challenge.title}",
                pdf_url=reverse("reports:pack-pdf", args=[challenge.slug]),
                back_url=f"{reports_url}#pack",
                back_label="Go back to committee reports",
                crumbs=[*report_crumbs(challenge), ("Progress review pack", None)],
            )
        return self.download(pdf, "application/pdf", f"{challenge.slug}-progress-review-pack-{day:%Y-%m-%d}.pdf")

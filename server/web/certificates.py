"""Certificates on the web (Art. 6(5)): `/verify/{number}`, the public page that confirms who
received what and when (or that it was revoked), and `/certificates/{number}.pdf`, the
printed certificate for its holders and the project group. Both ask the API as the visitor:
who may print one is the API's `certificateUrl`, null for anyone else."""

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.recognition.certificate import Certified, certificate_pdf
from server.vocabulary import Prize, RecognitionKind
from server.web import sessions
from server.web.execution import PageFailed
from server.web.rendering import render

if TYPE_CHECKING:
    from server.web.routes import Pages

# A number is `GX-<year>-<sequence>`: anything longer names none.
NUMBER_CHARACTERS = 32


class CertificatePages:
    def __init__(self, pages: "Pages") -> None:
        self.pages = pages

    async def _certificate(self, request: Request) -> tuple[dict[str, Any] | None, Any]:
        number = request.path_params["number"]
        if len(number) > NUMBER_CHARACTERS:
            return None, None
        answer = await self.pages.run("public/certificate", request, {"number": number})
        if answer.errors or answer.data is None:
            raise PageFailed(answer)
        return answer.data["certificate"], answer

    async def verify(self, request: Request) -> Response:
        certificate, answer = await self._certificate(request)
        if certificate is None:
            return self.pages.not_found(request)
        return render(request, self.pages.settings, "public/verify.html", answer=answer)

    async def pdf(self, request: Request) -> Response:
        certificate, _ = await self._certificate(request)
        if certificate is None:
            return self.pages.not_found(request)
        if sessions.session_token(request) is None:
            back = quote(request.url.path, safe="/")
            return RedirectResponse(f"/login?next={back}", status_code=303)
        if certificate["certificateUrl"] is None:
            return render(
                request,
                self.pages.settings,
                "public/certificate_forbidden.html",
                403,
                certificate=certificate,
            )
        if certificate["revokedAt"] is not None:
            # A revoked certificate is not printed again: its page says it was revoked.
            return RedirectResponse(f"/verify/{quote(certificate['number'])}", status_code=303)
        printed = certificate_pdf(
            self.pages.settings,
            Certified(
                number=certificate["number"],
                kind=RecognitionKind(certificate["kind"]),
                year=certificate["year"],
                holder_name=certificate["holderName"],
                granted_on=dt.date.fromisoformat(certificate["grantedOn"]),
                prize=Prize(certificate["prize"]) if certificate["prize"] else None,
                citation=certificate["citation"],
            ),
        )
        return Response(
            printed,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{certificate["number"]}.pdf"',
                "Cache-Control": "private, no-store",
            },
        )

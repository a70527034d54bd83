"""The PDF documents of an order as HTTP responses (staff and member views)."""

from django.http import HttpResponse


def _pdf(content: bytes, *, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def invoice_response(order, *, download: bool = False) -> HttpResponse:
    # Imported here: WeasyPrint adds ~20 MB and ~1 s to every process that loads it,
    # and most web processes never render a document.
    from .services.invoice import invoice_render_pdf

    return _pdf(
        invoice_render_pdf(order=order),
        filename=f"invoice-{order.number}.pdf",
        download=download,
    )


def credit_note_response(refund, *, download: bool = False) -> HttpResponse:
    from .services.invoice import credit_note_render_pdf

    return _pdf(
        credit_note_render_pdf(refund=refund),
        filename=f"credit-note-{refund.number}.pdf",
        download=download,
    )

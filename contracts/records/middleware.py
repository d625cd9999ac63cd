"""A page of a disposed agreement leads to what is left of it: its records page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from contracts.access import AgreementDisposed


class DisposedAgreementPage:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AgreementDisposed) or request.method != "GET":
            return None
        return HttpResponseRedirect(
            reverse("contracts:agreement-records", args=[exception.agreement.pk])
        )

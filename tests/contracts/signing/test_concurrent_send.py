import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import AgreementStatus
from tests.conftest import make_agreement
from tests.html_forms import form_data


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_sending_from_four_tabs_at_once_freezes_one_version(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = reverse("contracts:agreement-send", args=[agreement.pk])
    browsers = [HttpClient() for _ in range(4)]
    pages = []
    for browser in browsers:
        browser.force_login(coach)
        pages.append(form_data(browser.get(url).content.decode()))
    start = threading.Barrier(4, timeout=30)

    def send(number: int) -> int:
        try:
            start.wait()
            return browsers[number].post(url, pages[number]).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, range(4)))

    assert statuses == [302] * 4, "each tab is told what happened"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SENT
    assert agreement.versions.count() == 1

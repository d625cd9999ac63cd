"""The axe-core check itself: it runs inside the app's CSP, which stays in force, and it
reports what it finds in words a developer can act on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error, Page
from pytest_django.live_server_helper import LiveServer

from tests.e2e.axe import (
    app_csp,
    assert_no_axe_violations,
    axe_script,
    axe_violations,
    install_axe,
)

pytestmark = pytest.mark.e2e


def test_axe_runs_inside_the_apps_csp_which_still_refuses_inline_script(
    live_server: LiveServer, page: Page
) -> None:
    response = page.goto(live_server.url + "/accounts/login/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert policy == app_csp()
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy

    version = install_axe(page)
    assert axe_script().parent.name == f"axe-core-{version}"
    assert axe_violations(page) == []

    with pytest.raises(Error):
        page.add_script_tag(content="window.inlineScriptRan = true;")
    assert page.evaluate("() => window.inlineScriptRan") is None


def test_a_violation_is_reported_with_its_rule_impact_element_and_help(
    live_server: LiveServer, page: Page
) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML(
            'beforeend', '<img id="unnamed-logo" src="/static/img/logo.svg">')"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    report = str(failure.value)
    assert "image-alt (critical): Images must have alternative text" in report
    assert "#unnamed-logo" in report

"""The PDF renderer may read the app's own static files and data: URLs, nothing else."""

import base64
import ssl
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from coaching.models import User
from contracts.documents.pdf import STATIC_DIR, StaticOnlyFetcher, pdf_html, write_pdf
from contracts.models import PdfKind
from tests.contracts.documents.helpers import signed_agreement

FONT = STATIC_DIR / "vendor" / "source-sans-3.52.0" / "SourceSans3-Regular.ttf"


def read(url: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    response = (fetcher or StaticOnlyFetcher()).fetch(url)
    try:
        data: bytes = response.read()
    finally:
        response.close()
    return data


def test_the_apps_own_static_files_are_read() -> None:
    assert read(FONT.as_uri()) == FONT.read_bytes()
    assert read(FONT.as_uri().replace("file:", "FILE:", 1)) == FONT.read_bytes()


def test_data_urls_are_read_for_drawn_signatures() -> None:
    encoded = base64.b64encode(b"\x89PNG not really").decode()
    assert read(f"data:image/png;base64,{encoded}") == b"\x89PNG not really"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "File:///etc/passwd",
        f"file://{STATIC_DIR}/%2e%2e/%2e%2e/etc/passwd",
        f"file://{STATIC_DIR}/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        f"file://{STATIC_DIR}/vendor%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        f"file:///etc/passwd#/../../../../..{STATIC_DIR}/css/app.css",
        f"file:///etc/passwd?/../../../../..{STATIC_DIR}/css/app.css",
        "file://localhost/etc/passwd",
        f"file://example.org{FONT}",
        "file:etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/font.ttf",
        "ftp://127.0.0.1/etc/passwd",
        f"file://{STATIC_DIR}",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        read(url)


def test_a_symlink_out_of_the_static_folder_is_refused(tmp_path: Path) -> None:
    static, secret = tmp_path / "static", tmp_path / "secret.txt"
    static.mkdir()
    secret.write_text("not for a PDF")
    (static / "innocent.css").symlink_to(secret)
    (static / "real.css").write_text("p { color: black }")
    fetcher = StaticOnlyFetcher(root=static)

    assert read((static / "real.css").as_uri(), fetcher=fetcher) == b"p { color: black }"
    with pytest.raises(ValueError, match="Only the project's static files"):
        read((static / "innocent.css").as_uri(), fetcher=fetcher)


@pytest.mark.parametrize("spelling", ["scheme in capitals", "percent-encoded dots"])
def test_a_pdf_cannot_attach_a_file_from_outside_the_static_folder(
    spelling: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the secret")
    link = {
        "scheme in capitals": f"FILE://{secret}",
        "percent-encoded dots": f"file://{STATIC_DIR}/"
        + "%2e%2e/" * len(STATIC_DIR.parts)
        + str(secret).lstrip("/"),
    }[spelling]
    html = f'<p><a rel="attachment" href="{link}">evidence</a></p>'

    with pytest.raises(FatalURLFetchingError):
        HTML(string=html, url_fetcher=StaticOnlyFetcher()).write_pdf()


@pytest.mark.django_db
def test_rendering_a_signed_pdf_loads_no_certificate_authorities(
    coach: User, signed_in: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No PDF fetches over the network, so no render may pay for loading the system's CA
    bundle (once for the document and once for each attachment, before)."""
    loads: list[str] = []
    real = ssl.SSLContext.load_default_certs

    def counting(context: ssl.SSLContext, *args: object) -> None:
        loads.append("load")
        real(context, *args)  # type: ignore[arg-type]

    version = signed_agreement(coach, signed_in)
    html = pdf_html(version.snapshot, kind=PdfKind.EXECUTED, paper_size="A4", version=version)
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", counting)
    data = write_pdf(html, kind=PdfKind.EXECUTED, version=version)
    assert data.startswith(b"%PDF-")
    assert loads == []

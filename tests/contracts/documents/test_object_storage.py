"""With STORAGE_BACKEND=s3, every stored file lives in the object store, never on the disk of
the host that made it, and is still served only through the app's access-checked views.

The store is moto's S3 server, run as a separate process on 127.0.0.1 and spoken to over
HTTP, as a web host, a worker and a scheduler on three machines would speak to theirs.
"""

import base64
import hashlib
import io
import runpy
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pytest_django import Settings

from coaching.models import User
from contracts.documents.pdf import render_into
from contracts.documents.seal import Verdict, seal_status
from contracts.documents.verification import verify_document
from contracts.models import AgreementPdf, AgreementStatus, PdfKind, SignerRole
from tests.conftest import make_agreement
from tests.contracts.conftest import free_port
from tests.contracts.documents.helpers import download, executed_url
from tests.contracts.signing_helpers import link_for, send_agreement, sign_as_coach, sign_by_link

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[3] / "coaching" / "settings.py"
REGION = "eu-west-2"
PREFIX = "tripartite/files"
ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key"
EVERYONE = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server in its own process on a free port; stopped after the module."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = s3_client(endpoint)
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "the S3 server stopped as it started"
            try:
                client.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise AssertionError("the S3 server did not answer within 30 s") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@dataclass(frozen=True)
class Bucket:
    name: str
    client: Any

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, by key."""
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
            for item in listed
        }

    def grantees(self, key: str) -> set[str]:
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return {grant["Grantee"].get("URI") or grant["Grantee"]["Type"] for grant in grants}


@pytest.fixture
def bucket(s3_endpoint: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A new bucket, and the default storage that settings.py makes for it from the
    environment a multi-host deployment sets (STORAGES is swapped through the settings
    fixture, so Django drops the storage it had and builds this one)."""
    name = f"tripartite-{uuid.uuid4().hex[:12]}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    environment = {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": name,
        "S3_REGION": REGION,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_ADDRESSING_STYLE": "path",
        "S3_PREFIX": PREFIX,
    }
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    configured = runpy.run_path(str(SETTINGS_FILE))["STORAGES"]
    assert configured["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": configured["default"]}
    return Bucket(name, client)


def drawing() -> str:
    """A stroke drawn on the signing page, as the page sends it."""
    image = Image.new("RGBA", (600, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(60, 110), (300, 40), (540, 75)], fill=(29, 42, 68, 255), width=3)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode("ascii")


def nothing_under(folder: Path) -> bool:
    return not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


def test_it_keeps_a_sealed_agreement_in_the_store_and_serves_it_only_through_the_app(
    coach: User,
    signed_in: HttpClient,
    other_coach: User,
    bucket: Bucket,
    settings: Settings,
    tmp_path: Path,
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    sponsor = version.signers.get(role=SignerRole.SPONSOR)
    sign_by_link(link_for(agreement.client.email), name="Jamie Client", drawn_signature=drawing())
    sign_by_link(link_for(sponsor.email), name=sponsor.name)
    sign_as_coach(signed_in, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    executed = download(signed_in, executed_url(version))
    client_copy_path = link_for(agreement.client.email, "copy")
    client_copy = download(HttpClient(), client_copy_path + "pdf/")

    rows = {row.kind: row for row in AgreementPdf.objects.all()}
    assert {PdfKind.EXECUTED, PdfKind.COPY} <= set(rows)
    stored = bucket.objects()
    assert set(stored) == {f"{PREFIX}/{row.file.name}" for row in rows.values()}
    for row in rows.values():
        assert hashlib.sha256(stored[f"{PREFIX}/{row.file.name}"]).hexdigest() == row.sha256
    assert stored[f"{PREFIX}/{rows[PdfKind.EXECUTED].file.name}"] == executed
    assert stored[f"{PREFIX}/{rows[PdfKind.COPY].file.name}"] == client_copy
    assert all(not bucket.grantees(key) & EVERYONE for key in stored), "objects are private"

    verification = verify_document(executed)
    assert verification.verdict == Verdict.AUTHENTIC
    assert verification.in_records and verification.reference == agreement.reference
    status = seal_status(executed)
    assert status.bottom_line and status.intact and status.trusted
    drawn = {image.data for page in PdfReader(io.BytesIO(executed)).pages for image in page.images}
    assert len(drawn) == 1, "the client's drawn signature, kept in the database, is drawn"
    (tmp_path / "copy.pdf").write_bytes(client_copy)
    report = io.StringIO()
    call_command("verify_pdf", str(tmp_path / "copy.pdf"), stdout=report)
    assert f"AUTHENTIC: agreement {agreement.reference}, version 1" in report.getvalue()
    assert "not found in this instance's records" not in report.getvalue()

    stranger = HttpClient()
    stranger.force_login(other_coach)
    assert stranger.get(executed_url(version)).status_code == 404
    assert nothing_under(settings.MEDIA_ROOT), "nothing was written to this host's disk"


def test_a_late_second_render_of_a_stored_pdf_leaves_the_stored_file_alone(
    coach: User, signed_in: HttpClient, bucket: Bucket, settings: Settings
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"])
    first = download(signed_in, url)
    row = AgreementPdf.objects.get()
    first_key = f"{PREFIX}/{row.file.name}"

    # A worker thought dead finishes after all, after the render queued in its place.
    render_into(AgreementPdf.objects.get(pk=row.pk))

    stored = bucket.objects()
    assert list(stored) == [first_key] and stored[first_key] == first
    assert AgreementPdf.objects.get(pk=row.pk).sha256 == row.sha256
    assert download(signed_in, url) == first
    assert nothing_under(settings.MEDIA_ROOT)

"""Static files are addressed by their fingerprinted names, each worked out once."""

import json
from pathlib import Path

import pytest
from pytest_django import Settings

from coaching.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path: Path, settings: Settings) -> StaticFilesStorage:
    settings.STATIC_ROOT = tmp_path
    manifest = {"version": "1.1", "hash": "x", "paths": {"css/app.css": "css/app.1a2b.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path)


def test_a_files_address_is_worked_out_once_per_process(storage: StaticFilesStorage) -> None:
    assert storage.url("css/app.css") == "/static/css/app.1a2b.css"
    storage.hashed_files["css/app.css"] = "css/app.changed.css"

    assert storage.url("css/app.css") == "/static/css/app.1a2b.css"


def test_a_file_missing_from_the_manifest_is_refused_every_time(
    storage: StaticFilesStorage,
) -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")

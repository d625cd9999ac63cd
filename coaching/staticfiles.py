"""How static files are stored and addressed in production."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Whitenoise's compressed, fingerprinted files, each file's address worked out once
    per process: every page asks for the same few (styles, scripts, icons), and working
    one out (manifest, quoting, joining) cost more than the rest of a small page's tags."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if name is None or force:
            return str(super().url(name, force))
        address = self._urls.get(name)
        if address is None:
            # A name missing from the manifest raises here, every time: nothing is kept.
            address = self._urls[name] = str(super().url(name))
        return address

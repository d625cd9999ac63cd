"""A web process loads its URLs without importing the PDF and image libraries: they take
about a second and tens of megabytes, and only the processes (and requests) that make a
PDF or read an image need them."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = """
import sys, django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(sorted(name for name in ("weasyprint", "pyhanko", "PIL") if name in sys.modules))
"""


def test_loading_every_url_imports_neither_weasyprint_nor_pyhanko_nor_pillow() -> None:
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "coaching.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"

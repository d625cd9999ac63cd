"""Reading the agreement list as the coach sees it: the page may come kept whole, without
a template context to inspect."""

from __future__ import annotations

import re
from typing import Any

ROW = re.compile(r'<tr>\s*<td><a href="/agreements/(\d+)/">')


def listed_pks(response: Any) -> list[int]:
    """The agreements in the list's table, in their order."""
    assert response.status_code == 200
    return [int(pk) for pk in ROW.findall(response.content.decode())]

"""One "today" everywhere: the local date of TIME_ZONE (Asia/Shanghai), never the
server's date — between 16:00 and 24:00 UTC the two differ, and a birth date entered
"today" in Beijing would be "in the future" for the server."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jisheng"
PATTERN = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)")


def test_no_server_dates_in_the_code():
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PATTERN.search(line)
    ]
    assert found == [], "use django.utils.timezone.localdate()/localtime(): " + ", ".join(found)

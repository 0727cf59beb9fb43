"""The ``jisheng`` command: Django's management commands under one name.

``jisheng demo``, ``jisheng serve``, ``jisheng createuser``, ``jisheng token create`` and
every Django command (``jisheng migrate``, ``jisheng check`` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisheng.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jisheng", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()

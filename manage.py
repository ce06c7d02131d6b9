#!/usr/bin/env python
"""Django's command-line utility, with one-line errors for bad configuration or an unreachable database."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"xinfang: 配置错误 / configuration error: {exc}")
    except OperationalError as exc:
        url = os.environ.get("DATABASE_URL", "sqlite (var/xinfang.sqlite3)")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"xinfang: 无法连接数据库 / database unavailable ({url.split('@')[-1]}): {first_line}")


if __name__ == "__main__":
    main()

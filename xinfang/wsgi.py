import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:  # one clear line at start instead of a traceback
    print(f"xinfang: 配置错误 / configuration error: {exc}", file=sys.stderr)
    sys.exit(1)

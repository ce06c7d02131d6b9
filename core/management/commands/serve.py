"""Start the web server (gunicorn), the background worker and the scheduler; stop all on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from xinfang.env import env_int, env_str


class Command(BaseCommand):
    help = "Run gunicorn, the django-tasks database worker and the periodic scheduler together."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        bind = env_str("XINFANG_BIND", "127.0.0.1:8000")
        workers = env_int("XINFANG_WEB_WORKERS", 3, minimum=1)
        python = sys.executable
        bin_dir = os.path.dirname(python)
        commands = {
            "web": [os.path.join(bin_dir, "gunicorn"), "xinfang.wsgi", "--bind", bind, "--workers", str(workers),
                    "--timeout", "60", "--access-logfile", "-", "--log-level", "warning"],
            "worker": [python, "manage.py", "db_worker", "--interval", "1"],
            "scheduler": [python, "manage.py", "run_scheduler"],
        }
        procs = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}  # noqa: S603
        url = f"http://{bind}"
        self.stdout.write(self.style.SUCCESS(f"\nxinfang 信访工作平台已启动：{url}\n"))
        from core.demo_logins import demo_logins_text

        self.stdout.write(demo_logins_text())
        self.stdout.write("API 文档：" + url + "/api/docs/    按 Ctrl-C 停止。\n")
        stopping = False

        def _stop(signum, frame):  # noqa: ANN001
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"xinfang: {name} 进程已退出（代码 {proc.returncode}），正在停止全部进程")
                    stopping, exit_code = True, 1
                    break
            time.sleep(0.5)
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(exit_code)

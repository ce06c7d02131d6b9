import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.periodic import discover, run_due


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (deadline sweeps, reports) at their intervals."

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--interval", type=float, default=20.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        stop = False

        def _stop(signum, frame):  # noqa: ANN001
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        jobs = discover()
        self.stdout.write("scheduler: " + ", ".join(f"{j.name} every {j.every}s" for j in jobs))
        while not stop:
            close_old_connections()
            run_due(jobs=jobs)
            if options["once"]:
                break
            slept = 0.0
            while slept < options["interval"] and not stop:
                time.sleep(0.5)
                slept += 0.5

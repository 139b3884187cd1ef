"""The laptop demo: a real Celery worker with beat on the embedded broker, and the web server.

`make run` calls this after migrating and loading demo data. Ctrl-C stops both."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker + beat (embedded broker unless CELERY_BROKER_URL is set)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, **options):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "restaurant_ops",
                "worker",
                "-B",
                "--pool=solo",
                "-Q",
                "default,analytics",
                "--loglevel=INFO",
            ]
        )
        addr = options["addr"]
        self.stdout.write(self.style.SUCCESS(f"\nRestaurant Ops is running at http://{addr}/"))
        self.stdout.write("Demo logins (password: demo-pass-123): owner, manager, cashier, cook")
        self.stdout.write(
            f"Guest QR pages are printed on the tables' QR sheet. API docs: http://{addr}/api/docs/"
        )
        self.stdout.write(
            f"Celery worker + beat: pid {worker.pid} ({settings.CELERY_BROKER_URL.split('://')[0]} broker)\n"
        )
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()

"""The laptop demo, step by step: translations, migrations, demo data (first run only), a real Celery
worker with beat, and the web server. Prints the URL and the logins once the server answers.

`make run` calls this. Ctrl-C or SIGTERM stops everything it started: each child runs in its own
process group, which is terminated (then killed, if it lingers) as a whole, so the worker's beat
process goes with it. The worker is supervised: if it ends on its own, it is started again."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from restaurant_ops.models import Store

STARTUP_TIMEOUT = 90  # seconds for the web server to answer; a loaded laptop needs a while
STOP_TIMEOUT = 15  # seconds for a warm shutdown before a child is killed
RESTART_PAUSE = 3  # seconds before a worker that ended is started again


class Stop(Exception):
    """Raised by the signal handler: SIGINT (Ctrl-C) or SIGTERM arrived."""


def _raise_stop(signum, frame):
    raise Stop(signum)


def default_addr() -> str:
    return f"{os.environ.get('ADDR') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"


class Command(BaseCommand):
    help = (
        "Prepare the database (migrations, demo data when empty) and run the web server with a Celery "
        "worker + beat (embedded broker unless CELERY_BROKER_URL is set). ADDR and PORT choose the address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=default_addr(), help="host:port (default $ADDR:$PORT)")
        parser.add_argument(
            "--no-demo", action="store_true", help="Start empty (the first visitor signs up as the owner)."
        )

    def step(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"==> {text}"))

    def handle(self, *args, **options):
        addr = options["addr"]
        if ":" not in addr:
            raise CommandError("--addr must be host:port, e.g. 127.0.0.1:8000")
        self.prepare(load_demo=not options["no_demo"] and apps.is_installed("demo"))

        children: dict[str, subprocess.Popen] = {}
        previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            log_dir = Path(settings.VAR_DIR) / "log"
            log_dir.mkdir(parents=True, exist_ok=True)
            worker_log = log_dir / "worker.log"
            broker = settings.CELERY_BROKER_URL.split("://")[0]
            self.step(f"Starting the Celery worker and beat ({broker} broker; log: {worker_log})")
            children["worker"] = self.start_worker(worker_log)
            self.step(f"Starting the web server on http://{addr}/")
            children["web server"] = self.start_server(addr)
            self.wait_until_answering(addr, children)
            self.announce(addr, worker_log)
            ended = self.watch(children, worker_log)
        except Stop:
            ended = None
            self.stdout.write("\nStopping the web server and the worker…")
        finally:
            for sig in previous:  # a second Ctrl-C must not interrupt the clean-up
                signal.signal(sig, signal.SIG_IGN)
            for child in reversed(children.values()):
                self.stop(child)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if ended:
            raise CommandError(f"The {ended} stopped unexpectedly; everything else was stopped too.")
        self.stdout.write("Stopped.")

    # --- preparation, in this process ---------------------------------------------------------
    def prepare(self, *, load_demo: bool) -> None:
        if self.translations_stale():
            self.step("Compiling translations")
            call_command("compilemessages", verbosity=0, ignore_patterns=[".venv", "staticfiles"])
        self.step("Applying database migrations")
        call_command("migrate", interactive=False, verbosity=1)
        if not load_demo:
            return
        if get_user_model().objects.exists() or Store.objects.exists():
            self.step("Demo data: keeping the existing database (`make demo` rebuilds it)")
            return
        self.step("Loading the demo restaurant (first run only; about 90 days of history)")
        call_command("load_demo")

    @staticmethod
    def translations_stale() -> bool:
        for locale_dir in settings.LOCALE_PATHS:
            for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo = po.with_suffix(".mo")
                if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                    return True
        return False

    # --- children -----------------------------------------------------------------------------
    @staticmethod
    def start_worker(log_path: Path) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "restaurant_ops", "worker", "-B", "--pool=solo"]
        command += ["-Q", "default,analytics", "--loglevel=INFO"]
        with open(log_path, "ab") as log:
            # Its own session: Ctrl-C in the terminal reaches only us, and we stop the group in order.
            return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @staticmethod
    def start_server(addr: str) -> subprocess.Popen:
        manage = Path(settings.BASE_DIR) / "manage.py"
        # Django's red "development server" warning reads as an error to a newcomer; the README says
        # production runs gunicorn (docker compose).
        env = {**os.environ, "DJANGO_RUNSERVER_HIDE_WARNING": "true"}
        command = [sys.executable, str(manage), "runserver", addr, "--noreload", "--skip-checks"]
        return subprocess.Popen(command, env=env, start_new_session=True)

    @staticmethod
    def wait_until_answering(addr: str, children: dict[str, subprocess.Popen]) -> None:
        host, port = addr.rsplit(":", 1)
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host.strip("[]")  # noqa: S104
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/login/"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            for name, child in children.items():
                if child.poll() is not None:
                    raise CommandError(f"The {name} exited with status {child.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise CommandError(f"The web server did not answer at {url} within {STARTUP_TIMEOUT} s")

    def announce(self, addr: str, worker_log: Path) -> None:
        url = f"http://{addr}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Restaurant Ops is running at {url}"))
        logins = self.demo_logins()
        if logins:
            self.stdout.write(f"Demo logins (password {logins[1]}): {', '.join(logins[0])}")
        elif not get_user_model().objects.exists():
            self.stdout.write(f"Open {url} to sign up: the first person becomes the owner.")
        self.stdout.write(f"API docs: {url}api/docs/   Worker log: {worker_log}")
        self.stdout.write("Press Ctrl-C to stop the server and the worker.\n")

    @staticmethod
    def demo_logins() -> tuple[list[str], str] | None:
        if not apps.is_installed("demo"):
            return None
        from demo import story  # here: the demo app is not installed in production, only checked for

        names = [name for name, _role in story.USERS]
        present = set(get_user_model().objects.filter(username__in=names).values_list("username", flat=True))
        found = [name for name in names if name in present]
        return (found, story.PASSWORD) if found else None

    def watch(self, children: dict[str, subprocess.Popen], worker_log: Path) -> str:
        """Supervises the worker (restarted after a pause if it ends, as docker-compose's restart policy
        does in production); returns when the web server ends on its own (the others are then stopped)."""
        while True:
            if children["worker"].poll() is not None:
                code = children["worker"].returncode
                self.stop(children["worker"])  # whatever is left of its group (beat)
                self.stderr.write(f"The Celery worker exited ({code}); restarting it in {RESTART_PAUSE} s")
                time.sleep(RESTART_PAUSE)
                children["worker"] = self.start_worker(worker_log)
            if children["web server"].poll() is not None:
                return "web server"
            time.sleep(0.5)

    @staticmethod
    def stop(child: subprocess.Popen) -> None:
        try:
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        # Whatever is left of the group (beat, a stuck worker) is killed, never orphaned.
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.wait()

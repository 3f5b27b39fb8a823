"""The `cskh` console command. Django management commands sit behind it."""

import os
import signal
import socket
import subprocess
import sys
import time

USAGE = """cskh — nền tảng chăm sóc khách hàng

  cskh serve [--host H] [--port P] [--workers N] [--with-workers]
                                                    production server (Granian, N processes)
  cskh migrate                                      apply database migrations
  cskh demo --profile electricity|telecom --customers N --seed S
  cskh token create --user USERNAME                 prints a new API token (last word)
  cskh worker [--queue Q]                           background task worker
  cskh train --profile electricity|telecom          retrain the case-type classifier
  cskh scheduler [--once] [--list]                  run the periodic jobs (SLA scan, incidents, …)
  cskh notify_worker                                notification outbox delivery
  cskh sla_scan | sla_backfill                      one SLA scan / clocks for imported cases
  cskh search_rebuild [--kind K]                    rebuild the search index
  cskh incidents_tick                               one incident tick (notices, reminders, …)
  cskh <any django management command>
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cskh.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE + more_commands())
        return
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        command = "db_worker"
        if not any(a.startswith("--queue") for a in rest):
            rest = ["--queue-name", "*", *rest]
    if command == "token":
        command = "token"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cskh", command, *rest])


def more_commands() -> str:
    """The project's own management commands that USAGE does not describe (a new app's
    command shows up in `cskh --help` without anyone editing USAGE)."""
    import django
    from django.core.management import get_commands, load_command_class

    try:
        django.setup()
    except Exception:  # noqa: BLE001 — help must print even with a broken configuration
        return ""
    lines = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("cskh.") or f"cskh {name}" in USAGE or f"| {name}" in USAGE:
            continue
        if name == "db_worker":
            continue
        text = (load_command_class(app, name).help or "").strip().splitlines()
        lines.append(f"  cskh {name:<46}{text[0] if text else ''}")
    return ("\nOther cskh commands:\n" + "\n".join(lines) + "\n") if lines else ""


#: Open connections a worker process accepts (idle desk streams included).
MAX_CONNECTIONS = 10_000


def serve(args: list[str]) -> None:
    """Run the web server: Granian (ASGI) with N worker processes, Django's ASGI handler inside.

    Why Granian: in alternated runs on PostgreSQL (case creation under load, a look-up by
    phone) it served the same application at least as fast as uvicorn, alone or under
    gunicorn's uvicorn worker class, and faster at creating cases than the former hand-made
    WSGI bridge; what decided among the ASGI servers is that Granian gives each worker its own
    SO_REUSEPORT listening socket on Linux as documented behaviour (the kernel spreads
    keep-alive clients over the workers), which `cskh` used to get by patching uvicorn. WSGI
    servers were out: Django's WSGI request reads no chunked body (it has no Content-Length),
    and the live desk stream would hold a thread per open tab.

    The port is checked before anything starts, the background processes (--with-workers) are
    stopped on every way out, and "ready" is printed once a request is answered.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="cskh serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", str(min(4, (os.cpu_count() or 1) * 2)))),
    )
    parser.add_argument("--no-collectstatic", action="store_true")
    parser.add_argument(
        "--check-port",
        action="store_true",
        help="only check that the address can be listened on, then exit (`make run` asks "
        "before building the demo)",
    )
    parser.add_argument(
        "--with-workers",
        action="store_true",
        help="also run the background processes (tasks, notification outbox, scheduler) "
        "for a one-machine install; on several machines run `cskh worker`, "
        "`cskh notify_worker` and `cskh scheduler` separately",
    )
    opts = parser.parse_args(args)
    try:
        check_port(opts.host, opts.port)
    except OSError as exc:
        sys.exit(f"cskh serve: cannot listen on {opts.host}:{opts.port}: {exc.strerror}")
    if opts.check_port:
        return
    # Requests run their synchronous code on CSKH_THREADS threads per process (cskh.asgi), the
    # live streams on one more: one PostgreSQL pool per process sized for them.
    threads = int(os.environ.setdefault("CSKH_THREADS", "4"))
    os.environ.setdefault("CSKH_CONN_MAX_AGE", "0")
    os.environ.setdefault("CSKH_DB_POOL_SIZE", str(threads + 4))
    import django

    django.setup()
    if not opts.no_collectstatic:
        from cskh.core.staticfiles import collect_if_changed

        collect_if_changed()  # skipped when STATIC_ROOT holds these very sources

    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    server = Granian(
        "cskh.asgi:application",
        address=opts.host,
        port=opts.port,
        interface=Interfaces.ASGINL,  # Django's handler does not speak ASGI lifespan
        workers=opts.workers,
        loop=Loops.auto,  # uvloop when installed
        # Granian stops accepting connections past this many per worker; each open desk tab
        # keeps one, so the default (backlog / workers) would refuse the 1,000th tab.
        backpressure=MAX_CONNECTIONS,
        workers_kill_timeout=20,  # graceful shutdown: requests in flight get 20 s to finish
        log_level=LogLevels.warning,
    )
    base = f"http://{opts.host}:{opts.port}"
    children: list[subprocess.Popen] = []
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)  # until Granian sets its own
    try:
        if opts.with_workers:
            children = _start_workers()
        say(f"cskh: starting {opts.workers} worker processes on {base}")
        # A process, not a thread: Granian forks its workers from this one, and a thread busy
        # in a library (OpenSSL, say) at that moment leaves its locks taken in the workers.
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", "import sys, cskh.cli as c; c.announce_ready(*sys.argv[1:])"]
                + [opts.host, str(opts.port), base]
            )
        )
        server.serve()
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(children)


def check_port(host: str, port: int) -> None:
    """Raise OSError when host:port cannot be bound (in use, not an address of this machine).

    A plain bind, without SO_REUSEPORT: it fails even against a server whose sockets allow
    port sharing (Granian's do), so a second `cskh serve` cannot join a running one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def say(line: str) -> None:
    """Print one status line in a single write.

    The server's children share this stdout; print() writes the text and its newline
    separately when output is unbuffered (PYTHONUNBUFFERED), so a child's log line could land
    in between and glue itself to "ready on …", which scripts wait for."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def announce_ready(host: str, port: str, base: str, timeout: float = 600) -> None:
    """Print "ready" once the server answers a request (a listening socket alone is not
    enough: a worker may still be loading the application)."""
    import urllib.error
    import urllib.request

    local = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    url = f"http://{f'[{local}]' if ':' in local else local}:{port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    say(f"cskh: ready on {base}")
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)


def _exit_on_signal(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)


def _start_workers() -> list[subprocess.Popen]:
    """Background processes as children of `cskh serve` (stopped when it stops): the task
    worker, the notification worker and, where the command exists, the scheduler."""
    from django.core.management import get_commands

    cmd = [sys.executable, "-m", "cskh.cli"]
    names = ["worker", "notify_worker"]
    if "scheduler" in get_commands():
        names.append("scheduler")
    children: list[subprocess.Popen] = []
    try:
        for name in names:
            children.append(subprocess.Popen([*cmd, name]))
    except BaseException:
        _stop(children)
        raise
    return children


def _stop(children: list[subprocess.Popen], timeout: float = 20) -> None:
    for proc in children:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in children:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()

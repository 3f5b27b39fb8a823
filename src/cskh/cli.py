"""The `cskh` console command. Django management commands sit behind it."""

import os
import subprocess
import sys

USAGE = """cskh — nền tảng chăm sóc khách hàng

  cskh serve [--host H] [--port P] [--workers N]   production server (uvicorn, N processes)
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
        print(USAGE)
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


def serve(args: list[str]) -> None:
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
        "--with-workers",
        action="store_true",
        help="also run the background workers (tasks, notification outbox + SLA scans) "
        "for a one-machine install; on several machines run `cskh worker` / "
        "`cskh notify_worker` separately",
    )
    opts = parser.parse_args(args)
    # Plain requests run on CSKH_THREADS threads per process (see cskh.asgi); the live stream's
    # async code borrows other threads now and then, so PostgreSQL gets one connection pool per
    # process, a little larger than the thread count, instead of per-thread connections.
    threads = int(os.environ.setdefault("CSKH_THREADS", "4"))
    os.environ.setdefault("CSKH_CONN_MAX_AGE", "0")
    os.environ.setdefault("CSKH_DB_POOL_SIZE", str(threads + 4))
    import django

    django.setup()
    from django.core.management import call_command

    if not opts.no_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    import uvicorn

    from cskh.server import HTTP_PROTOCOL, run_workers

    helpers = _start_workers() if opts.with_workers else []
    print(
        f"cskh: serving on http://{opts.host}:{opts.port} with {opts.workers} worker processes",
        flush=True,
    )
    config = uvicorn.Config(
        "cskh.asgi:application",
        host=opts.host,
        port=opts.port,
        workers=opts.workers,
        timeout_graceful_shutdown=20,
        http=HTTP_PROTOCOL,
        loop="auto",  # uvloop when installed
        proxy_headers=True,
        log_level="warning",
        lifespan="off",
    )
    if config.workers > 1:
        run_workers(config)
    else:
        uvicorn.Server(config).run()
    for proc in helpers:
        proc.terminate()
    for proc in helpers:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _start_workers() -> list[subprocess.Popen]:
    """Background workers as child processes of `cskh serve` (stopped when it stops)."""
    cmd = [sys.executable, "-m", "cskh.cli"]
    return [
        subprocess.Popen([*cmd, "worker"]),
        subprocess.Popen([*cmd, "notify_worker"]),
    ]


if __name__ == "__main__":
    main()

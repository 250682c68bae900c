"""`ecg-render serve`: the HTTP render service (the backend's render server, port 8090).

    ecg-render serve [--mode standalone|rq] [--host 0.0.0.0] [--port 8090]

standalone (default): renders run in this process on a bounded pool; no Redis needed.
rq: requests are queued in Redis (REDIS_URL) for `ecg-render worker` processes.
Everything else comes from the environment or `.env` (see .env.example).
"""

from __future__ import annotations

import argparse
import logging


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the HTTP render service",
        description="Run the render service (FastAPI on uvicorn). Settings come from the "
        "environment and .env; the options below override them.",
    )
    parser.add_argument(
        "--mode",
        choices=("standalone", "rq"),
        help="standalone: render in-process (default); rq: queue for workers",
    )
    parser.add_argument("--host", default="0.0.0.0", help="bind address (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090)")
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from server.service.api import create_app
    from server.service.settings import get_settings

    settings = get_settings()
    if args.mode:
        settings = settings.model_copy(update={"mode": args.mode})
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    # One process: standalone jobs live in it, and it must not fork after CUDA is touched.
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, workers=1)
    return 0

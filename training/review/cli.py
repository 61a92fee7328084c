"""``claim-risk``: the project's command with subcommands; ``review`` starts the workbench.

    claim-risk review my_pages/ --labels labels/user/mine.csv
    claim-risk review page.html notes.txt --labels mine.csv --no-browser --port 8765

The first line of standard output is the workbench's URL (loopback, with its
token); the browser opens it unless ``--no-browser``. Stop with Ctrl-C.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import threading
import webbrowser
from pathlib import Path

from claim_risk.exits import (
    EXIT_EMPTY_INPUT,
    EXIT_INTERNAL,
    EXIT_USAGE,
)
from claim_risk.version import __version__

__all__ = ["bind", "build_parser", "main"]

MISSING = (
    "claim-risk review: the workbench needs starlette and uvicorn (and scikit-learn for "
    "its suggestions): pip install 'claim-risk[review]'"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``claim-risk`` and its ``review`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="claim-risk",
        description="claim-risk: review and label the sentences of your own health pages.",
    )
    parser.add_argument("--version", action="version", version=f"claim-risk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser(
        "review",
        help="the review-and-label workbench in your browser",
        description=(
            "Start the review-and-label workbench: a local web page that ranks the pages by "
            "page score and their sentences by score, with the reasons in words, takes one "
            "key per label (u unsupported, h hedged, n none, s skip; ? for all keys), saves "
            "each label at once into --labels, and can retrain on your labels and show the "
            "lift on your held-out pages. The first line of standard output is its URL "
            "(loopback, with a random token without which it refuses every request)."
        ),
        epilog="Stop it with Ctrl-C. Labels are saved as you go; nothing is lost by stopping.",
    )
    r.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.txt, .md, .html)")
    r.add_argument(
        "--labels",
        required=True,
        type=Path,
        metavar="FILE",
        help="your labels CSV: created, or merged with the rows already there (see "
        "`python -m claim_risk.training.adapt extract --help`; labels/user/NAME.csv is what "
        "`make train` reads)",
    )
    r.add_argument("--no-browser", action="store_true", help="print the URL, do not open it")
    r.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; anything else lets other machines try)",
    )
    r.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    r.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the browser may use to reach the server (repeatable)",
    )
    r.add_argument("--model", default=None, help="model name or folder (default: fast)")
    r.add_argument(
        "--tier",
        choices=("fast", "semantic", "auto"),
        default="auto",
        help="the tier retraining adapts (default auto: semantic when its encoder is installed)",
    )
    r.add_argument("--topic", default="user", help="topic name for new rows (default user)")
    r.add_argument(
        "--models",
        type=Path,
        default=None,
        metavar="DIR",
        help="where retrained model folders go (default: models/ beside --labels)",
    )
    return parser


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one)."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=128)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "", "localhost"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def main(argv: list[str] | None = None) -> int:
    """Run ``claim-risk``; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        print(MISSING, file=sys.stderr)
        return EXIT_INTERNAL
    from claim_risk.core.artifacts import ModelError

    from ..adapt.loop import Refused, WriteFailed, failed
    from ..data.sentences import LabelError
    from .app import create_app
    from .retrain import RetrainJob
    from .security import allowed_hosts
    from .session import Session

    if not 0 <= args.port <= 65535:
        print(f"claim-risk review: --port {args.port} is not a port", file=sys.stderr)
        return EXIT_USAGE
    try:
        session = Session(args.paths, args.labels, args.model, args.topic)
        session.load()
    except (ModelError, Refused, LabelError, WriteFailed) as exc:
        return failed("claim-risk review", exc)
    if not session.pages:
        print("claim-risk review: no page with sentences to review", file=sys.stderr)
        return session.exit_code or EXIT_EMPTY_INPUT
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(
            f"claim-risk review: cannot listen on {args.host}:{args.port} ({exc})", file=sys.stderr
        )
        return EXIT_USAGE
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(32)
    models = args.models or args.labels.parent / "models"
    job = RetrainJob(args.labels, models, lambda out, _result: session.rescore(out), args.tier)
    hosts = allowed_hosts(args.host, port, args.allow_host)
    app = create_app(session, job, token, hosts, port)
    url = f"http://{_url_host(args.host)}:{port}/?token={token}"
    print(url, flush=True)
    sentences = sum(len(p.sentences) for p in session.pages)
    print(
        f"claim-risk review: {len(session.pages)} pages, {sentences} sentences; labels in "
        f"{args.labels}; Ctrl-C to stop",
        file=sys.stderr,
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"claim-risk review: listening on {args.host}: other machines can reach it "
            "(they still need the token)",
            file=sys.stderr,
        )
    # The first suggestions load scikit-learn (a second or so): do it before the page asks.
    threading.Thread(target=session.suggest, args=(1,), daemon=True).start()
    if not args.no_browser:
        webbrowser.open(url)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", server_header=False
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        job.stop()
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

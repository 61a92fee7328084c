"""The workbench's routes: one page, its two assets, and a small JSON API.

    GET  /                 the page (static HTML; its script fetches everything else)
    GET  /static/NAME      app.js, app.css (package data, a fixed list: no file lookup)
    GET  /api/state        model, bands, pages ranked by page score, sentences by score,
                           labels, skipped ids, retraining status
    GET  /api/suggest?n=N  ids of the sentences to label next
    POST /api/label        {"id", "label"}: save one label ("" clears it)
    POST /api/skip         {"id"}: skip a sentence (not a label; not suggested again)
    POST /api/retrain      start retraining (409 while one runs)
    GET  /api/retrain      its progress and result

Requests reach these only through ``security.Guard`` (Host, token, same origin).
Sentences are named by their ids; no route takes a path. POST bodies must be
JSON (``Content-Type: application/json``), at most 4 kB.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..data.schema import LABELS
from .retrain import RetrainJob
from .security import Guard
from .session import Session
from .store import UnknownSentence

__all__ = ["ASSETS", "MAX_BODY", "create_app"]

MAX_BODY = 4096
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
SUGGEST_MAX = 200


def _asset(name: str) -> bytes:
    return resources.files("claim_risk.training.review").joinpath("static", name).read_bytes()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the error response to send instead."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(415, "send JSON (Content-Type: application/json)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _error(413, "request too large")
    try:
        data = json.loads(body)
    except ValueError:
        return _error(400, "not JSON")
    if not isinstance(data, dict):
        return _error(400, "send a JSON object")
    return data


def create_app(
    session: Session, retrain: RetrainJob | None, token: str, hosts: frozenset[str], port: int
) -> Guard:
    """The workbench as an ASGI app, behind its guard."""
    page = _asset("index.html")
    assets = {name: _asset(name) for name in ASSETS}

    async def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return Response("not found\n", status_code=404, media_type="text/plain")
        return Response(assets[name], media_type=ASSETS[name])

    def state() -> dict[str, Any]:
        return {
            "model": session.describe(),
            "labels_file": str(session.store.path),
            "label_names": list(LABELS),
            "pages": session.pages_json(),
            "labels": session.store.labels(),
            "skipped": sorted(session.store.skipped()),
            "problems": session.problems,
            "retrain": retrain.status() if retrain is not None else {"state": "unavailable"},
        }

    async def get_state(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(state))

    async def suggest(request: Request) -> Response:
        try:
            n = int(request.query_params.get("n", "30"))
        except ValueError:
            return _error(400, "n must be a whole number")
        n = max(0, min(n, SUGGEST_MAX))
        ids = await run_in_threadpool(session.suggest, n)
        return JSONResponse({"ids": ids})

    async def label(request: Request) -> Response:
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        sid, value = data.get("id"), data.get("label")
        if not isinstance(sid, str) or not session.has(sid):
            return _error(404, "no such sentence")
        if not isinstance(value, str) or value not in ("", *LABELS):
            return _error(400, f"label must be one of {', '.join(LABELS)} (or empty)")
        try:
            await run_in_threadpool(session.store.set_label, sid, value)
        except UnknownSentence:
            return _error(409, "this sentence is no longer in the labels file")
        return JSONResponse({"id": sid, "label": value})

    async def skip(request: Request) -> Response:
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        sid = data.get("id")
        if not isinstance(sid, str) or not session.has(sid):
            return _error(404, "no such sentence")
        try:
            await run_in_threadpool(session.store.skip, sid)
        except UnknownSentence:
            return _error(409, "this sentence is no longer in the labels file")
        return JSONResponse({"id": sid, "skipped": True})

    async def retrain_status(request: Request) -> Response:
        if retrain is None:
            return JSONResponse({"state": "unavailable"})
        return JSONResponse(retrain.status())

    async def retrain_start(request: Request) -> Response:
        data = await _json_body(request)
        if isinstance(data, Response):
            return data
        if retrain is None:
            return _error(501, "retraining is not available here")
        started = await run_in_threadpool(retrain.start)
        return JSONResponse(retrain.status(), status_code=202 if started else 409)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        Route("/api/state", get_state, methods=["GET"]),
        Route("/api/suggest", suggest, methods=["GET"]),
        Route("/api/label", label, methods=["POST"]),
        Route("/api/skip", skip, methods=["POST"]),
        Route("/api/retrain", retrain_status, methods=["GET"]),
        Route("/api/retrain", retrain_start, methods=["POST"]),
    ]
    return Guard(Starlette(routes=routes), token, hosts, port)

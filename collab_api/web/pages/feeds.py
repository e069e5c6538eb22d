"""Atom feeds (RFC 4287) of new and updated interventions, overall, per harm area and per
collaborative, so that people can follow without an account. Written with feedgen rather than
by hand: it gets the ids, dates and escaping right."""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collab_api.web import operations
from collab_api.web.templating import SERVICE_NAME, intervention_status_label


def _base(request: Request) -> str:
    return (request.app.state.settings.public_url or str(request.base_url)).rstrip("/")


async def feed(request: Request) -> Response:
    harm_area = (request.query_params.get("harmArea") or "").strip()[:80] or None
    collaborative = (request.query_params.get("collaborative") or "").strip().upper()[:20] or None
    data = await operations.data(request, "feed", {"harmArea": harm_area, "collaborative": collaborative})
    base, items = _base(request), data["recentInterventions"]
    scope = " and ".join(filter(None, [f"harm area {harm_area}" if harm_area else None,
                                       f"collaborative {collaborative}" if collaborative else None]))
    query = str(request.url.query)
    fg = FeedGenerator()
    fg.id(f"{base}/feeds/interventions.atom" + (f"?{query}" if query else ""))
    fg.title(f"New and updated interventions{f' ({scope})' if scope else ''} – {SERVICE_NAME}")
    fg.subtitle("Solutions England's patient safety collaboratives develop, test and adopt, newest change first.")
    fg.author({"name": "NHS patient safety collaboratives"})
    fg.link(href=f"{base}/feeds/interventions.atom" + (f"?{query}" if query else ""), rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/search", rel="alternate", type="text/html")
    fg.language("en-GB")
    newest = max((i["updatedAt"] or i["createdAt"] for i in items), default=None)
    fg.updated(dt.datetime.fromisoformat(newest) if newest else dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for item in reversed(items):  # feedgen puts the last added first
        entry = fg.add_entry()
        entry.id(f"{base}/interventions/{item['id']}#version-{item['version']}")
        entry.title(f"{item['title']} ({intervention_status_label(item['status'])}, version {item['version']})")
        entry.link(href=f"{base}/interventions/{item['id']}", rel="alternate", type="text/html")
        entry.summary(item["summary"] or "")
        entry.updated(dt.datetime.fromisoformat(item["updatedAt"] or item["createdAt"]))
        entry.published(dt.datetime.fromisoformat(item["createdAt"]))
        if item["harmArea"]:
            entry.category(term=item["harmArea"], label=item["harmArea"])
        region = ((item.get("origin") or {}).get("collaborative") or {}).get("name")
        entry.author({"name": region or "NHS patient safety collaboratives"})
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


routes = [Route("/feeds/interventions.atom", feed)]

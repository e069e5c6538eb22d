"""The national team's list of harm areas: the areas people typed as "another" (with how many
interventions and priorities name each), added to the list with one button, or a new one typed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.pages.national_records import national_only
from collab_api.web.templating import render


async def harm_areas(request: Request) -> Response:
    if (redirect := national_only(request, "/national/harm-areas")) is not None:
        return redirect
    errors, values = FormErrors(), {"name": ""}
    if request.method == "POST":
        form = await posted(request)
        values = {"name": text(form, "name") or ""}
        field = "name" if form.get("from") != "proposed" else "proposed"
        if not values["name"]:
            errors.add(field, "Enter the harm area to add, for example Nutrition and hydration")
        else:
            _, errors = await operations.mutate(request, "add_harm_area", {"name": values["name"]}, "addHarmArea",
                                                {"name": field}, field)
        if not errors:
            identity.flash(request, f"'{values['name']}' is added to the list of harm areas: forms now offer it.")
            return RedirectResponse("/national/harm-areas#listed", status_code=303)
    data = await operations.data(request, "proposed_harm_areas")
    return render(request, "harm_areas.html", {"data": data, "values": values, "active": "national", **errors.context()},
                  status=400 if errors else 200)


routes = [Route("/national/harm-areas", harm_areas, methods=["GET", "POST"])]

"""Questions and answers on the pages: asking on an intervention, asking the network from a
search that found nothing good, a question with its answers (answer, point to an intervention,
mark helpful, edit your own), and the network's open questions."""

from __future__ import annotations


from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.web import identity, operations
from collab_api.web.pages.interventions import intervention_page
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.templating import render

TEXT = {"text": "text", "input.text": "text", "id": "text", "about": "text", "question": "text", "pointsTo": "pointsTo",
        "input.pointsTo": "pointsTo", "harmArea": "harmArea", "answer": "text"}


async def ask(request: Request) -> Response:
    """POST from an intervention page: its question; errors come back on that page's form."""
    identifier = request.path_params["id"]
    if (redirect := identity.sign_in_first(request, f"/interventions/{identifier}#questions")) is not None:
        return redirect
    form = await posted(request)
    asked = text(form, "text") or ""
    payload, errors = await operations.mutate(request, "ask_question", {"input": {"about": "INTERVENTION", "id": identifier,
                                                                                   "text": asked}}, "askQuestion", TEXT, "text")
    if not errors:
        identity.flash(request, "Your question is asked. The people who developed and adopted it are told, and you will "
                                "hear when someone answers.")
        return RedirectResponse(f"/questions/{payload['question']['id']}", status_code=303)
    return await intervention_page(request, identifier, {"ask": {"text": asked}, **errors.context()}, status=400)


async def ask_network(request: Request) -> Response:
    """GET: the form (from a search with no good results); POST: ask."""
    values = {"text": request.query_params.get("q", "")[:300], "harmArea": request.query_params.get("harmArea", "")[:80],
              "searchedFor": request.query_params.get("q", "")[:300]}
    if (redirect := identity.sign_in_first(request, "/questions/ask")) is not None:
        return redirect
    errors = FormErrors()
    if request.method == "POST":
        form = await posted(request)
        values = {name: text(form, name) or "" for name in values}
        given = {"text": values["text"], "harmArea": values["harmArea"] or None, "searchedFor": values["searchedFor"] or None}
        payload, errors = await operations.mutate(request, "ask_network", {"input": given}, "askNetwork", TEXT, "text")
        if not errors:
            identity.flash(request, "Your question went to the national team and to the collaboratives whose priorities "
                                    "match it. You will hear when someone answers.")
            return RedirectResponse(f"/questions/{payload['question']['id']}", status_code=303)
    harm_areas = (await operations.data(request, "harm_areas"))["harmAreas"]
    return render(request, "ask_network.html", {"values": values, "harm_areas": harm_areas, "active": "search",
                                                **errors.context()}, status=400 if errors else 200)


async def question(request: Request) -> Response:
    """A question and its answers; POST: answer it."""
    identifier = request.path_params["id"]
    errors, values = FormErrors(), {"text": "", "pointsTo": ""}
    if request.method == "POST":
        if (redirect := identity.sign_in_first(request, f"/questions/{identifier}")) is not None:
            return redirect
        form = await posted(request)
        values = {name: text(form, name) or "" for name in values}
        given = {"question": identifier, "text": values["text"], "pointsTo": values["pointsTo"] or None}
        _, errors = await operations.mutate(request, "answer_question", {"input": given}, "answerQuestion", TEXT, "text")
        if not errors:
            identity.flash(request, "Your answer is posted; the person who asked is told.")
            return RedirectResponse(f"/questions/{identifier}#answers", status_code=303)
    data = await operations.data(request, "question", {"id": identifier})
    item = operations.found(data["question"], "question with this id")
    return render(request, "question.html", {"q": item, "values": values, "active": "search", **errors.context()},
                  status=400 if errors else 200)


async def helpful(request: Request) -> Response:
    identifier, answer = request.path_params["id"], request.path_params["answer"]
    if (redirect := identity.sign_in_first(request, f"/questions/{identifier}")) is not None:
        return redirect
    form = await posted(request)
    _, errors = await operations.mutate(request, "mark_helpful", {"answer": answer, "helpful": form.get("helpful") != "no"},
                                        "markAnswerHelpful", TEXT, "text")
    identity.flash(request, next(iter(errors.by_field.values())) if errors else "Thank you: the answer is marked as helpful.")
    return RedirectResponse(f"/questions/{identifier}#answers", status_code=303)


async def edit(request: Request) -> Response:
    """Edit your own question or answer (`kind` is question or answer)."""
    kind, identifier, question_id = request.path_params["kind"], request.path_params["id"], request.query_params.get("question", "")
    if kind not in ("question", "answer"):
        return render(request, "not_found.html", status=404)
    if (redirect := identity.sign_in_first(request, f"/questions/{question_id or identifier}")) is not None:
        return redirect
    errors, values = FormErrors(), {"text": ""}
    if request.method == "POST":
        form = await posted(request)
        values = {"text": text(form, "text") or ""}
        mutation = "editQuestion" if kind == "question" else "editAnswer"
        payload, errors = await operations.mutate(request, f"edit_{kind}", {"id": identifier, "text": values["text"]}, mutation,
                                                  TEXT, "text")
        if not errors:
            identity.flash(request, f"Your {kind} is changed.")
            return RedirectResponse(f"/questions/{payload['question']['id']}", status_code=303)
    data = await operations.data(request, "question", {"id": question_id or identifier})
    item = operations.found(data["question"], "question with this id")
    current = item if kind == "question" else next((a for a in item["answers"]["nodes"] if a["id"] == identifier), None)
    operations.found(current if current and current["mine"] else None, f"{kind} of yours with this id")
    assert current is not None
    return render(request, "edit_text.html", {"q": item, "kind": kind, "id": identifier,
                                              "values": values if request.method == "POST" else {"text": current["text"]},
                                              "active": "search", **errors.context()}, status=400 if errors else 200)


async def network(request: Request) -> Response:
    if (redirect := identity.sign_in_first(request, "/questions")) is not None:
        return redirect
    open_only = request.query_params.get("show") != "all"
    data = await operations.data(request, "network_questions", {"openOnly": open_only})
    return render(request, "network_questions.html", {"data": data, "open_only": open_only, "active": "search"})


async def redact(request: Request) -> Response:
    """The national team: take a question (or, with ?answer=, one of its answers) out, saying why."""
    identifier = request.path_params["id"]
    answer = request.query_params.get("answer") or ""
    if (redirect := identity.sign_in_first(request, f"/questions/{identifier}")) is not None:
        return redirect
    data = await operations.data(request, "question", {"id": identifier})
    item = operations.found(data["question"], "question with this id")
    errors, values = FormErrors(), {"reason": ""}
    if request.method == "POST":
        form = await posted(request)
        values = {"reason": text(form, "reason") or ""}
        kind = "answer" if answer else "question"
        _, errors = await operations.mutate(request, f"redact_{kind}", {"id": answer or identifier, "reason": values["reason"]},
                                            f"redact{kind.capitalize()}", {"reason": "reason", "id": "reason"}, "reason")
        if not errors:
            identity.flash(request, f"The {kind} is redacted, with the notifications that quoted it.")
            return RedirectResponse(f"/questions/{identifier}", status_code=303)
    return render(request, "redact_question.html", {"q": item, "answer": answer, "values": values, "active": "search",
                                                    **errors.context()}, status=400 if errors else 200)


routes = [
    Route("/questions/{id}/redact", redact, methods=["GET", "POST"]),
    Route("/interventions/{id}/questions", ask, methods=["POST"]),
    Route("/questions", network),
    Route("/questions/ask", ask_network, methods=["GET", "POST"]),
    Route("/questions/{id}", question, methods=["GET", "POST"]),
    Route("/questions/{id}/answers/{answer}/helpful", helpful, methods=["POST"]),
    Route("/edit/{kind}/{id}", edit, methods=["GET", "POST"]),
]

"""The quarterly return: download the (pre-filled) workbook; upload a returned one, see a dry
run with every cell that cannot be accepted, then confirm the import.

Between the dry run and the confirmation the uploaded file waits in the data folder (0600),
named by a random token kept in the session, and is deleted once imported or after an hour.
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab_api.domain.permissions import Role
from collab_api.qart.layout import MARTHAS_RULE_ID  # the national template's, the page's first choice
from collab_api.web import identity, operations
from collab_api.web.forms import FormErrors, posted, text
from collab_api.web.templating import render

MAX_BYTES = 10 * 1024 * 1024
PENDING_SECONDS = 3600
FIELDS = {"file": "file", "quarter": "quarter", "collaborative": "collaborative", "intervention": "file"}


def _pending_dir(request: Request) -> Path:
    folder = request.app.state.settings.data_dir.resolve() / "pending-returns"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in folder.iterdir():  # forget uploads never confirmed
        if old.stat().st_mtime < time.time() - PENDING_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _keep(request: Request, content: bytes, filename: str) -> str:
    token = secrets.token_urlsafe(16)
    descriptor = os.open(_pending_dir(request) / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    request.session["pendingReturn"] = {"token": token, "filename": filename}
    return token


def _guard(request: Request) -> Response | None:
    if (redirect := identity.sign_in_first(request, "/returns")) is not None:
        return redirect
    if identity.viewer(request).role == Role.PROVIDER:
        raise operations.PageForbidden("a provider may not import a collaborative's quarterly return; its lead or the national team may")
    return None


def _kept_dir(request: Request) -> Path:
    """Where uploaded returns are kept once imported (0700), each named by its upload's id."""
    folder = request.app.state.settings.data_dir.resolve() / "returns"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _intervention_of(request: Request, form: Any = None) -> str:
    """The intervention the return is for: the form's, the address's, else Martha's Rule."""
    given = (text(form, "intervention") if form is not None else None) or request.query_params.get("intervention") or ""
    return given.strip()[:100] or MARTHAS_RULE_ID


async def _page(request: Request, *, values: dict[str, Any], errors: FormErrors | None = None,
                summary: dict[str, Any] | None = None, status: int = 200) -> Response:
    data = await operations.data(request, "collaboratives")
    find = (request.query_params.get("find") or "").strip()[:100]
    chosen_intervention = values.get("intervention") or _intervention_of(request)
    about = await operations.data(request, "return_intervention", {"id": chosen_intervention, "find": find or None,
                                                                   "finding": bool(find)})
    if about["intervention"] is None:
        raise HTTPException(404, f"There is no intervention with the id '{chosen_intervention[:60]}'. "
                                 "Go back to Quarterly returns and find it by its title.")
    values["intervention"] = about["intervention"]["id"]
    viewer = identity.viewer(request)
    chosen = viewer.collaborative or (values.get("collaborative") or request.query_params.get("collaborative") or "").upper() or None
    uploads = (await operations.data(request, "return_uploads", {"collaborative": chosen}))["returnUploads"]
    kept = {path.stem for path in _kept_dir(request).glob("upload-*.xlsx")}
    errors = errors or FormErrors()
    return render(request, "returns.html", {"data": data, "values": values, "summary": summary, "active": "returns",
                                            "uploads": uploads, "kept": kept, "uploads_of": chosen,
                                            "intervention": about["intervention"], "find": find,
                                            "matches": about.get("interventions"), "national_template": MARTHAS_RULE_ID,
                                            **errors.context()}, status=max(status, 400) if errors else status)


async def kept_file(request: Request) -> Response:
    """An uploaded return as it was sent, for its collaborative's lead and the national team."""
    if (redirect := _guard(request)) is not None:
        return redirect
    identifier = request.path_params["id"]
    uploads = (await operations.data(request, "return_uploads", {"collaborative": identity.viewer(request).collaborative}))
    upload = next((u for u in uploads["returnUploads"] if u["id"] == identifier), None)
    path = _kept_dir(request) / f"{identifier}.xlsx"
    if upload is None or not re.fullmatch(r"upload-[0-9a-f]{16}", identifier) or not path.exists():
        raise HTTPException(404, "There is no kept file for that upload: it may have been imported from the command line.")
    name = re.sub(r"[^A-Za-z0-9 ._-]", "_", upload["file"] or "return.xlsx")[:120]
    return Response(path.read_bytes(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _defaults(request: Request) -> dict[str, Any]:
    viewer = identity.viewer(request)
    return {"collaborative": viewer.collaborative or request.query_params.get("collaborative", "").upper(), "quarter": "",
            "intervention": _intervention_of(request)}


async def returns(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    return await _page(request, values=_defaults(request))


async def _import(request: Request, content: bytes, filename: str, values: dict[str, Any], dry_run: bool) -> tuple[dict[str, Any] | None, FormErrors]:
    upload = UploadFile(io.BytesIO(content), filename=filename)
    payload, errors = await operations.mutate(request, "import_return", {
        "file": upload, "quarter": values["quarter"] or None, "collaborative": values["collaborative"] or None, "dryRun": dry_run,
        "confirm": values.get("confirm") == "yes", "intervention": values["intervention"]}, "importQuarterlyReturn", FIELDS, "file")
    # The file name or the workbook names another quarter or collaborative: the page offers to confirm the choice.
    values["disagrees"] = any(e.get("code") == "DISAGREES" for e in payload.get("errors") or [])
    if "quarter" in errors.by_field and not values["quarter"] and not values["disagrees"]:  # the page's words, not the API's
        errors.by_field["quarter"] = (f"Enter the reporting quarter, for example 2026/27 Q2: the file name '{filename[:80]}' "
                                      "does not say it")
    return payload.get("summary"), errors


async def check(request: Request) -> Response:
    """The upload: a dry run that writes nothing."""
    if (redirect := _guard(request)) is not None:
        return redirect
    form = await posted(request)
    values = {"collaborative": (text(form, "collaborative") or "").upper(), "quarter": text(form, "quarter") or "",
              "confirm": text(form, "confirm") or "", "intervention": _intervention_of(request, form)}
    if identity.viewer(request).role == Role.LEAD:
        values["collaborative"] = identity.viewer(request).collaborative or ""
    errors = FormErrors()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", "Choose the returned workbook (.xlsx) to upload")
        return await _page(request, values=values, errors=errors)
    content = await upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        errors.add("file", f"The file is over {MAX_BYTES // 1024 // 1024} MB: is it the right workbook?")
        return await _page(request, values=values, errors=errors, status=413)
    filename = Path(upload.filename).name[:200]
    summary, errors = await _import(request, content, filename, values, dry_run=True)
    if errors or summary is None:  # a workbook refused as too large or unreadable: 422, with the reason beside the field
        return await _page(request, values=values, errors=errors, status=422 if "file" in errors.by_field else 400)
    _keep(request, content, filename)
    return await _page(request, values={**values, "quarter": summary["quarter"], "collaborative": summary["collaborative"] or ""},
                       summary=summary)


async def confirm(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    form = await posted(request)
    pending = request.session.get("pendingReturn") or {}
    token = str(pending.get("token") or "")
    path = _pending_dir(request) / token if re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token) else None
    if path is None or not path.exists() or form.get("token") != token:
        identity.flash(request, "That upload has expired or was already imported. Upload the workbook again.")
        return RedirectResponse("/returns", status_code=303)
    values = {"collaborative": (text(form, "collaborative") or "").upper(), "quarter": text(form, "quarter") or "",
              "confirm": text(form, "confirm") or "", "intervention": _intervention_of(request, form)}
    summary, errors = await _import(request, path.read_bytes(), str(pending.get("filename") or "return.xlsx"), values, dry_run=False)
    if errors or summary is None:
        return await _page(request, values=values, errors=errors)
    if summary.get("uploadId"):  # the file is kept, to be downloaded from the list of past uploads
        kept = _kept_dir(request) / f"{summary['uploadId']}.xlsx"
        os.replace(path, kept)
        os.chmod(kept, 0o600)
    path.unlink(missing_ok=True)
    request.session.pop("pendingReturn", None)
    counts = summary["observations"]
    back = f"/returns?intervention={quote(values['intervention'])}"
    identity.flash(request, f"Imported {summary['file']} for {summary['quarter']}: {counts['created']} new answers, "
                            f"{counts['corrected']} corrected, {counts['unchanged']} unchanged; "
                            f"{summary['cells']['rejected']} cells not accepted.")
    return RedirectResponse(back, status_code=303)


async def workbook(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    params = request.query_params
    outcome = await operations.run(request, "return_workbook", {
        "collaborative": (params.get("collaborative") or "").upper(), "quarter": params.get("quarter") or "",
        "prefill": params.get("prefill") == "yes", "intervention": _intervention_of(request)})
    if outcome.errors:
        raise HTTPException(400, "; ".join(str(e.get("message")) for e in outcome.errors))
    book = (outcome.data or {})["quarterlyReturnWorkbook"]
    safe = re.sub(r"[^A-Za-z0-9 ._-]", "_", book["filename"])
    return Response(base64.b64decode(book["contentBase64"]),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


routes = [
    Route("/returns", returns),
    Route("/returns/check", check, methods=["POST"]),
    Route("/returns/confirm", confirm, methods=["POST"]),
    Route("/returns/workbook", workbook),
    Route("/returns/uploads/{id}.xlsx", kept_file),
]

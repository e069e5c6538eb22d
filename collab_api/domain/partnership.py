"""Trusts helping trusts: partnerships, improvement plans and their monthly updates, regulator
ratings and special measures; which organisations improved, and what they did meanwhile."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from collab_api.domain.errors import Problems
from collab_api.domain.improvement_rows import ImprovedRow
from collab_api.domain.quarters import Quarter
from collab_api.domain.text import SHORT, SUMMARY, TITLE, check_text

RATINGS = ("INADEQUATE", "REQUIRES_IMPROVEMENT", "GOOD", "OUTSTANDING")  # worst to best
RATING_LABELS = {"INADEQUATE": "Inadequate", "REQUIRES_IMPROVEMENT": "Requires improvement", "GOOD": "Good",
                 "OUTSTANDING": "Outstanding"}
DOMAINS = ("safe", "effective", "caring", "responsive", "wellLed")
UPDATE_STATUSES = ("NOT_STARTED", "ON_TRACK", "AT_RISK", "OFF_TRACK", "COMPLETE")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_ACTIONS = 50


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: dt.date) -> str:
    return month_of(day.replace(day=1) - dt.timedelta(days=1))


def update_overdue(published_on: dt.date, latest_month: str | None, today: dt.date) -> bool:
    """An update is due each month for the month before: a plan is overdue when it has none for
    last month, unless it was only published last month or this one."""
    last = previous_month(today)
    if month_of(published_on) >= last:
        return False
    return latest_month is None or latest_month < last


def clean_partnership(problems: Problems, given: dict[str, Any]) -> dict[str, Any]:
    director = given.get("improvementDirector") or {}
    row: dict[str, Any] = {
        "contractingBody": check_text(problems, "contractingBody", given.get("contractingBody"), TITLE, required=True),
        "startsOn": given.get("startsOn"), "endsOn": given.get("endsOn"),
        "scope": [text for i, item in enumerate(given.get("scope") or [])
                  if (text := check_text(problems, f"scope.{i}", item, SHORT, required=True))],
        "directorRole": check_text(problems, "improvementDirector.role", director.get("role"), SHORT, required=True),
        "directorName": None,
    }
    name = director.get("name")
    if name and not director.get("consented"):
        problems.add("improvementDirector.name", "CONSENT_REQUIRED",
                     "a person is named only if they agreed to be a contact: set consented, or give the role alone")
    elif name:
        row["directorName"] = check_text(problems, "contact.name", name, SHORT)
    if row["startsOn"] is None:
        problems.add("startsOn", "REQUIRED", "startsOn is required")
    if row["endsOn"] is not None and row["startsOn"] is not None and row["endsOn"] < row["startsOn"]:
        problems.add("endsOn", "BEFORE_START", "endsOn is before startsOn")
    if not row["scope"]:
        problems.add("scope", "REQUIRED", "name at least one service or theme the partnership covers")
    return row


def clean_actions(problems: Problems, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not given:
        problems.add("actions", "REQUIRED", "a plan has at least one action")
    if len(given) > MAX_ACTIONS:
        problems.add("actions", "TOO_MANY", f"at most {MAX_ACTIONS} actions")
    actions = []
    for i, item in enumerate(given[:MAX_ACTIONS]):
        due: dt.date | None = item.get("dueOn")
        actions.append({
            "position": i + 1,
            "title": check_text(problems, f"actions.{i}.title", item.get("title"), TITLE, required=True),
            "theme": check_text(problems, f"actions.{i}.theme", item.get("theme"), SHORT, required=True),
            "ownerRole": check_text(problems, f"actions.{i}.ownerRole", item.get("ownerRole"), SHORT, required=True),
            "dueOn": due.isoformat() if due else None,
            "measure": check_text(problems, f"actions.{i}.measure", item.get("measure"), SHORT),
        })
        if due is None:
            problems.add(f"actions.{i}.dueOn", "REQUIRED", "each action has a due date")
    return actions


def clean_updates(problems: Problems, month: str, given: list[dict[str, Any]], actions: list[str], published_on: dt.date,
                  today: dt.date) -> list[dict[str, Any]]:
    if not _MONTH.match(month or ""):
        problems.add("month", "INVALID_MONTH", f"'{(month or '')[:12]}' is not a month like 2026-11")
    elif month > month_of(today):
        problems.add("month", "IN_THE_FUTURE", f"{month} has not started yet")
    elif month < month_of(published_on):
        problems.add("month", "BEFORE_PLAN", f"the plan was published in {month_of(published_on)}")
    if not given:
        problems.add("updates", "REQUIRED", "give an update for at least one action")
    seen, updates = set(), []
    for i, item in enumerate(given):
        action = str(item.get("action") or "")
        if action not in actions:
            problems.add(f"updates.{i}.action", "NOT_FOUND", f"the plan has no action '{action[:40]}'")
        elif action in seen:
            problems.add(f"updates.{i}.action", "DUPLICATE", "one update per action in a month's update")
        seen.add(action)
        if item.get("status") not in UPDATE_STATUSES:
            problems.add(f"updates.{i}.status", "INVALID", "status is one of " + ", ".join(UPDATE_STATUSES))
        updates.append({"action": action, "month": month, "status": item.get("status"),
                        "progress": check_text(problems, f"updates.{i}.progress", item.get("progress"), SUMMARY, required=True),
                        "latestValue": item.get("latestValue")})
    return updates


def clean_inspection(problems: Problems, given: dict[str, Any], today: dt.date) -> dict[str, Any]:
    row: dict[str, Any] = {"overall": given.get("overall"), "source": check_text(problems, "source", given.get("source"), TITLE,
                                                                                 required=True)}
    if row["overall"] not in RATINGS:
        problems.add("overall", "INVALID", "overall is one of " + ", ".join(RATINGS))
    for name in DOMAINS:
        row[name] = given.get(name)
        if row[name] is not None and row[name] not in RATINGS:
            problems.add(name, "INVALID", f"{name} is one of " + ", ".join(RATINGS))
    inspected = given.get("inspectedOn")
    if inspected is None:
        problems.add("inspectedOn", "REQUIRED", "inspectedOn is required")
    elif inspected > today:
        problems.add("inspectedOn", "IN_THE_FUTURE", "an inspection is recorded once it has happened")
    row["inspectedOn"] = inspected.isoformat() if inspected else None
    return row


def _day(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def improvements(row: ImprovedRow, worse: set[str]) -> list[dict[str, Any]]:
    """How the organisation turned it round: each move from a rating in `worse` to a better one
    at the next inspection, and each exit from special measures; with the interventions it
    originated or adopted (stage 1 or above) in that period. A documented improvement with no
    dates recorded is kept, with every intervention it originated or adopted."""
    found: list[dict[str, Any]] = []
    inspections = sorted(row["inspections"], key=lambda x: x["inspectedOn"])
    for before, after in zip(inspections, inspections[1:]):
        if before["overall"] in worse and RATINGS.index(after["overall"]) > RATINGS.index(before["overall"]):
            found.append({"kind": "RATING", "fromRating": before["overall"], "toRating": after["overall"],
                          "fromDate": before["inspectedOn"], "toDate": after["inspectedOn"],
                          "source": after["source"], "synthetic": bool(after["synthetic"])})
    for period in row["periods"]:
        if period["exitedOn"] is not None:
            found.append({"kind": "SPECIAL_MEASURES", "fromRating": None, "toRating": None, "fromDate": period["enteredOn"],
                          "toDate": period["exitedOn"], "source": period["source"], "synthetic": bool(period["synthetic"])})
    if not found and row["note"]:
        found.append({"kind": "DOCUMENTED", "fromRating": None, "toRating": None, "fromDate": None, "toDate": None,
                      "source": f"{row['noteSource']}: {row['note']}", "synthetic": False})
    for item in found:
        start, end = _day(item["fromDate"]), _day(item["toDate"])

        def within(day: dt.date | None) -> bool:
            return start is None or end is None or (day is not None and start <= day <= end)

        item["organisation"] = row["organisation"]
        item["originated"] = sorted({i for i, day in row["originated"] if within(_day(day))})
        item["adopted"] = sorted({i for i, day, index in row["adopted"]
                                  if within(_day(day) or (Quarter.from_index(index).starts_on if index is not None else None))})
    return found

"""The three journeys in a real browser: Playwright driving Chromium against `collab serve` on
the real database. axe-core checks every page visited (WCAG 2.2 A and AA: no violations); the
provider's journey is done with the keyboard alone; any request to another host fails the test.

Chromium: COLLAB_CHROMIUM, else `chromium` on the PATH (Debian's package; `.ci/run` installs it
on a bare machine). Without one the tests are skipped with that reason, except under CI, where
they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from axe_playwright_python.async_playwright import Axe

from collab_api.db.graph import Graph
from collab_api.db.local_server import free_port
from collab_api.qart.layout import ADULT_PAEDS
from tests.conftest import TestServer, serve_collab
from tests.qart_workbooks import site_row, workbook_bytes

CHROMIUM = os.environ.get("COLLAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    if os.environ.get("CI"):
        raise RuntimeError("no Chromium for the browser tests: .ci/run installs Debian's chromium")
    pytest.skip("no Chromium found (set COLLAB_CHROMIUM or install Debian's chromium)", allow_module_level=True)

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
COLLAB = str(Path(sys.executable).parent / "collab")


@pytest.fixture(scope="module")
def server(test_server: TestServer, seeded: Graph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`collab serve` in development mode on this module's seeded database."""
    with serve_collab(test_server, seeded.database, tmp_path_factory.mktemp("browser-data")) as base:
        yield base


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


class Visit:
    """A page, the requests it tried to send elsewhere, and the axe results of every page seen."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.outside: list[str] = []
        self.violations: dict[str, list[str]] = {}
        self.checked: list[str] = []

    async def axe(self) -> None:
        """axe-core on the page as it is now: WCAG 2.2 A and AA."""
        results = await Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG}})
        found = [f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})" for v in results.response["violations"]]
        path = urllib.parse.urlsplit(self.page.url).path
        self.checked.append(path)
        if found:
            self.violations[path] = found

    async def go(self, path: str) -> None:
        response = await self.page.goto(self.base + path)
        assert response is not None and response.status < 500, f"{path}: {response.status if response else None}"
        await self.axe()

    async def sign_in(self, role: str, scope: str = "") -> None:
        await self.go("/dev/sign-in")
        await self.page.check(f"input[name=role][value={role}]")
        if role == "LEAD":
            await self.page.select_option("#collaborative", scope)
        if role == "PROVIDER":
            await self.page.fill("#organisation", scope)
        await self.page.click("main button[type=submit]")
        await self.page.wait_for_load_state()

    async def submit(self, label: str) -> None:
        async with self.page.expect_navigation():
            await self.page.get_by_role("button", name=label).click()
        await self.axe()


@pytest.fixture
async def visit(browser: Browser, server: str) -> AsyncIterator[Visit]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    current = Visit(page, server)

    async def only_this_host(route: Any) -> None:
        if urllib.parse.urlsplit(route.request.url).netloc == urllib.parse.urlsplit(server).netloc:
            await route.continue_()
        else:
            current.outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_this_host)
    yield current
    await context.close()
    assert current.outside == [], "requests to other hosts"
    assert current.violations == {}, "axe-core violations (WCAG 2.2 AA)"


async def _tab_to(page: Page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def _press_to_navigate(page: Page, key: str) -> None:
    async with page.expect_navigation():
        await page.keyboard.press(key)


async def test_provider_journey_with_the_keyboard_alone(visit: Visit) -> None:
    page = visit.page
    await visit.go("/dev/sign-in")
    await _tab_to(page, "input[name=role]")
    await page.keyboard.press("Space")       # the first role (national) ...
    for _ in range(2):
        await page.keyboard.press("ArrowDown")  # ... then down to "Provider organisation"
    assert await page.is_checked("input[name=role][value=PROVIDER]")
    await _tab_to(page, "#organisation")
    await page.keyboard.type("ZC063")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "Care Home 63 (ZC063)" in await page.inner_text("header"), "the organisation by name, with its code"

    await _tab_to(page, "#q")                   # the front page's search box
    await page.keyboard.type("falls at night")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "/search?q=falls+at+night" in page.url
    await _tab_to(page, "#careSetting")        # a filter, chosen with the keyboard
    await page.keyboard.type("Care home")
    await _tab_to(page, "form[action='/search'] button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "careSetting=CARE_HOME" in page.url
    await _tab_to(page, "a[href='/interventions/falls-care-homes']")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert await page.inner_text("h1") == "Falls prevention and post-fall decisions in care homes"
    await _tab_to(page, "a[href='/interventions/falls-care-homes/adopt']")
    await _press_to_navigate(page, "Enter")
    await visit.axe()

    await _tab_to(page, "#quarter")            # this quarter is chosen already; choose none ...
    await page.keyboard.press("Home")
    await _tab_to(page, "input[name=stage]")   # ... a stage, but no quarter: an error beside the field
    await page.keyboard.press("Space")
    for _ in range(3):
        await page.keyboard.press("ArrowDown")
    assert await page.is_checked("input[name=stage][value='3']")
    await _tab_to(page, "main form button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert (await page.title()).startswith("Error: ")
    assert "Enter the quarter, for example 2025/26 Q1" in await page.inner_text("#quarter-error")
    await _tab_to(page, "#quarter")
    await page.keyboard.type("2025/26 Q2")
    await _tab_to(page, "#adaptations-0-what")
    await page.keyboard.type("Checks at the night handover")
    await _tab_to(page, "main form button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert page.url.endswith("/organisations/ZC063")
    assert "recorded for 2025/26 Q2" in await page.inner_text("main")


async def test_a_forbidden_action_is_refused_on_the_page(visit: Visit) -> None:
    await visit.sign_in("PROVIDER", "Z43")
    await visit.go("/returns")
    assert await visit.page.inner_text("h1") == "You cannot do this"
    assert "a provider may not import" in (await visit.page.inner_text("main")).lower()
    await visit.go("/national/audit")
    assert await visit.page.inner_text("h1") == "You cannot do this"


async def test_lead_journey(visit: Visit, tmp_path: Path) -> None:
    page = visit.page
    await visit.sign_in("LEAD", "KSS")
    await visit.go("/collaboratives/KSS")
    await page.fill("#title", "Safer transfers between wards")
    await visit.submit("Set priority")
    assert "Enter" in await page.inner_text("#harmArea-error") or await page.inner_text("#harmArea-error")
    assert await page.input_value("#title") == "Safer transfers between wards"  # nothing typed is lost
    await page.select_option("#harmArea", "Deterioration")
    await visit.submit("Set priority")
    assert "Priority 'Safer transfers between wards' set." in await page.inner_text("main")

    await page.get_by_role("link", name="Publish an intervention").click()
    await page.wait_for_load_state()
    await visit.axe()
    await page.fill("#title", "Sepsis screening in the emergency department")
    await page.fill("#summary", "Screen every adult with a NEWS2 of 5 or more for sepsis at triage and give antibiotics within the hour")
    await page.check("input[name=careSettings][value=ACUTE]")
    await visit.submit("Publish")
    assert "This looks like an existing intervention" in await page.inner_text("main")
    await visit.submit("Publish anyway")
    assert "is published" in await page.inner_text("main")

    await visit.go("/returns")
    content = workbook_bytes({ADULT_PAEDS.name: [site_row("Z43", "Z4301", {"G": "Stage 6 - Spread", "H": "stage eleven"})]})
    workbook = tmp_path / "KSS 2025-26 Q2 returned.xlsx"
    workbook.write_bytes(content)
    await page.set_input_files("#file", str(workbook))
    await visit.submit("Check the workbook")
    assert "Check before importing" in await page.inner_text("main")
    assert "stage eleven" in await page.inner_text("#rejections")
    await visit.submit("Confirm and import")
    assert "Imported KSS 2025-26 Q2 returned.xlsx for 2025/26 Q2" in await page.inner_text("main")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download the workbook").click()
    assert (await download.value).suggested_filename.endswith(".xlsx")

    # Any other intervention's return: found by its title, downloaded, filled in, sent back.
    await page.get_by_text("Returns for another intervention").click()
    await page.fill("#find", "falls")
    await visit.submit("Find")
    await page.get_by_role("link", name="Falls prevention and post-fall decisions in care homes").click()
    await page.wait_for_load_state()
    assert await page.inner_text("h1") == "Falls prevention and post-fall decisions in care homes"
    await visit.axe()
    await page.select_option("#download-quarter", "2025/26 Q2")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download the workbook").click()
    falls = tmp_path / "falls.xlsx"
    await (await download.value).save_as(falls)
    book = load_workbook(falls)
    book["Care home"]["E7"] = "Stage 2 - Interest"
    returned = tmp_path / "KSS 2025-26 Q2 falls returned.xlsx"
    book.save(returned)
    await page.set_input_files("#file", str(returned))
    await visit.submit("Check the workbook")
    assert "1 new, 0 corrected" in await page.inner_text("main")
    await visit.axe()
    await visit.submit("Confirm and import")
    assert "Imported KSS 2025-26 Q2 falls returned.xlsx" in await page.inner_text("main")
    assert "Falls prevention and post-fall decisions in care homes" in await page.inner_text("#uploads + div table")


async def test_national_journey(visit: Visit) -> None:
    page = visit.page
    await visit.sign_in("NATIONAL")
    await visit.go("/national")
    await visit.go("/interventions/marthas-rule/spread")
    await page.select_option("#quarter", "2025/26 Q4")
    await page.select_option("#compareWith", "2025/26 Q3")
    await page.select_option("#careSetting", "ADULT_INPATIENT")
    await visit.submit("Show")
    assert "quarter=2025%2F26+Q4" in page.url and "careSetting=ADULT_INPATIENT" in page.url
    assert await page.locator("svg[aria-labelledby^=chart-]").count() == 2
    assert await page.locator("svg[aria-labelledby^=map-spread-]").count() == 1
    assert "Movement since 2025/26 Q3" in await page.inner_text("main")
    async with page.expect_download() as download:
        await page.locator("a[href*='byCollaborative.csv']").click()
    path = await (await download.value).path()
    assert Path(path).read_text(encoding="utf-8").splitlines()[-1].startswith("England,")
    await page.get_by_role("link", name="quarterly report").click()
    await visit.go(page.url.replace(visit.base, ""))  # checked with axe like every page visited
    await page.locator("summary", has_text="Adult inpatients").first.click()  # open one stage table
    assert await page.locator("#table-stages-adult_inpatient").is_visible()
    assert "collaboratives returned for 2025/26 Q4" in await page.inner_text("main")
    await visit.go("/interventions/news2-deterioration/lineage")
    assert "Regions reached, in the order reached" in await page.inner_text("main")
    await visit.go("/national/audit")
    assert "changes, newest first" in await page.inner_text("main")
    await visit.go("/organisations/Z47/measures/news2-deterioration")
    assert await page.locator("svg[aria-labelledby^=xmr-]").count() == 1
    assert "Special cause variation of an improving nature" in await page.inner_text("main")
    await visit.go("/national/improvement")
    assert "Plans whose monthly update is overdue" in await page.inner_text("main")


async def test_every_other_page_passes_axe_signed_out_and_narrow(visit: Visit) -> None:
    await visit.page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/search?q=deterioration", "/interventions/marthas-rule", "/interventions/marthas-rule/spread",
                 "/interventions/marthas-rule/quarterly-report", "/interventions/marthas-rule/lineage",
                 "/national/improvement", "/plans/demo-plan-Z12", "/collaboratives", "/collaboratives/KSS", "/organisations/Z43",
                 "/national", "/about", "/accessibility", "/interventions/nope", "/sign-in"):
        await visit.go(path)
    assert len(visit.checked) >= 16


async def test_signed_in_and_narrow_the_header_menu_fits(visit: Visit) -> None:
    """A lead's header has more links than fit in 390 px: the NHS.UK frontend's script (which
    must load and start) folds them into a "More" menu, so nothing overflows the page."""
    await visit.page.set_viewport_size({"width": 390, "height": 844})
    await visit.sign_in("LEAD", "KSS")
    for path in ("/", "/returns", "/interventions/news2-deterioration/adopt"):
        await visit.go(path)
        assert await visit.page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert await visit.page.locator(".nhsuk-header__menu-toggle").is_visible(), path
    await visit.page.click(".nhsuk-header__menu-toggle")
    assert await visit.page.get_by_role("link", name="Quarterly returns").is_visible()


async def test_the_map_of_spread_at_390_px_and_its_play_through_the_quarters(visit: Visit) -> None:
    """Martha's Rule's spread page: England with the 15 territories and every site placed, readable
    at 390 px, offline; "play" swaps in each quarter's map in turn, which then passes axe too."""
    page = visit.page
    await page.set_viewport_size({"width": 390, "height": 844})
    await visit.sign_in("NATIONAL")
    await visit.go("/interventions/marthas-rule/spread?quarter=2025%2F26+Q4")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    drawn = page.locator("svg.app-map")
    assert await drawn.is_visible() and (await drawn.bounding_box() or {}).get("width", 0) >= 300
    assert await page.locator("svg.app-map g.map-areas path").count() == 42  # the ICBs, within the 15 territories' borders
    sites = await page.locator("svg.app-map use").count()
    assert sites >= 80 and f"The {sites} sites on the map" in await page.inner_text("main")
    assert "2025/26 Q4" in await page.inner_text("#map-heading")
    await page.get_by_role("button", name="Play through the quarters").click()
    await page.locator("[data-map-play-status]", has_text="Showing").wait_for()  # the page's CSP allows no eval
    first_shown = (await page.inner_text("[data-map-play-status]")).split("Showing ")[1].split(" (")[0]
    assert first_shown in await page.inner_text("#map-heading")
    await page.get_by_role("button", name="Stop").click()
    await visit.axe()
    for path in ("/interventions/marthas-rule/quarterly-report", "/organisations/Z3501",
                 "/interventions/hydration-care-homes/lineage"):
        await visit.go(path)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert await page.locator("svg.app-map").count() == 1, path


async def test_graphiql_works_offline_with_a_token_field(visit: Visit) -> None:
    page = visit.page
    await page.goto(visit.base + "/graphql")
    await page.wait_for_selector(".graphiql-container", timeout=20000)
    assert await page.is_visible("#token")


async def test_asking_following_and_notifications_with_the_keyboard_alone(visit: Visit) -> None:
    """A care home asks the people who did it, follows the intervention, and asks the network
    from a search that found nothing; every page passes axe."""
    page = visit.page
    await visit.sign_in("PROVIDER", "ZC063")
    await visit.go("/interventions/falls-care-homes")
    await _tab_to(page, "#text")
    await page.keyboard.type("How did you get night staff to use the post-fall tool?")
    await _tab_to(page, "form[action$='/questions'] button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "/questions/q-" in page.url and "night staff" in await page.inner_text("h1")
    await visit.go("/interventions/falls-care-homes")
    await _tab_to(page, "form[action='/follow'] button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "Stop following this intervention" in await page.inner_text("main")
    await visit.go("/search?q=zzqxv+qqvz")
    await _tab_to(page, "a[href^='/questions/ask']")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    await _tab_to(page, "#text")
    await page.keyboard.press("End")
    await page.keyboard.type(": who has run PINCER searches in care homes?")
    await _tab_to(page, "main form button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "A question to the network" in await page.inner_text("main")
    await visit.go("/notifications")
    assert "What you follow" in await page.inner_text("main")
    await visit.go("/questions?show=all")
    assert "PINCER" in await page.inner_text("main")


async def test_national_records_and_the_plan_update_pass_axe_and_work_by_keyboard(visit: Visit) -> None:
    page = visit.page
    await visit.sign_in("NATIONAL")
    for path in ("/national/partnerships/new", "/organisations/Z05/inspections/new", "/organisations/Z05/special-measures/new",
                 "/national/redact", "/national/improvement", "/questions", "/national/harm-areas"):
        await visit.go(path)
    await visit.sign_in("LEAD", "KSS")
    await visit.go("/collaboratives/KSS")
    change = page.locator("a[href$='/edit'][href^='/collaboratives/KSS/priorities/']").first
    target = await change.get_attribute("href")
    await visit.go(target or "/collaboratives/KSS")
    await visit.go((target or "").replace("/edit", "/retire"))
    await visit.sign_in("PROVIDER", "Z12")
    await visit.go("/plans/demo-plan-Z12")
    await _tab_to(page, "a[href='/plans/demo-plan-Z12/update']")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    await _tab_to(page, "#status-0")
    await page.keyboard.type("On track")
    await _tab_to(page, "#progress-0")
    await page.keyboard.type("All twelve wards trained (keyboard test)")
    await _tab_to(page, "main form button[type=submit]")
    await _press_to_navigate(page, "Enter")
    await visit.axe()
    assert "All twelve wards trained (keyboard test)" in await page.inner_text("main")


async def test_the_organisation_finder_suggests_as_you_type_and_the_choice_is_found(visit: Visit) -> None:
    """With JavaScript, the finder's field suggests organisations as a person types (keyboard
    alone: type, arrow down, Enter); the chosen "Name (CODE)" is found on the server."""
    page = visit.page
    await visit.sign_in("NATIONAL")
    await visit.go("/national/partnerships/new")
    await page.locator("#supporting[role=combobox]").wait_for()  # enhanced once the script has loaded
    await _tab_to(page, "#supporting")
    assert "supporting-hint" in (await page.get_attribute("#supporting", "aria-describedby") or "")
    await page.keyboard.type("Kent and")
    option = page.locator("#supporting__listbox li", has_text="Demo Kent and Medway").first
    await option.wait_for()  # the suggestions for what was typed, whatever showed while typing
    chosen = await option.inner_text()
    assert chosen.startswith("Demo Kent and Medway") and chosen.endswith(")")
    await visit.axe()  # with the suggestions open
    for _ in range(20):  # down the list to it
        await page.keyboard.press("ArrowDown")
        if await page.get_attribute("#supporting", "aria-activedescendant") == await option.get_attribute("id"):
            break
    await page.keyboard.press("Enter")
    assert await page.input_value("#supporting") == chosen
    await visit.submit("Record the partnership")
    assert await page.locator("#supporting-error").count() == 0  # found: the other fields' errors only
    assert await page.locator("#supported-error").count() == 1
    assert await page.input_value("#supporting") == chosen


async def test_on_a_phone_the_filters_fold_so_the_first_result_is_on_the_first_screen(browser: Browser, server: str) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    try:
        await page.goto(server + "/search?q=falls")
        await page.wait_for_load_state("networkidle")
        assert await page.get_attribute("details.app-filters-details", "open") is None, "folded on a phone"
        first = await page.locator("main .nhsuk-card__heading a").first.bounding_box()
        assert first is not None and first["y"] < 844, f"the first result starts at {first}"
        results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.response["violations"] == []
        await page.goto(server + "/search?q=falls&careSetting=CARE_HOME")
        await page.wait_for_load_state("networkidle")
        assert await page.get_attribute("details.app-filters-details", "open") is not None, "a filter chosen: left open"
    finally:
        await context.close()

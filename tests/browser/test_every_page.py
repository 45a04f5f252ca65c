"""Every page, as every role of the demo fund: no CSP violation, no console error, no 5xx, strict headers.

Each role (and the province's regional login) logs in on the Hồng Sơn demo fund and crawls from "/"
along every same-origin link and GET form, and from every GET route of the app, so that pages no link
leads to are opened too; of each kind of page it opens three (three people's files, not all of them).
A link must open; a route the role may not use may refuse (400, 403, 404). Downloads (CSV, XLSX, a
person's JSON) are fetched in the same session and checked for their status and headers only.

A second test works the htmx parts that matter, some on a phone: the people search as you type, the
team's inline editor, the review's to-do list, the quick visit form, the repayment form and the
donation form's inline new donor.
"""

import datetime as dt
import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.conftest import serving
from tracker import clock
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.extensions import db
from tracker.models import (
    CashCount,
    CommitteeMember,
    Donation,
    Donor,
    Fund,
    Loan,
    Person,
    Repayment,
    Transfer,
)

ROLES = ("chair", "treasurer", "member", "viewer", "tinh")  # tinh: the province's regional login
PAGES_PER_ROLE = 250
PER_KIND = 3  # pages of one kind (same path with the ids blanked, same query keys) to open
EXPECTED_CONSOLE = ("status of 422",)  # a refused htmx form comes back with the errors: expected
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
DOWNLOAD = re.compile(r"[?&]format=(csv|xlsx|json|docx)\b|/export$|\.xlsx$")  # /import/template.xlsx

# The address each GET form (search, filters, report dates, the review's period) leads to as filled in.
GET_FORMS = """forms => forms.filter(f => f.method === "get").map(f => {
  const url = new URL(f.action);
  url.search = new URLSearchParams(new FormData(f)).toString();
  return url.href;
})"""

DUPLICATE_IDS = """() => {
  const seen = {};
  for (const element of document.querySelectorAll("[id]")) seen[element.id] = (seen[element.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""

# Playwright injects this before the page's own scripts (it is not subject to the page's CSP); it
# makes each violation a console error even where Chromium would only report it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def demo_server(app):
    """The app with the demo fund (and no test seed: its logins share the demo's usernames)."""
    with app.app_context():
        load_demo()
        db.session.commit()
    with serving(app) as base_url:
        yield base_url


# Where a route's <int:...> comes from when it is opened as an entry point.
ID_SOURCES = {
    "person_id": Person,
    "loan_id": Loan,
    "member_id": CommitteeMember,
    "donation_id": Donation,
    "donor_id": Donor,
    "repayment_id": Repayment,
    "fund_id": Fund,
    "transfer_id": Transfer,
    "count_id": CashCount,
}


@pytest.fixture
def entry_points(app, demo_server) -> list[str]:
    """Every GET route of the app, with the demo's first ids: pages no link leads to are opened too."""
    urls = set()
    with app.test_request_context():
        ids = {
            name: db.session.scalar(sa.select(sa.func.min(model.id))) for name, model in ID_SOURCES.items()
        }
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static" and rule.arguments <= ids.keys():
                urls.add(url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    return sorted(urls)


def header_problems(url: str, headers: dict[str, str]) -> list[str]:
    """What is missing from a page's security headers (names in lower case, as Playwright gives them)."""
    found = []
    policy = headers.get("content-security-policy", "")
    if "default-src 'self'" not in policy:
        found.append(f"{url}: Content-Security-Policy lacks default-src 'self': {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        found.append(f"{url}: Content-Security-Policy allows unsafe-inline or unsafe-eval: {policy!r}")
    if "frame-ancestors 'none'" not in policy:
        found.append(f"{url}: Content-Security-Policy lacks frame-ancestors 'none'")
    if headers.get("x-content-type-options") != "nosniff":
        found.append(f"{url}: X-Content-Type-Options is {headers.get('x-content-type-options')!r}")
    if headers.get("referrer-policy") != "same-origin":
        found.append(f"{url}: Referrer-Policy is {headers.get('referrer-policy')!r}")
    if "no-store" not in headers.get("cache-control", ""):
        found.append(f"{url}: Cache-Control is {headers.get('cache-control')!r}, not no-store")
    return found


def kind_of(url: str) -> tuple:
    """Pages of one kind: the same path with its ids blanked and the same query keys."""
    parts = urlsplit(url)
    return re.sub(r"/\d+", "/<id>", parts.path), tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


class Visit:
    """One role's crawl, with everything wrong that it saw."""

    def __init__(self, context, base: str, axe: bool = False):
        self.context = context
        self.base = base
        self.axe = axe  # also run axe-core at both widths on the first page of each kind
        self.axed: set[tuple] = set()
        self.page = context.new_page()
        self.problems: list[str] = []
        self.opened: list[str] = []
        self.console: list[tuple[str, str, str]] = []  # (page, text, url of the resource) not yet judged
        self.fragments: set[str] = set()
        self.page.on("console", self.on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: {error}"))

    def on_console(self, message):
        if message.type == "error" and not any(text in message.text for text in EXPECTED_CONSOLE):
            self.console.append((self.page.url, message.text, message.location.get("url", "")))

    def judge_console(self, expected=lambda text, resource: False) -> None:
        self.problems += [
            f"{page}: console error {text} ({resource})"
            for page, text, resource in self.console
            if not expected(text, resource)
            # An htmx fragment opened on its own (an entry point) has no <head> naming the icon,
            # so the browser asks for /favicon.ico, which the app does not serve.
            and not (page in self.fragments and resource.endswith("/favicon.ico"))
        ]
        self.console.clear()

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit].primary")
        assert "/login" not in self.page.url, f"{username} could not log in"

    def same_site(self, href: str) -> str | None:
        url = urldefrag(urljoin(self.page.url, href)).url
        return url if url.startswith(self.base + "/") else None

    def open(self, url: str, entry: bool = False) -> list[str]:
        """Open a page, check it, and return the pages it leads to (its links and its GET forms).
        An entry point a role may not open (400, 403, 404) is skipped; a link must open."""
        self.judge_console()
        self.opened.append(url)
        if DOWNLOAD.search(url):
            response = self.context.request.get(url)
            status, headers = response.status, response.headers
        else:
            response = self.page.goto(url)
            status, headers = (response.status, response.all_headers()) if response else (0, {})
        if status >= 400 or status == 0:
            if entry and status in (400, 403, 404):
                # Chromium logs the refusal of the page itself as a console error: expected here.
                self.judge_console(lambda text, resource: resource == url)
            else:
                self.problems.append(f"{url}: answered {status}")
            return []
        if not DOWNLOAD.search(url) and "<html" not in response.text():
            self.fragments.add(url)
        self.problems.extend(header_problems(url, headers))
        if DOWNLOAD.search(url):
            return []
        if self.axe and url not in self.fragments and kind_of(url) not in self.axed:
            self.axed.add(kind_of(url))
            self.problems += self.axe_at_both_widths()
        targets = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        targets += self.page.eval_on_selector_all("form", GET_FORMS)
        return [url for url in map(self.same_site, targets) if url]

    def axe_at_both_widths(self) -> list[str]:
        # axe-core 4.12 no longer reports ids used twice; a label's "for" then names the wrong element
        found = [f"{self.page.url}: id {name!r} used twice" for name in self.page.evaluate(DUPLICATE_IDS)]
        found += axe_violations(self.page)
        self.page.set_viewport_size(PHONE)
        found += axe_violations(self.page)
        self.page.set_viewport_size(DESKTOP)
        return found

    def crawl(self, entry_points: list[str], per_kind: int = PER_KIND) -> None:
        """Breadth first from the dashboard, then from every route; a few pages of each kind."""
        seen = {f"{self.base}/"}
        kinds = Counter()
        queue = deque([(f"{self.base}/", True)])
        for path in entry_points:
            url = self.base + path
            if url not in seen:
                seen.add(url)
                queue.append((url, True))
        while queue and len(self.opened) < PAGES_PER_ROLE:
            url, entry = queue.popleft()
            for link in self.open(url, entry):
                kind = kind_of(link)
                if link not in seen and kinds[kind] < per_kind:
                    seen.add(link)
                    kinds[kind] += 1
                    queue.append((link, False))


@pytest.fixture
def visit(browser, demo_server):
    """visit(role) -> a crawl in a fresh browser context, logged in as that role."""
    contexts = []

    def make(username: str, axe: bool = False) -> Visit:
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        crawl = Visit(context, demo_server, axe=axe)
        crawl.log_in(username)
        return crawl

    yield make
    for context in contexts:
        context.close()


def test_every_page_as_every_role_is_clean(visit, entry_points):
    problems, opened = [], {}
    for role in ROLES:
        crawl = visit(role)
        crawl.crawl(entry_points)
        crawl.judge_console()
        problems += crawl.problems
        opened[role] = crawl.opened
    summary = {role: len(urls) for role, urls in opened.items()}
    print(f"pages opened per role: {summary}")
    assert all(len(urls) >= 10 for role, urls in opened.items() if role != "tinh"), summary
    assert problems == [], "\n".join(problems)


def test_every_page_as_every_role_passes_axe_at_both_widths(visit, entry_points):
    """axe-core's WCAG 2.2 AA rules on each page the crawl opens, at 1280 and 360 px."""
    problems, opened = [], {}
    for role in ROLES:
        crawl = visit(role, axe=True)
        crawl.crawl(entry_points, per_kind=1)
        crawl.judge_console()
        problems += crawl.problems
        opened[role] = len(crawl.axed)
    print(f"kinds of page checked per role: {opened}")
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_htmx_parts_work_without_a_csp_violation(visit):
    today = clock.today()

    # the chair: people search as you type, a filter, the team's inline editor, the review's list
    chair = visit("chair")
    page = chair.page
    page.goto(f"{chair.base}/people")
    page.fill("#q", "dung")
    expect(page.locator("#people-results")).to_contain_text("Lê Văn Dũng")
    expect(page.locator("#people-results")).not_to_contain_text("Hoàng Văn Nam")
    page.fill("#q", "")
    page.select_option("#filter-status", "supported")
    expect(page.locator("#people-results")).to_contain_text("Hoàng Văn Nam")
    page.goto(f"{chair.base}/members")
    card = page.locator("article.member", has_text="Lê Minh Tuấn")
    card.locator("text=Sửa").click()
    expect(page.locator("article.member.editing")).to_have_count(1)
    page.locator("article.member.editing").locator("text=Hủy").click()
    expect(page.locator("article.member.editing")).to_have_count(0)
    page.goto(f"{chair.base}/reports/review?period={today.year}")
    page.click("#next-steps summary")
    page.fill("#next-steps textarea[name=text]", "Thăm hỏi dịp Tết\nHọp Tổ quý I")
    page.click("#next-steps button[type=submit]")
    expect(page.locator("#next-steps")).to_contain_text("Họp Tổ quý I")

    # a member on a phone: the quick visit form, refused once and then recorded, in place
    member = visit("member")
    page = member.page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{member.base}/people")
    page.locator("#people-results a", has_text="Trịnh Văn Hải").first.click()
    form = page.locator("#visit-form")
    form.locator("input[name=visited_on]").fill((today + dt.timedelta(days=3)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-form #visited_on-error")).to_be_visible()
    form.locator("input[name=visited_on]").fill(today.isoformat())
    form.locator("textarea[name=summary]").fill("Đã gặp ở nhà, chuồng bò sạch sẽ.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-timeline")).to_contain_text("chuồng bò sạch sẽ")

    # the treasurer: a repayment on an active loan, refused once and then recorded, in place
    treasurer = visit("treasurer")
    page = treasurer.page
    page.goto(f"{treasurer.base}/loans?status=active")
    page.locator("a[href*='/loans/']").filter(has_text=re.compile(r"\d")).first.click()
    repayment = "#loan-money form:has(input[name=amount])"
    page.locator(f"{repayment} input[name=amount]").fill("1,5")
    page.locator(f"{repayment} button[type=submit]").click()
    expect(page.locator("#loan-money .field-error")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    page.locator(f"{repayment} input[name=amount]").fill("1.000")
    page.locator(f"{repayment} button[type=submit]").click()
    expect(page.locator("#flashes .flash-success")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    # and the donation form's inline new donor
    page.goto(f"{treasurer.base}/donations")
    page.click("#donor-picker a[hx-get]")
    expect(page.locator("#new-donor input[name=name]")).to_be_visible()

    for role in (chair, member, treasurer):
        role.judge_console()
    problems = chair.problems + member.problems + treasurer.problems
    assert problems == [], "\n".join(problems)

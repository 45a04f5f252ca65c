"""Browser tests: Playwright driving Debian's Chromium against the app served in a thread."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.conftest import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# WCAG 2.2 level AA, as axe-core tags it (2.0, 2.1 and 2.2's A and AA rules; 2.2 added no A rule axe checks).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must install it")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_server(app, seed):
    """The app on a free port; yields its base URL."""
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def problems(page):
    """Console errors and CSP violations seen by the page; a test asserts the list stays empty."""
    seen = []
    # Chromium logs every 4xx as a console error; 422 is our answer to a refused form (the
    # form comes back with the error next to the field), so it is expected, not a problem.
    expected = ("status of 422",)

    def on_console(msg):
        if msg.type == "error" and not any(text in msg.text for text in expected):
            seen.append(f"{page.url}: {msg.text} @ {msg.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")


def axe_violations(page) -> list[str]:
    """What axe-core finds wrong on the page as it stands, one line per element (empty when clean)."""
    # Injected once per document (it is 560 KB), not again for the second width.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)
    return [
        f"{page.url} at {page.viewport_size['width']}px: {rule['id']} ({rule['impact']}) "
        f"{' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()} "
        f"{node['html'][:160]}"
        for rule in violations
        for node in rule["nodes"]
    ]

"""Offline benchmark: the member's visit queue on a village network, in a real Chromium.

    .venv/bin/python bench/offline.py                  # 400 kbit/s, 400 ms, 5 runs
    .venv/bin/python bench/offline.py --kbits 256 --latency 600 --runs 3

The demo fund in a throwaway database, served by werkzeug in a thread; Debian's Chromium through
Playwright at 360 px. The network is slowed in front of the app (SlowLink): each answer starts
`latency` ms after its request, and all answers share one downlink of `kbits`. Not by CDP's
Network.emulateNetworkConditions: it slows the page's own requests but not the service worker's,
so a page the worker fetches looked 4 times faster than it is (0.15 s for 0.67 s). The target
(issue 20): the queue opens in under 3 s the first time and under 1 s after. Times are from the
navigation to the `load` event (the queue is on screen and the scripts have run), the median of
the runs:

- first time: a phone that has never opened the app, already logged in (the login itself is
  timed apart): empty HTTP cache, no service worker, nothing kept;
- again: the same phone a little later (the worker runs, the static files are kept; the page
  itself is asked of the server: it is never served stale while the network is there);
- offline: the network gone, the queue from the copy kept on the phone.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phone import demo_app  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tracker.commands import demo  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class SlowLink:
    """WSGI middleware: a village network between the phone and the app, for every request
    (the page's and the service worker's alike)."""

    def __init__(self, app, kbits: int, latency_ms: int):
        self.app = app
        self.rate = kbits * 1000 / 8  # bytes per second
        self.latency = latency_ms / 1000
        self.lock = threading.Lock()
        self.free_at = 0.0  # when the shared downlink has sent what it was given

    def __call__(self, environ, start_response):
        time.sleep(self.latency)
        body = self.app(environ, start_response)
        try:
            for chunk in body:
                self.send(len(chunk))
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()

    def send(self, size: int) -> None:
        with self.lock:
            start = max(time.perf_counter(), self.free_at)
            self.free_at = until = start + size / self.rate
        time.sleep(max(0.0, until - time.perf_counter()))


def timed_goto(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    return time.perf_counter() - start


def one_run(browser, base: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    times = {"login page, empty cache": timed_goto(page, f"{base}/login")}
    page.fill("input[name=username]", "member")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    start = time.perf_counter()
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"{base}/", wait_until="load")
    times["log in (post, dashboard)"] = time.perf_counter() - start

    # the first time: the same login on a phone that has kept nothing yet
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60_000)
    page.evaluate(
        """async () => {
          for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
          for (const name of await caches.keys()) await caches.delete(name);
        }"""
    )
    cdp.send("Network.clearBrowserCache")
    page.goto("about:blank")
    times["the queue, first time"] = timed_goto(page, f"{base}/visits")
    # what the page then keeps in the background (worker, visit forms) is done before "again"
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60_000)
    page.evaluate("navigator.serviceWorker.ready")
    page.goto("about:blank")
    times["the queue, again"] = timed_goto(page, f"{base}/visits")
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60_000)
    page.goto("about:blank")
    context.set_offline(True)
    times["the queue, offline (kept copy)"] = timed_goto(page, f"{base}/visits")
    context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kbits", type=int, default=400)
    parser.add_argument("--latency", type=int, default=400, help="ms added to every request")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        app.wsgi_app = SlowLink(app.wsgi_app, args.kbits, args.latency)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        runs = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                runs.append(one_run(browser, base))
            browser.close()
        server.shutdown()
    print(f"{args.kbits} kbit/s, {args.latency} ms per answer, median of {args.runs} runs (min–max)\n")
    print("| step | time |")
    print("|---|---:|")
    for name in runs[0]:
        values = [run[name] for run in runs]
        print(f"| {name} | {statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f}) |")


if __name__ == "__main__":
    main()

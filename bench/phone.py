"""Phone benchmark: the bytes of the main phone pages with and without compression, and what they
cost on a village network (a phone at 400 kbit/s with a 400 ms round trip, and 256 kbit/s).

    .venv/bin/python bench/phone.py                 # the demo fund in a throwaway database
    .venv/bin/python bench/phone.py --kbits 256 --rtt 600

Requests go through Flask's test client, so the bytes are the app's own (bodies; headers are
about 0.4 KB a response and left out). Time on the network is modelled, not measured:
round trips × RTT + bytes ÷ bandwidth. Each step of the member's visit flow (log in, the queue,
a person's file, save a visit) is given with an empty and a warm cache (the stylesheet and
scripts are kept by address and digest: a warm cache asks for none of them), and as a ratio to
one round trip: the floor a step can reach.
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app  # noqa: E402
from tracker.commands import demo  # noqa: E402

# what Chromium sends, and what a client that cannot decompress sends
COMPRESSED = {"Accept-Encoding": "gzip, deflate, br, zstd"}
PLAIN = {"Accept-Encoding": "identity"}
STATIC = ("style.css", "app.js", "htmx.min.js", "favicon.svg")


@dataclass
class Step:
    name: str
    round_trips: int  # in series (the static files of one page count as one, fetched together)
    plain: int  # bytes without compression
    packed: int  # bytes as a browser gets them


def demo_app(folder: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'phone.sqlite3'}",
            "SECRET_KEY": "bench",
            "LOGIN_MAX_FAILURES": 1000,
        }
    )
    app.instance_path = str(folder)
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(args=args)
        if result.exit_code:
            raise SystemExit(f"flask {' '.join(args)} failed: {result.output}")
    return app


def hidden_inputs(html: str, form_marker: str) -> dict[str, str]:
    """The hidden fields (CSRF token, once key, person) of the form that holds form_marker."""
    start = html.rfind("<form", 0, html.index(form_marker))
    form = html[start : html.index("</form>", start)]
    return dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)) | dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form)
    )


def both(client, method: str, url: str, **kwargs) -> tuple[int, int, object]:
    """(plain bytes, compressed bytes, the compressed response) of one request. A GET is asked both
    ways; a write is sent once, and its plain size is its compressed body's, decompressed."""
    headers = kwargs.pop("headers", {})
    if method == "GET":
        plain = client.get(url, headers={**headers, **PLAIN}, **kwargs)
        packed = client.get(url, headers={**headers, **COMPRESSED}, **kwargs)
        return len(plain.get_data()), len(packed.get_data()), packed
    packed = client.post(url, headers={**headers, **COMPRESSED}, **kwargs)
    return raw_size(packed), len(packed.get_data()), packed


def raw_size(response) -> int:
    """The size of a possibly compressed body once decompressed."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        import gzip

        return len(gzip.decompress(body))
    if encoding == "br":
        import brotli

        return len(brotli.decompress(body))
    if encoding == "zstd":
        from backports import zstd

        return len(zstd.decompress(body))
    return len(body)


def static_bytes(client, html: str) -> tuple[int, int]:
    urls = [
        u for u in re.findall(r'(?:href|src)="(/static/[^"]+)"', html) if u.split("?")[0].endswith(STATIC)
    ]
    plain = packed = 0
    for url in urls:
        p, c, _ = both(client, "GET", url)
        plain, packed = plain + p, packed + c
    return plain, packed


def member_flow(app, person_id: int | None) -> tuple[list[Step], list[Step]]:
    """The member's visit: (steps with an empty cache, steps with a warm cache)."""
    client = app.test_client()
    p, c, page = both(client, "GET", "/login")
    html = raw_html(page)
    sp, sc = static_bytes(client, html)
    login_fields = hidden_inputs(html, 'name="password"')
    post = client.post(
        "/login",
        data={**login_fields, "username": "member", "password": demo.DEMO_PASSWORD},
        headers=COMPRESSED,
    )
    hp, hc, home = both(client, "GET", "/")
    login = (p + len(post.get_data()) + hp, c + len(post.get_data()) + hc)
    qp, qc, queue = both(client, "GET", "/visits")
    if person_id is None:
        person_id = int(re.search(r'href="/people/(\d+)"', raw_html(queue)).group(1))
    pp, pc, person = both(client, "GET", f"/people/{person_id}")
    fields = hidden_inputs(raw_html(person), 'hx-post="/visits"')
    vp, vc, saved = both(
        client,
        "POST",
        "/visits",
        data={**fields, "kind": "home", "summary": "Gặp tại nhà, công việc ổn định"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost/people/{person_id}"},
    )
    if saved.status_code != 200 or 'id="visit-timeline" hx-swap-oob' not in raw_html(saved):
        raise SystemExit(f"the visit was not saved ({saved.status_code})")
    warm = [
        Step("log in (form, post, dashboard)", 3, *login),
        Step("the visit queue", 1, qp, qc),
        Step("a person's file", 1, pp, pc),
        Step("save a visit (timeline out of band)", 1, vp, vc),
    ]
    empty = [Step(warm[0].name + " + static files", 4, login[0] + sp, login[1] + sc), *warm[1:]]
    return empty, warm


def raw_html(response) -> str:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding:
        import gzip

        import brotli
        from backports import zstd

        body = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}[encoding](body)
    return body.decode()


def pages(app) -> list[tuple[str, int, int]]:
    """(page, plain bytes, compressed bytes) of the main phone pages of each role."""
    rows = []
    for username, urls in (
        ("member", ["/", "/visits", "/people"]),
        ("treasurer", ["/", "/loans", "/donations"]),
        ("chair", ["/", "/people", "/reports/aging"]),
    ):
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        fields = hidden_inputs(login_page, 'name="password"')
        client.post("/login", data={**fields, "username": username, "password": demo.DEMO_PASSWORD})
        for url in urls:
            plain, packed, _ = both(client, "GET", url)
            rows.append((f"{username} {url}", plain, packed))
        if username == "treasurer":
            loan = re.search(r'href="/loans/(\d+)"', raw_html(client.get("/loans", headers=COMPRESSED)))
            if loan:
                plain, packed, _ = both(client, "GET", f"/loans/{loan.group(1)}")
                rows.append((f"treasurer /loans/{loan.group(1)}", plain, packed))
    client = app.test_client()
    for name in STATIC:
        plain, packed, _ = both(client, "GET", f"/static/{name}")
        rows.append((f"/static/{name}", plain, packed))
    return rows


def seconds(step_bytes: int, round_trips: int, kbits: float, rtt_ms: float) -> float:
    return round_trips * rtt_ms / 1000 + step_bytes * 8 / (kbits * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kbits", type=float, nargs="+", default=[400, 256], help="bandwidths, kbit/s")
    parser.add_argument("--rtt", type=float, default=400, help="round trip, ms")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        rows = pages(app)
        empty, warm = member_flow(app, None)

    slow = args.kbits[0]
    print(f"## Main phone pages (time of the bytes at {slow:g} kbit/s, without the round trip)\n")
    print("| page | plain | compressed | ratio | plain s | compressed s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, plain, packed in rows:
        print(
            f"| {name} | {plain / 1000:.1f} KB | {packed / 1000:.1f} KB | {packed / plain:.0%} "
            f"| {seconds(plain, 0, slow, 0):.2f} | {seconds(packed, 0, slow, 0):.2f} |"
        )
    for kbits in args.kbits:
        for label, steps in (("empty cache", empty), ("warm cache", warm)):
            print(
                f"\n## The member's visit on a village network: {kbits:g} kbit/s, "
                f"{args.rtt:g} ms RTT, {label}\n"
            )
            print("| step | round trips | plain | compressed | plain s | compressed s | ÷ one RTT |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            total_plain = total_packed = 0.0
            for step in steps:
                tp = seconds(step.plain, step.round_trips, kbits, args.rtt)
                tc = seconds(step.packed, step.round_trips, kbits, args.rtt)
                total_plain, total_packed = total_plain + tp, total_packed + tc
                print(
                    f"| {step.name} | {step.round_trips} "
                    f"| {step.plain / 1000:.1f} KB | {step.packed / 1000:.1f} KB "
                    f"| {tp:.2f} | {tc:.2f} | {tc / (args.rtt / 1000):.1f} |"
                )
            print(f"| **total** | | | | **{total_plain:.2f}** | **{total_packed:.2f}** | |")


if __name__ == "__main__":
    main()

"""The Windows route, tried on Linux: `python -m tracker.serve` runs the app under waitress.

The same command a commune's IT person types on a Windows PC: it compiles the translations,
brings an empty database up to date and serves the Vietnamese login page over real HTTP.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A waitress server of this checkout on a free port and an empty SQLite database."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the waitress route is tried on SQLite, the database of a commune PC")
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "THREADS": "2",
        "TRACKER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/tracker.sqlite3",
        "TRACKER_SECRET_KEY": "serve-test-secret",
    }
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker.serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")
            try:
                requests.get(f"{base}/login", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "waitress did not start within 60 s"
                time.sleep(0.1)
        yield base, tmp_path / "serve.log"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_waitress_serves_the_first_run_and_the_vietnamese_login_page(served):
    base, log = served
    browser = requests.Session()
    # An empty installation leads to the first-run page, which names the five demo logins.
    first = browser.get(f"{base}/", timeout=10)
    assert first.status_code == 200 and first.url == f"{base}/setup/"
    assert first.headers["Server"] == "waitress"
    assert '<html lang="vi"' in first.text and "Khởi tạo Quỹ" in first.text
    logins = ("chair", "treasurer", "member", "viewer", "tinh")
    assert all(f'data-login="{login}"' in first.text for login in logins)
    token = re.search(
        r'action="/setup/demo">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', first.text
    )
    # Loading the demo lands on the login page, whose message names every login and the password.
    login = browser.post(f"{base}/setup/demo", data={"csrf_token": token.group(1)}, timeout=60)
    assert login.status_code == 200 and login.url == f"{base}/login"
    assert "Đăng nhập" in login.text and 'name="password"' in login.text
    assert all(f"{name} (" in login.text for name in logins) and "hongson-demo" in login.text
    # It said what it was doing, in Vietnamese, before serving.
    said = log.read_text(encoding="utf-8")
    assert "Đang cập nhật cơ sở dữ liệu…" in said
    assert f"Mở {base} trong trình duyệt" in said

"""Serve the app with waitress, the way to run it on a Windows PC (and anywhere else).

    python -m tracker.serve          (or: make serve)

Compiles the translations if needed, brings the database up to date, then serves on HOST:PORT
(default 127.0.0.1:5000; HOST=0.0.0.0 to let other machines of the office in) with THREADS threads
(default 8). waitress is pure Python and runs unchanged on Windows, where gunicorn cannot run, and
`make` is rarely installed: this one command does what `make run` does.
"""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_migrate import upgrade
from waitress import serve

from tracker import create_app

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def compile_translations() -> None:
    """Write each messages.mo older than its messages.po (the .mo files are not committed)."""
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=True)  # as `pybabel compile -f`


def upgrade_database(app: Flask) -> None:
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    threads = int(os.environ.get("THREADS", "8"))
    print("Đang chuẩn bị bản dịch…", flush=True)
    compile_translations()
    app = create_app()
    print("Đang cập nhật cơ sở dữ liệu…", flush=True)
    upgrade_database(app)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"Mở http://{shown}:{port} trong trình duyệt (Ctrl+C để dừng)", flush=True)
    serve(app, host=host, port=port, threads=threads)


if __name__ == "__main__":
    main()

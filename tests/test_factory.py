"""The application factory, configuration and migrations."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tracker import create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_app_py_holds_only_the_app():
    lines = [line for line in (ROOT / "app.py").read_text().splitlines() if line.strip()]
    assert lines == ["from tracker import create_app", "app = create_app()"]


def test_testing_config(app):
    assert app.testing
    assert create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}).testing is False


def test_config_from_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("TRACKER_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.sqlite3")


def test_default_database_is_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("TRACKER_SQLALCHEMY_DATABASE_URI", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(
        app.instance_path, "tracker.sqlite3"
    )


def test_models_and_migrations_agree(app):
    """The schema built by the migrations is exactly what the models describe."""
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_connections_enforce_foreign_keys_and_wal(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_migrations_upgrade_and_downgrade_from_the_command_line(tmp_path):
    if os.environ.get("TEST_DATABASE_URL"):
        return  # covered on SQLite; on PostgreSQL the session template already ran upgrade
    env = {**os.environ, "TRACKER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite3"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    engine = sa.create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert "committee_member" in sa.inspect(engine).get_table_names()
    engine.dispose()

"""The chair manages the fund's logins."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, Browser
from tracker.extensions import db
from tracker.models import Membership, User


def membership_id(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(Membership.id).join(User).where(User.username == username))


def test_chair_adds_a_login_that_can_then_log_in(app, seed, as_role):
    chair = as_role("chair")
    response = chair.post(
        "/users",
        {
            "username": "ThuQuy2",
            "full_name": "Lý Thị Hoa",
            "role": "treasurer",
            "password": "mot-hai-ba-4",
        },
    )
    assert response.status_code == 303
    newcomer = Browser(app.test_client())
    assert newcomer.login("thuquy2", "mot-hai-ba-4").status_code == 302
    assert "Lý Thị Hoa" in newcomer.get("/").get_data(as_text=True)


def test_duplicate_username_and_short_password_are_refused(app, seed, as_role):
    chair = as_role("chair")
    taken = chair.post("/users", {"username": "viewer", "role": "viewer", "password": "long-enough-1"})
    short = chair.post("/users", {"username": "newbie", "role": "viewer", "password": "short"})
    bad_role = chair.post("/users", {"username": "newbie", "role": "admin", "password": "long-enough-1"})
    assert taken.status_code == short.status_code == bad_role.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "newbie")) is None


def test_change_role_takes_effect_and_ends_old_sessions(app, seed, as_role):
    viewer = as_role("viewer")
    chair = as_role("chair")
    assert chair.post(f"/users/{membership_id(app, 'viewer')}/role", {"role": "chair"}).status_code == 303
    assert viewer.get("/users").status_code == 302  # logged out: must log in again with the new role
    again = as_role("viewer")
    assert again.get("/users").status_code == 200


def test_reset_password(app, seed, as_role):
    chair = as_role("chair")
    response = chair.post(f"/users/{membership_id(app, 'member')}/password", {"password": "mat-khau-moi-1"})
    assert response.status_code == 303
    assert Browser(app.test_client()).login("member", PASSWORD).status_code == 401
    assert Browser(app.test_client()).login("member", "mat-khau-moi-1").status_code == 302


def test_deactivate_and_reactivate(app, seed, as_role):
    chair = as_role("chair")
    mid = membership_id(app, "treasurer")
    chair.post(f"/users/{mid}/deactivate")
    assert Browser(app.test_client()).login("treasurer").status_code == 401
    chair.post(f"/users/{mid}/activate")
    assert Browser(app.test_client()).login("treasurer").status_code == 302


def test_chair_cannot_lock_themselves_out(app, seed, as_role):
    chair = as_role("chair")
    mid = membership_id(app, "chair")
    assert chair.post(f"/users/{mid}/deactivate").status_code == 400
    assert chair.post(f"/users/{mid}/role", {"role": "viewer"}).status_code == 400
    with app.app_context():
        membership = db.session.get(Membership, mid)
        assert membership.active and membership.role == "chair"

"""Deny by default, roles as in DESIGN §5, and no way into another fund's rows."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import CommitteeMember, Membership
from tracker.web.access import PERMISSIONS


def test_every_view_declares_who_may_use_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static"
        and not getattr(view, "access_public", False)
        and getattr(view, "access_permission", None) not in PERMISSIONS
    ]
    assert undeclared == []


def test_a_view_without_a_declaration_is_refused(app, as_role):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    chair = as_role("chair")
    assert chair.get("/undeclared").status_code == 403


# (method, url, expected status per role); {member_id} is the linked committee member of fund A.
MATRIX = [
    ("GET", "/", {"chair": 200, "treasurer": 200, "member": 200, "viewer": 200}),
    ("GET", "/members", {"chair": 200, "treasurer": 200, "member": 200, "viewer": 200}),
    ("GET", "/members/{member_id}", {"chair": 200, "treasurer": 200, "member": 200, "viewer": 200}),
    (
        "GET",
        "/members/{member_id}/edit",
        {"chair": 200, "treasurer": 403, "member": 403, "viewer": 403},
    ),
    ("POST", "/members", {"chair": 422, "treasurer": 403, "member": 403, "viewer": 403}),
    (
        "POST",
        "/members/{member_id}",
        {"chair": 422, "treasurer": 403, "member": 403, "viewer": 403},
    ),
    ("GET", "/users", {"chair": 200, "treasurer": 403, "member": 403, "viewer": 403}),
    ("POST", "/users", {"chair": 422, "treasurer": 403, "member": 403, "viewer": 403}),
]


@pytest.mark.parametrize("role", ["chair", "treasurer", "member", "viewer"])
@pytest.mark.parametrize("method, url, expected", MATRIX)
def test_role_matrix(seed, as_role, role, method, url, expected):
    user = as_role(role)
    url = url.format(member_id=seed.member_cm_id)
    response = user.get(url) if method == "GET" else user.post(url, {"full_name": ""})
    assert response.status_code == expected[role]


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/members/{id}"),
        ("GET", "/members/{id}/edit"),
        ("GET", "/members/{id}/card"),
        ("POST", "/members/{id}"),
        ("POST", "/members/{id}/leave"),
    ],
)
def test_another_funds_member_is_not_found(app, seed, as_role, method, url):
    chair = as_role("chair")
    url = url.format(id=seed.other_cm_id)
    data = {"full_name": "Đổi tên", "left_on": "2026-01-01"}
    response = chair.get(url) if method == "GET" else chair.post(url, data)
    assert response.status_code == 404
    with app.app_context():
        other = db.session.get(CommitteeMember, seed.other_cm_id)
        assert other.full_name == "Trần Văn Khác" and other.left_on is None


@pytest.mark.parametrize("action", ["role", "deactivate", "activate", "password"])
def test_another_funds_login_cannot_be_managed(app, seed, as_role, action):
    with app.app_context():
        other_membership = db.session.scalar(
            sa.select(Membership.id).where(Membership.fund_id == seed.other_fund_id)
        )
    chair = as_role("chair")
    response = chair.post(f"/users/{other_membership}/{action}", {"role": "viewer", "password": "x" * 12})
    assert response.status_code == 404
    with app.app_context():
        membership = db.session.get(Membership, other_membership)
        assert membership.role == "chair" and membership.active


def test_lists_show_only_the_current_fund(seed, as_role):
    page = as_role("chair").get("/members").get_data(as_text=True)
    assert "Phạm Văn Bình" in page
    assert "Trần Văn Khác" not in page
    logins = as_role("chair").get("/users").get_data(as_text=True)
    assert "other_chair" not in logins

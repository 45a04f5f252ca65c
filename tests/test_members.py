"""The support team: list in Vietnamese order, add and edit inline or as plain forms, leave (not while
anyone is still assigned to them)."""

import sqlalchemy as sa

from tests.conftest import fragment, full_page
from tracker.extensions import db
from tracker.models import AuditEvent, CommitteeMember, User

NEW_MEMBER = {
    "full_name": "  Hoàng Thị Mai ",
    "position": "Chủ tịch Hội Phụ nữ xã",
    "organisation": "Hội Phụ nữ",
    "phone": "+84 912 000 111",
    "joined_on": "2025-03-01",
    "user_id": "0",
}


def members_of(app, fund_id):
    with app.app_context():
        return db.session.scalars(sa.select(CommitteeMember).where(CommitteeMember.fund_id == fund_id)).all()


def test_list_is_in_vietnamese_name_order(app, seed, as_role):
    chair = as_role("chair")
    for name in ("Đỗ Văn Đạt", "Nguyễn Văn Dũng", "Lê Thị An"):
        chair.post("/members", {"full_name": name, "user_id": "0"})
    page = full_page(chair.get("/members"))
    page = page[page.index('id="member-list"') :]
    positions = [
        page.index(n) for n in ("Lê Thị An", "Phạm Văn Bình", "Nguyễn Văn Dũng", "Đỗ Văn Đạt", "Bùi Văn Long")
    ]
    assert positions == sorted(positions)


def test_add_member_with_htmx_returns_the_panel(app, seed, as_role):
    chair = as_role("chair")
    response = chair.post("/members", NEW_MEMBER, htmx=True)
    assert response.status_code == 200
    html = fragment(response)
    assert 'id="members-panel"' in html and "Hoàng Thị Mai" in html
    assert 'hx-swap-oob="innerHTML"' in html  # the flash message travels with the fragment, into #flashes
    member = next(m for m in members_of(app, seed.fund_id) if m.full_name == "Hoàng Thị Mai")
    assert member.phone == "0912000111"
    assert member.joined_on.isoformat() == "2025-03-01"
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.create"))
        assert event.object_id == member.id and "Hoàng Thị Mai" in event.after


def test_add_member_without_javascript_redirects(app, seed, as_role):
    response = as_role("chair").post("/members", NEW_MEMBER)
    assert response.status_code == 303 and response.location.endswith("/members")
    assert any(m.full_name == "Hoàng Thị Mai" for m in members_of(app, seed.fund_id))


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_written(app, seed, as_role):
    chair = as_role("chair")
    before = len(members_of(app, seed.fund_id))
    for bad in (
        {"full_name": ""},
        {"full_name": "Ai Đó", "phone": "12345"},
        {"full_name": "Ai Đó", "joined_on": "2026-02-30"},
        {"full_name": "Ai Đó", "joined_on": "2999-01-01"},
        {"full_name": "x" * 5000},
        {"full_name": "Ai Đó", "user_id": "999999"},
    ):
        response = chair.post("/members", {"user_id": "0", **bad}, htmx=True)
        assert response.status_code == 422, bad
        assert 'class="field-error"' in fragment(response)
    assert len(members_of(app, seed.fund_id)) == before


def test_the_field_error_is_in_vietnamese(seed, as_role):
    response = as_role("chair").post("/members", {"full_name": "Ai Đó", "phone": "12345", "user_id": "0"})
    assert "Nhập số điện thoại" in response.get_data(as_text=True)


def test_inline_edit_round_trip(app, seed, as_role):
    chair = as_role("chair")
    editor = fragment(chair.get(f"/members/{seed.member_cm_id}/edit", headers={"HX-Request": "true"}))
    assert 'value="Phạm Văn Bình"' in editor
    response = chair.post(
        f"/members/{seed.member_cm_id}",
        {
            "full_name": "Phạm Văn Bình",
            "position": "Hội Cựu chiến binh",
            "phone": "0988777666",
            "user_id": "0",
        },
        htmx=True,
    )
    card = fragment(response)
    assert f'id="member-{seed.member_cm_id}"' in card and "0988777666" in card
    with app.app_context():
        member = db.session.get(CommitteeMember, seed.member_cm_id)
        assert member.phone == "0988777666" and member.user_id is None
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.update"))
        assert '"phone": ""' in event.before and "0988777666" in event.after


def test_edit_without_javascript_is_a_full_page(seed, as_role):
    chair = as_role("chair")
    full_page(chair.get(f"/members/{seed.member_cm_id}/edit"))
    response = chair.post(f"/members/{seed.member_cm_id}", {"full_name": "Phạm Văn Bình", "user_id": "0"})
    assert response.status_code == 303


def test_link_to_a_login_of_this_fund_only(app, seed, as_role):
    chair = as_role("chair")
    with app.app_context():
        treasurer_id = db.session.scalar(sa.select(User.id).where(User.username == "treasurer"))
        other_id = db.session.scalar(sa.select(User.id).where(User.username == "other_chair"))
    ok = chair.post("/members", {"full_name": "Trần Thị Lan", "user_id": str(treasurer_id)})
    assert ok.status_code == 303
    refused = chair.post("/members", {"full_name": "Kẻ Lạ", "user_id": str(other_id)})
    assert refused.status_code == 422
    linked = [m for m in members_of(app, seed.fund_id) if m.user_id == treasurer_id]
    assert [m.full_name for m in linked] == ["Trần Thị Lan"]
    assert not any(m.full_name == "Kẻ Lạ" for m in members_of(app, seed.fund_id))


def test_mark_as_left(app, seed, as_role):
    chair = as_role("chair")
    assert chair.post(f"/members/{seed.member_cm_id}/leave", {"left_on": "2026-10-01"}).status_code == 303
    with app.app_context():
        assert db.session.get(CommitteeMember, seed.member_cm_id).left_on.isoformat() == "2026-10-01"
    page = chair.get("/members").get_data(as_text=True)
    assert "01/10/2026" in page


def test_leave_needs_a_real_date(app, seed, as_role):
    response = as_role("chair").post(f"/members/{seed.member_cm_id}/leave", {"left_on": "hôm qua"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(CommitteeMember, seed.member_cm_id).left_on is None


def test_a_mentor_with_people_cannot_leave_until_they_are_reassigned(app, money, seed, as_role):
    chair = as_role("chair")
    refused = chair.post(f"/members/{seed.member_cm_id}/leave", {"left_on": "2026-06-01"})
    assert refused.status_code == 422
    assert "Nguyễn Văn An" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CommitteeMember, seed.member_cm_id).left_on is None
    chair.post(f"/people/{money.person_id}/mentor", {"mentor_id": "0", "assigned_on": "2026-05-01"})
    assert chair.post(f"/members/{seed.member_cm_id}/leave", {"left_on": "2026-06-01"}).status_code == 303


def test_the_team_page_costs_the_same_whatever_the_number_of_logins(app, seed, as_role, count_queries):
    """Each card names its member's login: read with the members, not one query per card."""
    from tracker import accounts

    chair = as_role("chair")
    before = count_queries(lambda: chair.client.get("/members"))
    with app.app_context():
        for n in range(4):
            user = accounts.create_user(f"to{n}", "mat-khau-tam-1", seed.fund_id, "member", f"Tổ viên {n}")
            member = CommitteeMember(fund_id=seed.fund_id, user_id=user.id)
            member.set_name(f"Tổ viên {n}")
            db.session.add(member)
        db.session.commit()
    page = chair.get("/members").get_data(as_text=True)
    assert all(f"to{n}" in page for n in range(4))
    assert count_queries(lambda: chair.client.get("/members")) == before

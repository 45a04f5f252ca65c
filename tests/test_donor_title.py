"""A benefactor's title (Ông, Bà): how the thank-you letter addresses them ("Kính gửi: Bà …"),
recorded in the donor form, shown in the list, and set later on the donor's page."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_donor
from tracker.extensions import db
from tracker.models import AuditEvent, Donor


def donor_named(app, name: str) -> Donor | None:
    with app.app_context():
        return db.session.scalar(sa.select(Donor).where(Donor.name == name))


def test_a_benefactor_is_added_with_a_title_shown_in_the_list(app, seed, as_role):
    treasurer = as_role("treasurer")
    form = full_page(treasurer.get("/donors"))
    assert re.search(r'<select[^>]*name="title"', form)
    response = treasurer.post("/donors", {"name": "Trần Thị Mai", "kind": "individual", "title": "Bà"})
    assert response.status_code == 303
    donor = donor_named(app, "Trần Thị Mai")
    assert donor.title == "Bà"
    listing = full_page(treasurer.get("/donors"))
    row = re.search(rf'<tr id="donor-{donor.id}">(.*?)</tr>', listing, re.S).group(1)
    assert '<span class="donor-title">Bà</span>' in row
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donor.create"))
        assert '"title": "Bà"' in event.after


def test_the_donation_forms_new_donor_takes_a_title(app, seed, as_role):
    treasurer = as_role("treasurer")
    fields = treasurer.get("/donations/new-donor", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-params="csrf_token,donor_id,name,kind,title,' in fields
    assert re.search(r'<select[^>]*name="title"', fields)
    response = treasurer.post(
        "/donations/new-donor", {"name": "Đỗ Thị Thu", "kind": "individual", "title": "Bà"}, htmx=True
    )
    assert response.status_code == 200
    assert donor_named(app, "Đỗ Thị Thu").title == "Bà"


def test_without_a_title_the_letter_says_ong_ba(app, seed, as_role):
    as_role("treasurer").post("/donors", {"name": "Phạm Văn Tư", "kind": "individual"})
    assert donor_named(app, "Phạm Văn Tư").title == ""


@pytest.mark.parametrize("kind", ["business", "organisation"])
def test_only_a_person_has_a_title(app, seed, as_role, kind):
    response = as_role("treasurer").post(
        "/donors", {"name": "Hợp tác xã Tân Tiến", "kind": kind, "title": "Ông"}
    )
    assert response.status_code == 422
    assert "Chỉ nhà hảo tâm (cá nhân) mới có danh xưng" in response.get_data(as_text=True)
    assert donor_named(app, "Hợp tác xã Tân Tiến") is None


@pytest.mark.parametrize("title", ["Anh", "Mr", "ông"])
def test_a_title_is_ong_or_ba(app, seed, as_role, title):
    response = as_role("treasurer").post(
        "/donors", {"name": "Lê Văn Ba", "kind": "individual", "title": title}
    )
    assert response.status_code == 422
    assert donor_named(app, "Lê Văn Ba") is None


def test_the_database_refuses_another_title(app, seed):
    with app.app_context():
        donor = db.session.get(Donor, add_donor(seed.fund_id, "Lê Văn Ba", kind="individual"))
        donor.title = "Anh"
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


def test_the_title_is_set_later_on_the_donors_page(app, seed, as_role):
    with app.app_context():
        donor_id = add_donor(seed.fund_id, "Nguyễn Văn Hùng", kind="individual")
        db.session.commit()
    treasurer = as_role("treasurer")
    page = full_page(treasurer.get(f"/donors/{donor_id}"))
    assert 'id="donor-title-form"' in page and "Chưa ghi" in re.search(
        r'id="donor-title">([^<]*)<', page
    ).group(1)
    response = treasurer.post(f"/donors/{donor_id}/title", {"title": "Ông"})
    assert response.status_code == 303
    page = full_page(treasurer.get(f"/donors/{donor_id}"))
    assert re.search(r'id="donor-title">([^<]*)<', page).group(1) == "Ông"
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donor.title"))
        assert (event.object_id, '"title": ""' in event.before, '"title": "Ông"' in event.after) == (
            donor_id,
            True,
            True,
        )


def test_a_business_gets_no_title_later_either(app, seed, money, as_role):
    response = as_role("treasurer").post(f"/donors/{money.donor_id}/title", {"title": "Ông"})
    assert response.status_code == 422
    assert donor_named(app, "Công ty TNHH Hồng Phát").title == ""


@pytest.mark.parametrize("role", ["chair", "viewer", "member"])
def test_only_the_treasurer_sets_a_title(app, seed, as_role, role):
    with app.app_context():
        donor_id = add_donor(seed.fund_id, "Nguyễn Văn Hùng", kind="individual")
        db.session.commit()
    assert as_role(role).post(f"/donors/{donor_id}/title", {"title": "Ông"}).status_code == 403
    assert donor_named(app, "Nguyễn Văn Hùng").title == ""


def test_another_funds_donor_is_not_found(seed, money, as_role):
    assert (
        as_role("treasurer").post(f"/donors/{money.foreign_donor_id}/title", {"title": "Ông"}).status_code
        == 404
    )

"""Commendations (biểu dương, khen thưởng): the chair records them for team members, donors and
people helped who settled; they show on the list, on each one's page and in the review of their
period, where a person helped appears only by the words the committee chose and never by a name
they did not agree to."""

import datetime as dt
import io
import re

import docx
import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_donor, add_person
from tracker import clock, personal_data
from tracker.extensions import db
from tracker.models import AuditEvent, Commendation, Donor, Person

TODAY = dt.date(2027, 1, 20)
DECISION = "Quyết định số 12/QĐ-UBND ngày 15/01/2027 của UBND xã Hồng Sơn"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def world(app, seed, today):
    with app.app_context():
        settled = add_person(seed.fund_id, "Nguyễn Văn Hòa", seed.member_cm_id, "Thôn Đông")
        supported = add_person(seed.fund_id, "Trần Văn Sơn", seed.member_cm_id, "Thôn Bắc")
        donor = add_donor(seed.fund_id, "Công ty TNHH Hồng Phát")
        hidden = add_donor(seed.fund_id, "Lê Văn Kín", kind="individual")
        db.session.get(Donor, hidden).anonymous = True
        person = db.session.get(Person, settled)
        person.status = "settled"
        person.phone = "0912345678"
        db.session.commit()
    return {
        "settled": settled,
        "supported": supported,
        "donor": donor,
        "hidden": hidden,
        "member": seed.member_cm_id,
    }


def form(**fields) -> dict:
    data = {
        "recipient": "member",
        "member_id": "0",
        "donor_id": "0",
        "person_id": "0",
        "shown_as": "",
        "form": "Giấy khen",
        "decided_by": "UBND xã Hồng Sơn",
        "decision_no": "12/QĐ-UBND",
        "decided_on": "2027-01-15",
        "reason": "Có thành tích trong công tác giúp đỡ người hoàn lương năm 2026",
    }
    data.update({key: str(value) for key, value in fields.items()})
    return data


def record(chair, **fields):
    return chair.post("/commendations", form(**fields))


def table(page: str) -> str:
    return re.search(r'<table id="commendations".*?</table>', page, re.S).group(0)


def rows(app) -> list[Commendation]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Commendation).order_by(Commendation.id)))


# ------------------------------------------------------------------ recording and showing


def test_a_member_commended_shows_on_the_list_and_their_page(app, world, as_role):
    chair = as_role("chair")
    response = record(chair, recipient="member", member_id=world["member"])
    assert response.status_code == 303
    [saved] = rows(app)
    assert (saved.recipient, saved.member_id, saved.donor_id, saved.person_id) == (
        "member",
        world["member"],
        None,
        None,
    )
    listing = full_page(chair.get("/commendations"))
    row = re.search(rf'<tr id="commendation-{saved.id}">(.*?)</tr>', listing, re.S).group(1)
    assert "Phạm Văn Bình" in row and "Giấy khen" in row and DECISION in row
    assert "Có thành tích" in row
    page = full_page(chair.get(f"/members/{world['member']}"))
    assert 'id="commendations"' in page and DECISION in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commendation.create"))
        assert event.object_id == saved.id and "12/QĐ-UBND" in event.after


def test_a_donor_commended_shows_on_their_page(app, world, as_role):
    chair = as_role("chair")
    assert (
        record(chair, recipient="donor", donor_id=world["donor"], form="Thư khen", decision_no="").status_code
        == 303
    )
    page = full_page(as_role("treasurer").get(f"/donors/{world['donor']}"))
    assert "Thư khen" in page and "Quyết định ngày 15/01/2027 của UBND xã Hồng Sơn" in page


def test_an_anonymous_donor_is_not_named_on_the_list(app, world, as_role):
    chair = as_role("chair")
    assert record(chair, recipient="donor", donor_id=world["hidden"]).status_code == 303
    listing = full_page(as_role("viewer").get("/commendations"))
    assert "Lê Văn Kín" not in listing and "Nhà hảo tâm giấu tên" in listing


def test_a_person_appears_only_by_the_words_chosen(app, world, as_role):
    chair = as_role("chair")
    words = "Một người được giúp đỡ đã ổn định cuộc sống"
    assert record(chair, recipient="person", person_id=world["settled"], shown_as=words).status_code == 303
    listing = table(full_page(chair.get("/commendations")))
    assert words in listing and "Nguyễn Văn Hòa" not in listing
    assert "Có thành tích" not in listing  # the reason tells about the person: not on the list
    page = full_page(chair.get(f"/people/{world['settled']}"))
    assert 'id="commendations"' in page and "Giấy khen" in page


@pytest.mark.parametrize("words", ["Anh Nguyễn Văn Hòa, thôn Đông", "anh nguyen van hoa", "SĐT 0912 345 678"])
def test_a_person_who_did_not_agree_cannot_be_named(app, world, as_role, words):
    response = record(as_role("chair"), recipient="person", person_id=world["settled"], shown_as=words)
    assert response.status_code == 422
    assert "chưa đồng ý được nêu tên" in response.get_data(as_text=True)
    assert rows(app) == []


def test_a_person_who_agreed_may_be_named(app, world, as_role):
    with app.app_context():
        db.session.get(Person, world["settled"]).named_to_donors = True
        db.session.commit()
    chair = as_role("chair")
    words = "Anh Nguyễn Văn Hòa"
    assert record(chair, recipient="person", person_id=world["settled"], shown_as=words).status_code == 303
    assert words in full_page(chair.get("/commendations"))


def test_once_erased_the_person_is_not_named(app, world, as_role):
    with app.app_context():
        db.session.get(Person, world["settled"]).named_to_donors = True
        db.session.commit()
    chair = as_role("chair")
    record(chair, recipient="person", person_id=world["settled"], shown_as="Anh Nguyễn Văn Hòa")
    with app.app_context():
        personal_data.erase_person(db.session.get(Person, world["settled"]), TODAY)
        db.session.commit()
    listing = table(full_page(chair.get("/commendations")))
    assert "Nguyễn Văn Hòa" not in listing and "Người được giúp đỡ" in listing


def test_only_settled_people_can_be_chosen(app, world, as_role):
    chair = as_role("chair")
    page = full_page(chair.get("/commendations"))
    people = re.search(r'<select[^>]*name="person_id".*?</select>', page, re.S).group(0)
    assert "Nguyễn Văn Hòa" in people and "Trần Văn Sơn" not in people
    response = record(chair, recipient="person", person_id=world["supported"], shown_as="Một người")
    assert response.status_code == 422 and rows(app) == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"recipient": "member", "member_id": 0}, "Chọn một thành viên của Tổ"),
        ({"recipient": "donor", "donor_id": 0}, "Chọn nhà tài trợ trong danh sách"),
        ({"recipient": "person", "person_id": "{settled}", "shown_as": ""}, "Một người được giúp đỡ"),
        ({"recipient": "someone", "member_id": "{member}"}, None),
        ({"recipient": "member", "member_id": "{member}", "form": ""}, "Giấy khen"),
        ({"recipient": "member", "member_id": "{member}", "decided_by": ""}, "UBND xã"),
        ({"recipient": "member", "member_id": "{member}", "decided_on": ""}, None),
        ({"recipient": "member", "member_id": "{member}", "decided_on": "2027-02-01"}, None),  # future
        ({"recipient": "member", "member_id": "{member}", "reason": "x" * 501}, None),
    ],
)
def test_bad_input_is_refused_next_to_the_field(app, world, as_role, fields, message):
    fields = {key: str(value).format(**world) for key, value in fields.items()}
    response = record(as_role("chair"), **fields)
    assert response.status_code == 422
    if message:
        assert message in response.get_data(as_text=True)
    assert rows(app) == []


def test_another_funds_member_or_donor_cannot_be_chosen(app, world, seed, money, as_role):
    chair = as_role("chair")
    assert record(chair, recipient="member", member_id=seed.other_cm_id).status_code == 422
    assert record(chair, recipient="donor", donor_id=money.foreign_donor_id).status_code == 422
    assert rows(app) == []


def test_the_database_holds_exactly_one_recipient(app, world, seed):
    with app.app_context():
        db.session.add(
            Commendation(
                fund_id=seed.fund_id,
                recipient="member",
                member_id=world["member"],
                donor_id=world["donor"],
                form="Giấy khen",
                decided_by="UBND xã",
                decided_on=TODAY,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


def test_a_commendation_recorded_by_mistake_is_deleted(app, world, as_role):
    chair = as_role("chair")
    record(chair, recipient="member", member_id=world["member"])
    [saved] = rows(app)
    chair.get("/commendations")
    assert chair.post(f"/commendations/{saved.id}/delete").status_code == 303
    assert rows(app) == []
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commendation.delete"))
        assert event.object_id == saved.id and "Giấy khen" in event.before


@pytest.mark.parametrize(
    "role, status", [("chair", 200), ("viewer", 200), ("treasurer", 403), ("member", 403)]
)
def test_who_reads_the_list(world, as_role, role, status):
    response = as_role(role).client.get("/commendations")
    assert response.status_code == status
    if status == 200:
        assert ('id="new-commendation"' in response.get_data(as_text=True)) == (role == "chair")


@pytest.mark.parametrize("role", ["viewer", "treasurer", "member"])
def test_only_the_chair_records(app, world, as_role, role):
    response = record(as_role(role), recipient="member", member_id=world["member"])
    assert response.status_code == 403 and rows(app) == []


# ------------------------------------------------------------------ the review


def test_the_review_lists_the_periods_commendations(app, world, as_role):
    chair = as_role("chair")
    words = "Một người được giúp đỡ ở xã"
    record(chair, recipient="member", member_id=world["member"])
    record(chair, recipient="person", person_id=world["settled"], shown_as=words)
    record(chair, recipient="donor", donor_id=world["donor"], decided_on="2026-12-20", decision_no="")
    record(chair, recipient="donor", donor_id=world["hidden"], decided_on="2025-06-01")  # another year
    page = full_page(chair.get("/reports/review?from=2026-07-01&to=2027-01-20"))
    part = re.search(r'<h3 id="commendations">(.*?)</table>', page, re.S).group(1)
    assert "5. Công tác thi đua, khen thưởng" in part
    assert "Trong kỳ có 3 lượt khen thưởng: 1 thành viên, 1 nhà tài trợ, 1 người được giúp đỡ." in part
    cells = re.findall(r"<tr><td class=\"num\">\d+</td><td>([^<]*)</td>", part)
    assert cells == ["Công ty TNHH Hồng Phát", "Phạm Văn Bình", words]  # in date order
    assert DECISION in part and "Quyết định ngày 20/12/2026 của UBND xã Hồng Sơn" in part
    assert "Nguyễn Văn Hòa" not in page and "Lê Văn Kín" not in page
    # The Word file says the same.
    response = chair.client.get("/reports/review?from=2026-07-01&to=2027-01-20&format=docx")
    document = docx.Document(io.BytesIO(response.get_data()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "5. Công tác thi đua, khen thưởng" in text and words in text and DECISION in text
    assert "Nguyễn Văn Hòa" not in text


def test_a_review_without_commendations_says_so(world, as_role):
    page = full_page(as_role("chair").get("/reports/review?period=2026-H1"))
    assert "Trong kỳ không có khen thưởng." in page
    assert 'id="commendations-table"' not in page


# ------------------------------------------------------------------ the person's own data


def test_the_persons_export_lists_and_erasure_blanks_their_commendations(app, world, seed, as_role):
    with app.app_context():
        db.session.get(Person, world["settled"]).named_to_donors = True
        db.session.commit()
    chair = as_role("chair")
    words = "Anh Nguyễn Văn Hòa, thôn Đông"
    record(chair, recipient="person", person_id=world["settled"], shown_as=words)
    # a member's commendation whose reason names the person
    record(chair, recipient="member", member_id=world["member"], reason="Giúp anh Nguyễn Văn Hòa tìm việc")
    exported = chair.client.get(f"/people/{world['settled']}/export?format=json").get_json()
    [own] = exported["commendations"]
    assert own["shown_as"] == words and own["decision_no"] == "12/QĐ-UBND"
    assert any(m["field"] == "reason" for m in exported["mentioned_in"])
    with app.app_context():
        personal_data.erase_person(db.session.get(Person, world["settled"]), TODAY)
        db.session.commit()
    person_row, member_row = rows(app)
    assert (person_row.shown_as, person_row.reason) == ("", "")
    assert "Nguyễn Văn Hòa" not in member_row.reason and member_row.reason.startswith("Giúp anh ")

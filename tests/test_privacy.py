"""A person's rights over their data: export of everything held (logged) and erasure that keeps
the money to the đồng. Chair only; another fund's person is not found."""

import csv
import datetime as dt
import io
import json
import unicodedata

import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_person, disbursed_loan, donate, repay, user_id
from tracker import audit, casework, clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Donation,
    Donor,
    JournalLine,
    JournalTransaction,
    Loan,
    MentorAssignment,
    PeriodClose,
    Person,
    PersonAccess,
    PersonStatusChange,
    Repayment,
    ReviewNote,
    Visit,
)
from tracker.money import balances, journal

NAME = "Nguyễn Văn An"  # money.person_id, mentored by the `member` login's committee member
PHONE = "0912345678"
SECRET_NOTE = "Hay uống rượu với nhóm bạn cũ ở chợ"


@pytest.fixture
def casefile(app, seed, money):
    """Fund A's person with contact details, casework notes, visits, a status change, a mentor
    change, a disbursed loan with two repayments, and an earlier opening of the file."""
    donate(app, seed.fund_id, money.donor_id, 30_000_000, dt.date(2025, 1, 5))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 12_000_000, dt.date(2025, 3, 1), term=12)
    receipts = [
        repay(app, loan_id, 1_000_000, dt.date(2025, 4, 1)),
        repay(app, loan_id, 1_500_000, dt.date(2025, 5, 2)),
    ]
    with app.app_context():
        person = db.session.get(Person, money.person_id)
        person.phone = PHONE
        person.family_circumstances = "Vợ và hai con nhỏ, mẹ già yếu"
        person.needs = "Vốn nuôi bò, việc làm ổn định"
        person.birth_year = 1988
        person.gender = "male"
        person.refresh_search_text()
        chair = user_id("chair")
        casework.assign_mentor(person, seed.member_cm_id, dt.date(2025, 1, 3), chair, note="Cùng thôn")
        casework.log_visit(
            person,
            mentor_id=seed.member_cm_id,
            visited_on=dt.date(2025, 6, 1),
            kind="home",
            summary="Đã mua hai con bò",
            livelihood="Chăn nuôi",
            concerns=SECRET_NOTE,
            user_id=chair,
        )
        casework.log_visit(
            person, mentor_id=seed.member_cm_id, visited_on=dt.date(2025, 7, 1), kind="phone", summary="Ổn"
        )
        casework.change_status(person, "settled", dt.date(2025, 8, 1), "Có việc làm ổn định", chair)
        # as people.py writes it when the person is added (see the report: personal data in the log)
        audit.record(
            "person.create",
            person,
            fund_id=seed.fund_id,
            user_id=chair,
            after={"full_name": NAME, "phone": PHONE, "address": "Thôn Đông"},
        )
        db.session.add(PersonAccess(fund_id=seed.fund_id, user_id=user_id("member"), person_id=person.id))
        db.session.commit()
    return {"person_id": money.person_id, "loan_id": loan_id, "repayment_ids": receipts}


def access_rows(app, person_id) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PersonAccess.action, PersonAccess.user_id)
            .where(PersonAccess.person_id == person_id)
            .order_by(PersonAccess.id)
        ).all()
        return [(action, user) for action, user in rows]


def money_state(app, fund_id, loan_id) -> dict:
    with app.app_context():
        return {
            "cash": balances.cash_balance(fund_id),
            "balances": balances.loan_balances([loan_id]),
            "lines": db.session.execute(
                sa.select(
                    JournalLine.id, JournalLine.account, JournalLine.amount, JournalLine.loan_id
                ).order_by(JournalLine.id)
            ).all(),
            "transactions": db.session.execute(
                sa.select(
                    JournalTransaction.id, JournalTransaction.document_no, JournalTransaction.description
                )
            ).all(),
            "repayments": db.session.execute(
                sa.select(Repayment.id, Repayment.amount, Repayment.paid_on, Repayment.receipt_no)
            ).all(),
            "loan": db.session.execute(
                sa.select(Loan.principal, Loan.status, Loan.voucher_no, Loan.person_id).where(
                    Loan.id == loan_id
                )
            ).one(),
        }


# ------------------------------------------------------------------------------ who may


@pytest.mark.parametrize("role", ["treasurer", "member", "viewer"])
def test_only_the_chair_exports_or_erases(app, casefile, as_role, role):
    person_id = casefile["person_id"]
    user = as_role(role)
    assert user.get(f"/people/{person_id}/export").status_code == 403
    assert user.get(f"/people/{person_id}/export?format=html").status_code == 403
    assert user.get(f"/people/{person_id}/erase").status_code == 403
    response = user.post(f"/people/{person_id}/erase", {"confirm": NAME, "reason": "Theo đơn"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Person, person_id).full_name == NAME
    assert ("export", user_id_of(app, role)) not in access_rows(app, person_id)


def user_id_of(app, username):
    with app.app_context():
        return user_id(username)


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/export"), ("GET", "/export?format=html"), ("GET", "/erase"), ("POST", "/erase")],
)
def test_another_funds_person_is_not_found(app, money, as_role, method, path):
    chair = as_role("chair")
    url = f"/people/{money.foreign_person_id}{path}"
    response = (
        chair.get(url) if method == "GET" else chair.post(url, {"confirm": "Trần Văn Xa", "reason": "x"})
    )
    assert response.status_code == 404
    assert chair.get("/people/999999/export").status_code == 404
    with app.app_context():
        assert db.session.get(Person, money.foreign_person_id).full_name == "Trần Văn Xa"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonAccess)) == 0


# ------------------------------------------------------------------------------ export


def test_export_holds_everything_and_is_logged(app, casefile, as_role):
    person_id = casefile["person_id"]
    chair = as_role("chair")
    response = chair.get(f"/people/{person_id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="nguoi-{person_id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert NAME.encode() in response.data  # UTF-8 as written, not \\u escapes
    data = json.loads(response.data.decode("utf-8"))

    person = data["person"]
    assert (person["id"], person["full_name"], person["phone"], person["birth_year"]) == (
        person_id,
        NAME,
        PHONE,
        1988,
    )
    assert person["family_circumstances"] == "Vợ và hai con nhỏ, mẹ già yếu"
    assert person["consent_recorded_on"] == "2025-01-02"
    assert [v["visited_on"] for v in data["visits"]] == ["2025-06-01", "2025-07-01"]
    assert data["visits"][0]["concerns"] == SECRET_NOTE and data["visits"][0]["mentor"] == "Phạm Văn Bình"
    assert [(c["from_status"], c["to_status"], c["reason"]) for c in data["status_history"]] == [
        ("supported", "settled", "Có việc làm ổn định")
    ]
    assert data["mentor_history"][0]["mentor"] == "Phạm Văn Bình"
    assert data["mentor_history"][0]["note"] == "Cùng thôn"

    (loan,) = data["loans"]
    assert (loan["id"], loan["principal"], loan["status"]) == (casefile["loan_id"], 12_000_000, "active")
    assert len(loan["schedule"]) == 12 and sum(i["amount_due"] for i in loan["schedule"]) == 12_000_000
    assert loan["balance"] == {
        "disbursed": 12_000_000,
        "repaid": 2_500_000,
        "written_off": 0,
        "outstanding": 9_500_000,
    }
    with app.app_context():
        receipts = db.session.scalars(sa.select(Repayment.receipt_no).order_by(Repayment.id)).all()
    assert [(r["amount"], r["paid_on"], r["receipt_no"]) for r in loan["repayments"]] == [
        (1_000_000, "2025-04-01", receipts[0]),
        (1_500_000, "2025-05-02", receipts[1]),
    ]
    # the access log, including this very export, in Vietnam time
    assert [entry["action"] for entry in data["access_log"]] == ["view", "export"]
    assert "Người dùng member" in data["access_log"][0]["by"]
    assert data["access_log"][1]["at"].endswith("+07:00")
    assert access_rows(app, person_id)[-1] == ("export", user_id_of(app, "chair"))


def test_export_leaves_out_other_people(app, casefile, money, seed, as_role):
    with app.app_context():
        other = db.session.get(Person, money.other_person_id)
        casework.log_visit(other, mentor_id=None, visited_on=dt.date(2025, 6, 2), kind="home", summary="Khác")
        db.session.commit()
    data = json.loads(as_role("chair").get(f"/people/{casefile['person_id']}/export").data)
    text = json.dumps(data, ensure_ascii=False)
    assert "Lê Thị Bích" not in text and "Khác" not in text
    assert all(entry["action"] != "view" or "member" in entry["by"] for entry in data["access_log"])


def test_printable_export_shows_the_same_and_is_logged(app, casefile, as_role):
    person_id = casefile["person_id"]
    response = as_role("chair").get(f"/people/{person_id}/export?format=html")
    page = full_page(response)
    assert response.headers["Content-Type"].startswith("text/html")
    assert NAME in page and SECRET_NOTE in page and "12.000.000 ₫" in page and "1.500.000 ₫" in page
    assert f'id="export-loan-{casefile["loan_id"]}"' in page
    assert access_rows(app, person_id)[-1] == ("export", user_id_of(app, "chair"))


def test_unknown_export_format_is_refused(app, casefile, as_role):
    assert as_role("chair").get(f"/people/{casefile['person_id']}/export?format=xml").status_code == 400
    assert "export" not in [action for action, _user in access_rows(app, casefile["person_id"])]


# ------------------------------------------------------------------------------ erasure


def erase(chair, person_id, confirm=NAME, reason="Đơn đề nghị xóa dữ liệu ngày 05/02/2026"):
    return chair.post(f"/people/{person_id}/erase", {"confirm": confirm, "reason": reason})


def test_erase_page_warns_and_asks_for_the_name(casefile, as_role):
    page = full_page(as_role("chair").get(f"/people/{casefile['person_id']}/erase"))
    assert 'name="confirm"' in page and 'name="reason"' in page and 'name="csrf_token"' in page
    assert 'id="erase-warning"' in page and f'action="/people/{casefile["person_id"]}/erase"' in page


def test_erasure_keeps_the_money_to_the_dong_and_removes_the_person(app, seed, casefile, as_role):
    person_id, loan_id = casefile["person_id"], casefile["loan_id"]
    before = money_state(app, seed.fund_id, loan_id)
    chair = as_role("chair")

    response = erase(chair, person_id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{person_id}"

    assert money_state(app, seed.fund_id, loan_id) == before
    assert before["cash"] == 30_000_000 - 12_000_000 + 2_500_000
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.full_name == f"{casework.ERASED_NAME} #{person_id}"
        assert person.erased_at is not None
        assert (person.phone, person.address, person.family_circumstances, person.needs) == ("", "", "", "")
        assert person.birth_year is None and person.gender is None
        assert NAME.lower() not in person.search_text and PHONE not in person.search_text
        visits = db.session.scalars(sa.select(Visit).where(Visit.person_id == person_id)).all()
        assert len(visits) == 2
        assert all((v.summary, v.livelihood, v.concerns) == ("", "", "") for v in visits)
        assert db.session.scalar(sa.select(PersonStatusChange.reason)) == ""
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.erase"))
        assert (event.object_type, event.object_id, event.user_id) == ("Person", person_id, user_id("chair"))
        assert json.loads(event.after) == {"reason": "Đơn đề nghị xóa dữ liệu ngày 05/02/2026"}
        assert NAME not in event.before + event.after and PHONE not in event.after

    # nowhere on screen or in the exports: the lists, the person, the loan, the reports, the log
    pages = {
        "/people": chair.get("/people"),
        f"/people/{person_id}": chair.get(f"/people/{person_id}"),
        f"/loans/{loan_id}": chair.get(f"/loans/{loan_id}"),
        "/loans": chair.get("/loans"),
        "/reports/outstanding?format=csv": chair.get("/reports/outstanding?format=csv"),
        "/audit": chair.get("/audit"),
        f"/people/{person_id}/export": chair.get(f"/people/{person_id}/export"),
        f"/people/{person_id}/export?format=html": chair.get(f"/people/{person_id}/export?format=html"),
        f"/repayments/{casefile['repayment_ids'][0]}/receipt": chair.get(
            f"/repayments/{casefile['repayment_ids'][0]}/receipt"
        ),
    }
    for url, page in pages.items():
        assert page.status_code == 200, url
        text = page.data.decode("utf-8")
        for secret in (NAME, PHONE, SECRET_NOTE, "Vợ và hai con nhỏ", "Có việc làm ổn định", "Cùng thôn"):
            assert secret not in text, (secret, url)
    rows = list(csv.reader(io.StringIO(pages["/reports/outstanding?format=csv"].data.decode("utf-8-sig"))))
    assert any(f"{casework.ERASED_NAME} #{person_id}" in row for row in rows)
    assert f"{casework.ERASED_NAME} #{person_id}" in pages[f"/loans/{loan_id}"].data.decode()


@pytest.mark.parametrize(
    "form, field",
    [
        ({"confirm": "Nguyễn Văn Ân", "reason": "Theo đơn"}, "confirm"),
        ({"confirm": "nguyễn văn an", "reason": "Theo đơn"}, "confirm"),
        ({"confirm": "", "reason": "Theo đơn"}, "confirm"),
        ({"reason": "Theo đơn"}, "confirm"),
        ({"confirm": NAME, "reason": ""}, "reason"),
        ({"confirm": NAME, "reason": "x" * 501}, "reason"),
        ({"confirm": NAME, "reason": f"Ông {NAME} đã đề nghị"}, "reason"),
        ({"confirm": NAME, "reason": f"Gọi {PHONE}"}, "reason"),
    ],
)
def test_a_wrong_confirmation_changes_nothing(app, seed, casefile, as_role, form, field):
    person_id = casefile["person_id"]
    before = money_state(app, seed.fund_id, casefile["loan_id"])
    response = as_role("chair").post(f"/people/{person_id}/erase", form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert money_state(app, seed.fund_id, casefile["loan_id"]) == before
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.full_name, person.phone, person.erased_at) == (NAME, PHONE, None)
        assert db.session.scalar(sa.select(Visit.concerns).where(Visit.concerns != "")) == SECRET_NOTE
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.erase")) is None


def test_the_name_may_be_typed_with_decomposed_accents_and_extra_spaces(app, casefile, as_role):
    typed = "  " + unicodedata.normalize("NFD", NAME).replace(" ", "  ") + " "
    assert erase(as_role("chair"), casefile["person_id"], confirm=typed).status_code == 303
    with app.app_context():
        assert db.session.get(Person, casefile["person_id"]).erased_at is not None


def test_a_name_stored_with_hidden_characters_is_confirmed_as_it_shows(app, seed, as_role):
    """Names saved before forms refused hidden characters may hold them (they were not migrated).
    Pasting such a name back brings a direction override, which every form now refuses, and no one
    can type a zero-width space: the name is confirmed as it shows on screen."""
    with app.app_context():
        person_id = add_person(seed.fund_id, "Võ Thị\u200b Xóa\ufeff\u202e")
        db.session.commit()
    chair = as_role("chair")
    assert erase(chair, person_id, confirm="Võ Thị\u200b Xóa\ufeff\u202e").status_code == 422
    assert erase(chair, person_id, confirm="Võ Thị Xóa").status_code == 303


def test_erasing_twice_is_refused(app, casefile, as_role):
    person_id = casefile["person_id"]
    chair = as_role("chair")
    assert erase(chair, person_id).status_code == 303
    placeholder = f"{casework.ERASED_NAME} #{person_id}"
    again = erase(chair, person_id, confirm=placeholder)
    assert again.status_code == 422
    assert 'role="alert"' in again.get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.erase")).all()
        assert len(events) == 1
    page = full_page(chair.get(f"/people/{person_id}/erase"))
    assert 'id="already-erased"' in page and 'name="confirm"' not in page


def test_another_persons_data_is_untouched(app, casefile, money, as_role):
    with app.app_context():
        other = db.session.get(Person, money.other_person_id)
        casework.log_visit(
            other, mentor_id=None, visited_on=dt.date(2025, 6, 2), kind="home", summary="Vẫn còn"
        )
        db.session.commit()
    assert erase(as_role("chair"), casefile["person_id"]).status_code == 303
    with app.app_context():
        other = db.session.get(Person, money.other_person_id)
        assert other.full_name == "Lê Thị Bích" and other.erased_at is None
        assert db.session.scalar(sa.select(Visit.summary).where(Visit.person_id == other.id)) == "Vẫn còn"


def test_names_are_escaped_on_the_privacy_pages(app, seed, as_role):
    payload = "<script>alert(1)</script>"
    with app.app_context():
        person_id = add_person(seed.fund_id, payload)
        db.session.commit()
    chair = as_role("chair")
    for url in (f"/people/{person_id}/erase", f"/people/{person_id}/export?format=html"):
        page = chair.get(url).get_data(as_text=True)
        assert payload not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    refused = chair.post(f"/people/{person_id}/erase", {"confirm": payload + "x", "reason": "Theo đơn"})
    assert refused.status_code == 422 and payload not in refused.get_data(as_text=True)
    assert erase(chair, person_id, confirm=payload).status_code == 303


def test_export_has_every_field_of_the_person(app, casefile, as_role):
    data = json.loads(as_role("chair").get(f"/people/{casefile['person_id']}/export").data)
    columns = {column.key for column in Person.__table__.columns} - {"fund_id", "sort_key", "search_text"}
    assert columns <= set(data["person"])


def test_erasure_also_blanks_the_mentor_assignment_notes(app, casefile, as_role):
    chair = as_role("chair")
    person_id = casefile["person_id"]
    assert erase(chair, person_id).status_code == 303
    with app.app_context():
        notes = db.session.scalars(
            sa.select(MentorAssignment.note).where(MentorAssignment.person_id == person_id)
        )
        assert set(notes) <= {""}
    assert "Cùng thôn" not in chair.get(f"/people/{person_id}").get_data(as_text=True)


def test_opening_the_edit_form_of_a_file_is_logged(app, casefile, as_role):
    person_id = casefile["person_id"]
    before = access_rows(app, person_id)
    page = as_role("chair").get(f"/people/{person_id}/edit")
    assert page.status_code == 200
    with app.app_context():
        chair_id = user_id("chair")
    assert access_rows(app, person_id) == [*before, ("view", chair_id)]


def test_the_outstanding_report_logs_an_access_to_each_borrower_it_names(app, casefile, money, seed, as_role):
    other_loan = disbursed_loan(app, seed.fund_id, money.other_person_id, 2_000_000, dt.date(2026, 2, 1))
    assert other_loan
    chair = as_role("chair")
    before = {pid: access_rows(app, pid) for pid in (money.person_id, money.other_person_id)}
    screen = chair.get("/reports/outstanding")  # names and addresses, on screen
    assert screen.status_code == 200 and "Lê Thị Bích" in screen.get_data(as_text=True)
    for chosen in ("csv", "xlsx"):
        export = chair.client.get(f"/reports/outstanding?format={chosen}")
        assert export.status_code == 200 and export.data
    with app.app_context():
        chair_id = user_id("chair")
    for person_id, rows in before.items():
        added = access_rows(app, person_id)[len(rows) :]
        assert added == [("report", chair_id)] + [("report_export", chair_id)] * 2, person_id
    audit_page = chair.get("/audit").get_data(as_text=True)
    assert "Có tên trong bản xuất dư nợ" in audit_page


@pytest.mark.parametrize(
    "page, action",
    [
        ("/loans/{loan_id}", "loan"),
        ("/loans/{loan_id}/voucher", "voucher"),
        ("/repayments/{repayment_id}/receipt", "voucher"),
    ],
)
def test_money_pages_that_name_the_borrower_log_an_access(app, casefile, money, seed, as_role, page, action):
    """A loan's page, its phiếu chi and a phiếu thu show the borrower's name and address."""
    donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.other_person_id, 2_000_000, dt.date(2026, 2, 1))
    repayment_id = repay(app, loan_id, 200_000, dt.date(2026, 3, 1))
    before = access_rows(app, money.other_person_id)
    response = as_role("treasurer").get(page.format(loan_id=loan_id, repayment_id=repayment_id))
    assert response.status_code == 200 and "Lê Thị Bích" in response.get_data(as_text=True)
    with app.app_context():
        treasurer_id = user_id("treasurer")
    assert access_rows(app, money.other_person_id) == [*before, (action, treasurer_id)]


def test_opening_the_visit_form_is_logged(app, casefile, money, as_role):
    before = access_rows(app, money.person_id)
    assert as_role("member").get(f"/visits/new/{money.person_id}").status_code == 200
    with app.app_context():
        member_id = user_id("member")
    assert access_rows(app, money.person_id) == [*before, ("visit_form", member_id)]


# ------------------------------------------------------------------------------ every place a name can be


def test_every_text_column_says_what_erasure_and_the_export_do_with_it(app):
    """A text column added later fails here until personal_data.TEXT_COLUMNS says whether it can
    name a person, so that the erasure and the export cannot forget it."""
    from tracker.personal_data import FREE_TEXT, FREE_TEXT_FIELDS, OWNED_FIELDS, TEXT_COLUMNS

    with app.app_context():
        columns = {
            f"{table.name}.{column.name}"
            for table in db.metadata.sorted_tables
            for column in table.columns
            if isinstance(column.type, sa.String | sa.Text)
        }
    assert sorted(columns - set(TEXT_COLUMNS)) == [], "say in personal_data.TEXT_COLUMNS what it holds"
    assert sorted(set(TEXT_COLUMNS) - columns) == []
    searched = {
        f"{model.__tablename__}.{field}" for model, fields in FREE_TEXT_FIELDS.items() for field in fields
    }
    assert searched == {name for name, kind in TEXT_COLUMNS.items() if kind == FREE_TEXT}
    owned = {f"{model.__tablename__}.{field}" for model, fields in OWNED_FIELDS.items() for field in fields}
    assert owned <= searched


def test_erasure_takes_the_name_out_of_every_note_that_holds_it(app, seed, casefile, money, as_role):
    """A donation earmarked for the person ("Riêng cho anh …, ĐT 09…"), another person's visit, the
    review's list, a closing note and another loan's minutes name the person: the export lists them
    all, and after erasure the name and phone are nowhere, on the donation's page and receipt too."""
    from tests.factories import approved_loan

    person_id = casefile["person_id"]
    with app.app_context():
        earmarked = Donation(
            fund_id=seed.fund_id,
            donor_id=money.donor_id,
            amount=2_000_000,
            received_on=dt.date(2025, 9, 1),
            method="cash",
            note=f"Riêng cho anh {NAME}, ĐT 0912 345 678",
            earmark_person_id=person_id,
        )
        earmarked.donor = db.session.get(Donor, money.donor_id)
        journal.record_donation(earmarked, user_id("treasurer"))
        plain = Donation(
            fund_id=seed.fund_id,
            donor_id=money.donor_id,
            amount=1_000_000,
            received_on=dt.date(2025, 9, 2),
            method="cash",
            note="Nhờ chuyển lời hỏi thăm nguyễn văn an",  # typed in lower case
        )
        plain.donor = db.session.get(Donor, money.donor_id)
        journal.record_donation(plain, user_id("treasurer"))
        other = db.session.get(Person, money.other_person_id)
        casework.log_visit(
            other,
            mentor_id=None,
            visited_on=dt.date(2025, 9, 3),
            kind="home",
            summary=f"Đi cùng {NAME} bán hàng ở chợ",
            user_id=user_id("chair"),
        )
        db.session.add(ReviewNote(fund_id=seed.fund_id, period="2025", text=f"Thăm {NAME} (0912345678)"))
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=dt.date(2024, 12, 31), note=NAME))
        db.session.commit()
        donation_ids = (earmarked.id, plain.id)
    other_loan = approved_loan(app, seed.fund_id, money.other_person_id, 1_000_000, on=dt.date(2025, 9, 4))
    with app.app_context():
        db.session.get(Loan, other_loan).minutes_ref = f"BB họp xét cùng đơn của {NAME}"
        db.session.commit()
    chair = as_role("chair")

    exported = json.loads(chair.get(f"/people/{person_id}/export").get_data(as_text=True))
    assert [d["note"] for d in exported["earmarked_donations"]] == [f"Riêng cho anh {NAME}, ĐT 0912 345 678"]
    assert len(exported["mentioned_in"]) == 5, exported["mentioned_in"]
    printable = chair.get(f"/people/{person_id}/export?format=html").get_data(as_text=True)
    assert "Đi cùng" in printable and "Thăm " in printable

    assert erase(chair, person_id).status_code == 303
    placeholder = f"{casework.ERASED_NAME} #{person_id}"
    with app.app_context():
        notes = [db.session.get(Donation, donation_id).note for donation_id in donation_ids]
        assert notes == ["", f"Nhờ chuyển lời hỏi thăm {placeholder}"]
        assert db.session.scalar(
            sa.select(Visit.summary).where(Visit.person_id == money.other_person_id)
        ) == (f"Đi cùng {placeholder} bán hàng ở chợ")
        assert db.session.scalar(sa.select(ReviewNote.text)) == f"Thăm {placeholder} ({placeholder})"
        assert db.session.scalar(sa.select(PeriodClose.note)) == placeholder
        assert db.session.get(Loan, other_loan).minutes_ref == f"BB họp xét cùng đơn của {placeholder}"
        assert db.session.get(Loan, casefile["loan_id"]).purpose == ""
    pages = [f"/donations/{donation_id}" for donation_id in donation_ids]
    pages += [f"/donations/{donation_id}/receipt" for donation_id in donation_ids]
    pages += [f"/people/{money.other_person_id}", "/reports/review?period=2025", "/periods"]
    for url in pages:
        page = chair.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        for secret in (NAME, "0912 345 678", PHONE):
            assert secret not in text, (secret, url)


@pytest.mark.parametrize(
    "url, data",
    [
        (
            "/loans/{loan_id}/write-off",
            {
                "reason": "Anh Nguyễn Văn An đi làm ăn xa",
                "minutes_ref": "BB 01",
                "decided_on": clock.today().isoformat(),
            },
        ),
        ("/repayments/{repayment_id}/reverse", {"reason": "Thu nhầm của 0912345678"}),
    ],
)
def test_a_reason_kept_for_good_may_not_name_a_person_helped(app, seed, casefile, as_role, url, data):
    """The journal and the audit log are never changed, even by an erasure: a reason that would go
    there may not name a person of the fund."""
    role = "chair" if "write-off" in url else "treasurer"
    target = url.format(loan_id=casefile["loan_id"], repayment_id=casefile["repayment_ids"][0])
    before = money_state(app, seed.fund_id, casefile["loan_id"])
    refused = as_role(role).post(target, data)
    assert refused.status_code == 422
    assert "Không ghi tên hoặc số điện thoại" in refused.get_data(as_text=True)
    assert money_state(app, seed.fund_id, casefile["loan_id"]) == before

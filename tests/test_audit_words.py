"""The audit log in words: every action the code records has a sentence, every field it keeps has
its form's label, and after real actions the page shows no code (visit.create, person_id, cash, ...),
only what a chair reads: "Ghi thăm hỏi — Phan Văn Lực", "Hình thức: Tiền mặt", "Chờ duyệt → Đã duyệt"."""

import ast
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.factories import user_id
from tracker import audit, clock, labels
from tracker.blueprints import donations, members
from tracker.blueprints.people import forms as people_forms
from tracker.extensions import db
from tracker.models import CommitteeMember, Donor, Loan, Membership, Person
from tracker.web.shared import DonorForm

DUMP = False  # True: print the log's rows as a reader sees them (pytest -s)
SOURCE = Path(__file__).resolve().parent.parent / "tracker"


def audit_calls() -> list[tuple[str, ast.Call]]:
    """Every audit.record(...) in the code, with its action; and the rows the generator writes."""
    found = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                action = node.args[0]
                assert isinstance(action, ast.Constant), f"{path}:{node.lineno}: name the action as a literal"
                found.append((action.value, node))
            if isinstance(node, ast.Dict):  # {"action": "fund.generate", ...} written in bulk
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "action"
                        and isinstance(value, ast.Constant)
                    ):
                        found.append((value.value, None))
    return found


def recorded_keys() -> set[str]:
    """The keys of the before/after dicts the code writes, and of the snapshots it takes."""
    keys = set(members.AUDITED_FIELDS) | set(donations.AUDITED_FIELDS) | set(DonorForm.AUDITED_FIELDS)
    for _action, call in audit_calls():
        for keyword in call.keywords if call is not None else ():
            if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                keys |= {key.value for key in keyword.value.keys if isinstance(key, ast.Constant)}
    return keys


def test_every_action_the_code_records_has_words_and_no_words_are_left_over(app):
    actions = {action for action, _call in audit_calls()}
    assert len(actions) >= 30, actions  # the walk found the calls
    assert actions <= set(audit.ACTIONS), f"no words for {actions - set(audit.ACTIONS)}"
    assert set(audit.ACTIONS) <= actions, f"words for actions never recorded: {set(audit.ACTIONS) - actions}"
    for words in (audit.ACTIONS, labels.ACCESSES):
        for action, phrase in words.items():
            with app.test_request_context(), force_locale("vi"):
                vietnamese = str(phrase)
            with app.test_request_context(), force_locale("en"):
                english = str(phrase)
            assert vietnamese and vietnamese != english, f"{action}: not translated"


def test_every_field_the_code_records_has_its_label(app):
    keys = recorded_keys()
    assert {"person_id", "earmark_loan_id", "receipt_no", "method", "status", "fields"} <= keys
    assert keys <= set(audit.FIELDS), f"no label for {keys - set(audit.FIELDS)}"
    assert set(people_forms.TRACKED_FIELDS) <= set(audit.PERSON_FIELDS)
    for label, _how in audit.FIELDS.values():
        with app.test_request_context(), force_locale("vi"):
            vietnamese = str(label)
        with app.test_request_context(), force_locale("en"):
            assert vietnamese != str(label), f"{label}: not translated"


def test_an_action_without_words_is_refused(app, seed):
    with app.app_context(), pytest.raises(ValueError, match="ACTIONS"):
        audit.record("visit.made", fund_id=seed.fund_id)


# ------------------------------------------------------------------------------ the page


class VisibleText(HTMLParser):
    """The text a reader sees (and hears): text outside scripts, and the title, alt and aria-label
    attributes; not ids, classes, names or values."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in ("title", "alt", "aria-label") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def words(app, table, code) -> str:
    with app.test_request_context(), force_locale("vi"):
        return labels.label(table, code)


@pytest.fixture
def real_actions(app, seed, money, as_role):
    """A day's work, done through the forms: a person added and visited, a donor and an earmarked
    donation in cash, a loan applied for, approved, paid out and repaid, a team member added, a
    login's role changed, the review's list saved, a status changed and the books closed."""
    today = clock.today().isoformat()
    chair, treasurer, member = as_role("chair"), as_role("treasurer"), as_role("member")

    def ok(response):
        assert response.status_code in (200, 303), (
            response.status_code,
            response.get_data(as_text=True)[:500],
        )

    ok(
        chair.post(
            "/people",
            {
                "full_name": "Phan Văn Lực",
                "consent_recorded_on": today,
                "gender": "male",
                "address": "Thôn Đông",
                "mentor_id": seed.member_cm_id,
            },
        )
    )
    with app.app_context():
        person = db.session.scalar(sa.select(Person.id).where(Person.full_name == "Phan Văn Lực"))
        other_member = db.session.scalar(
            sa.select(CommitteeMember.id).where(
                CommitteeMember.fund_id == seed.fund_id, CommitteeMember.user_id == user_id("member2")
            )
        )
    ok(member.post("/visits", {"person_id": person, "kind": "home", "visited_on": today}))
    ok(chair.post(f"/people/{person}/mentor", {"mentor_id": other_member, "assigned_on": today}))
    ok(treasurer.post("/donors", {"name": "Bà Nguyễn Thị Hảo", "kind": "individual"}))
    with app.app_context():
        donor = db.session.scalar(sa.select(Donor.id).where(Donor.name == "Bà Nguyễn Thị Hảo"))
    ok(
        treasurer.post(
            "/donations",
            {
                "donor_id": donor,
                "amount": "20.000.000",
                "received_on": today,
                "method": "cash",
                "earmark_person_id": person,
            },
        )
    )
    loan_form = {
        "person_id": person,
        "principal": "5.000.000",
        "purpose": "Mua giống",
        "term_months": "10",
        "grace_months": "0",
        "applied_on": today,
    }
    ok(chair.post("/loans", loan_form))
    with app.app_context():
        loan = db.session.scalar(sa.select(Loan.id).where(Loan.person_id == person))
    ok(chair.post(f"/loans/{loan}/approve", {"minutes_ref": "BB 01", "decided_on": today}))
    ok(treasurer.post(f"/loans/{loan}/disburse", {"disbursed_on": today}))
    ok(treasurer.post(f"/loans/{loan}/repayments", {"amount": "500.000", "paid_on": today, "method": "cash"}))
    ok(chair.post("/members", {"full_name": "Hoàng Thị Mai", "organisation": "Hội Phụ nữ"}))
    with app.app_context():
        viewer = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user_id("viewer")))
    ok(chair.post(f"/users/{viewer}/role", {"role": "member"}))
    ok(chair.post("/reports/review/notes", {"period": f"{clock.today().year}-H1", "text": "Thăm hỏi đều"}))
    ok(
        chair.post(
            f"/people/{person}/status", {"status": "settled", "changed_on": today, "reason": "Có việc làm"}
        )
    )
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    ok(chair.post("/periods", {"closed_through": yesterday}))
    with app.app_context():
        done = set(db.session.scalars(sa.select(audit.AuditEvent.action).distinct()))
    return chair, person, loan, done


def test_the_log_after_real_actions_reads_in_words(app, real_actions):
    chair, person, loan, done = real_actions
    assert {"visit.create", "donation.create", "loan.approve", "person.status", "period.close"} <= done
    html = chair.get("/audit").get_data(as_text=True)
    text = visible_text(html)

    # no code: not an action's, a field's, a stored value's or a table's
    codes = set(audit.ACTIONS) | {key for key in audit.FIELDS if "_" in key}
    codes |= {"cash", "individual", "home", "male", "settled", "supported", "requested", "approved", "active"}
    codes |= {"amount", "principal", "method", "status", "reason", "fields", "kind", "period", "items"}
    codes |= {"Person", "Loan", "Visit", "Repayment", "Donation", "Donor", "CommitteeMember", "Membership"}
    shown = sorted(code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text))
    assert not shown, f"codes on the audit page: {shown}"
    assert "Đối tượng" not in text

    # sentences, labels and words
    assert "Ghi thăm hỏi — Phan Văn Lực" in text
    assert re.search(rf'<a href="/people/{person}">Phan Văn Lực</a>', html)
    assert re.search(rf'<a href="/loans/{loan}">Phan Văn Lực</a>', html)
    assert "Hồ sơ" in text and f"Khoản vay #{loan}" in text
    row = audit_row(html, "Ghi nhận khoản đóng góp")
    assert "Hình thức Tiền mặt" in row and "Số tiền 20.000.000 ₫" in row
    assert "Nhà tài trợ Bà Nguyễn Thị Hảo" in row and "Dành riêng cho người được giúp đỡ Phan Văn Lực" in row
    assert re.search(r"Số phiếu thu PT-\d{4}-\d{4}", row)
    requested, approved = (
        words(app, labels.LOAN_STATUSES, "requested"),
        words(app, labels.LOAN_STATUSES, "approved"),
    )
    assert f"Trạng thái {requested} {approved}" in audit_row(html, "duyệt")
    status_row = audit_row(html, "Đổi trạng thái người được giúp đỡ")
    supported, settled = (words(app, labels.PERSON_STATUSES, code) for code in ("supported", "settled"))
    assert f"{supported} {settled}" in status_row
    assert "Thêm người được giúp đỡ — Phan Văn Lực" in text
    assert "Họ và tên" in audit_row(html, "Thêm người được giúp đỡ")
    assert "Loại nhà tài trợ Nhà hảo tâm" in audit_row(html, "Thêm nhà tài trợ")
    assert "Vai trò Ban Chỉ đạo (chỉ xem) Thành viên" in audit_row(html, "Đổi vai trò")
    assert f"Lưu một mục của báo cáo sơ kết, tổng kết — 6 tháng đầu năm {clock.today().year}" in text
    if DUMP:
        for row in html.split('<tr id="audit-')[1:]:
            print(visible_text(row.split("</table>\n</div>")[0]))


def audit_row(html: str, words_in_it: str) -> str:
    """The visible text of the first log row that says `words_in_it`."""
    for row in html.split('<tr id="audit-')[1:]:
        text = visible_text(row)
        if words_in_it in text:
            return text
    raise AssertionError(f"no row says {words_in_it!r}")

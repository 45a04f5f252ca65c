"""Reminders (issue 19, items 3 and 4): `flask remind` sends each member, the treasurer and the
chair their text through a real SMTP server started here (aiosmtpd), and the messages are read back;
the /reminders page lists every text with a copy button; a member's dashboard shows the same people.
"""

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.factories import add_donor, add_person, disbursed_loan, donate, user_id
from tracker import casework, clock, reminders
from tracker.extensions import db, mail
from tracker.models import CommitteeMember, Fund, Installment, Loan, Person, ReminderSent

TODAY = clock.today()
CONCERNS = "Hay uống rượu, cãi nhau với vợ"  # a visit's note: never in a reminder
SUMMARY = "Đã tìm được việc phụ hồ"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


class Inbox:
    """aiosmtpd handler: keeps each message it is given, as (recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, email.message.EmailMessage]:
        found = {}
        for recipients, message in self.messages:
            for address in recipients:
                assert address not in found, f"{address} got two messages"
                found[address] = message
        return found


@pytest.fixture
def smtp():
    inbox = Inbox()
    # a free port asked of the system: Controller's own check of its readiness connects to the
    # port it was given, so it cannot be 0
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def use_smtp(app, port: int) -> None:
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_BACKEND="smtp",  # tests would get Flask-Mailman's in-memory outbox otherwise
        MAIL_DEFAULT_SENDER="quy@hongson.example",
        MAIL_TIMEOUT=5,
    )
    mail.init_app(app)


def free_port() -> int:
    """A port nothing listens on (for the server to start on, or an SMTP server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def case(app, seed):
    """Fund A: Bình (login `member`, email) mentors An (45 days overdue, with a visit's notes) and
    Cúc (due in 3 days); Long (login `member2`, no email) mentors Dũng (2 days overdue); Hoa has no
    login but an email and mentors Em (due today); Giang is assigned to nobody (40 days overdue).
    The treasurer and the chair have email through their committee member; An owes a late loan,
    Cúc a loan with an installment due this week."""
    with app.app_context():
        fund = db.session.get(Fund, seed.fund_id)
        binh = db.session.get(CommitteeMember, seed.member_cm_id)
        binh.email = "binh@example.vn"
        long = db.session.scalar(
            sa.select(CommitteeMember).where(CommitteeMember.user_id == user_id("member2"))
        )
        hoa = CommitteeMember(fund_id=fund.id, position="Hội Phụ nữ", email="hoa@example.vn")
        hoa.set_name("Đỗ Thị Hoa")
        treasurer = CommitteeMember(
            fund_id=fund.id, position="Thủ quỹ", email="thuquy@example.vn", user_id=user_id("treasurer")
        )
        treasurer.set_name("Lê Thị Thu")
        chair = CommitteeMember(
            fund_id=fund.id, position="Tổ trưởng", email="totruong@example.vn", user_id=user_id("chair")
        )
        chair.set_name("Nguyễn Văn Trưởng")
        db.session.add_all([hoa, treasurer, chair])
        db.session.flush()
        mentors = {"Nguyễn Văn An": binh.id, "Trần Thị Cúc": binh.id, "Phan Văn Dũng": long.id}
        mentors |= {"Vũ Văn Em": hoa.id, "Hà Văn Giang": None, "Mai Văn Xa": binh.id}
        next_visits = {"Nguyễn Văn An": days(-45), "Trần Thị Cúc": days(3), "Phan Văn Dũng": days(-2)}
        next_visits |= {"Vũ Văn Em": days(0), "Hà Văn Giang": days(-40), "Mai Văn Xa": days(20)}
        ids = {
            name: add_person(fund.id, name, mentor, address="Thôn Đông, nhà số 12")
            for name, mentor in mentors.items()
        }
        an = db.session.get(Person, ids["Nguyễn Văn An"])
        an.phone = "0912345678"
        casework.log_visit(
            an,
            mentor_id=binh.id,
            visited_on=days(-90),
            kind="home",
            summary=SUMMARY,
            concerns=CONCERNS,
            next_visit_on=days(-45),
        )
        for name, due in next_visits.items():
            db.session.get(Person, ids[name]).next_visit_on = due  # as the test needs, after the visit
        donor = add_donor(fund.id, "Công ty TNHH Hồng Phát")
        hoa_id = hoa.id
        db.session.commit()
    donate(app, seed.fund_id, donor, 50_000_000, dt.date(2025, 12, 1))
    # 3 installments of 1.000.000 ₫ from February 2026: all three overdue by now
    late = disbursed_loan(app, seed.fund_id, ids["Nguyễn Văn An"], 3_000_000, dt.date(2026, 1, 10), term=3)
    # its first installment falls within the week
    soon = disbursed_loan(
        app, seed.fund_id, ids["Trần Thị Cúc"], 2_000_000, TODAY - dt.timedelta(days=27), term=2
    )
    with app.app_context():
        first_late = db.session.scalar(
            sa.select(sa.func.min(Installment.due_on)).where(Installment.loan_id == late)
        )
        soon_due = db.session.scalar(
            sa.select(sa.func.min(Installment.due_on)).where(Installment.loan_id == soon)
        )
        purpose = db.session.get(Loan, late).purpose
    return {
        "ids": ids,
        "late_days": (TODAY - first_late).days,
        "soon_due": soon_due,
        "purpose": purpose,
        "hoa_id": hoa_id,
    }


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def sent_rows(app) -> list[tuple[str, str, dt.date]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(ReminderSent.address, ReminderSent.kind, ReminderSent.sent_on).order_by(
                    ReminderSent.address
                )
            )
        ]


# ------------------------------------------------------------------------------ flask remind


def test_remind_emails_each_one_what_is_due_and_nothing_more(app, seed, case, smtp, runner):
    inbox, port = smtp
    use_smtp(app, port)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    got = inbox.by_recipient()
    assert set(got) == {"binh@example.vn", "hoa@example.vn", "thuquy@example.vn", "totruong@example.vn"}
    assert "Tổng cộng: đã gửi 4, bỏ qua 0 (đã gửi trước đó), không có địa chỉ thư 1, lỗi 0." in result.output
    assert "chưa có địa chỉ thư: Bùi Văn Long" in result.output

    binh = got["binh@example.vn"]
    assert binh["Subject"].strip() == "Quỹ xã Hồng Sơn: nhắc thăm hỏi"
    assert binh["From"] == "quy@hongson.example"
    assert body_of(binh).strip() == (
        "Quỹ xã Hồng Sơn: nhắc thăm hỏi\n"
        "Phạm Văn Bình, tuần này cần thăm:\n"
        "- Nguyễn Văn An: quá hạn 45 ngày\n"
        f"- Trần Thị Cúc: hạn {days(3):%d/%m/%Y}"
    )
    assert "Hà Văn Giang" not in body_of(binh) and "Mai Văn Xa" not in body_of(binh)
    assert body_of(got["hoa@example.vn"]).endswith(f"- Vũ Văn Em: hạn {TODAY:%d/%m/%Y}\n")

    treasurer = body_of(got["thuquy@example.vn"])
    assert got["thuquy@example.vn"]["Subject"].strip() == "Quỹ xã Hồng Sơn: nhắc thu hồi vốn"
    assert f"Quá hạn:\n- Nguyễn Văn An: 3.000.000 ₫, quá hạn {case['late_days']} ngày" in treasurer
    assert f"Đến hạn trong tuần:\n- Trần Thị Cúc: 1.000.000 ₫, hạn {case['soon_due']:%d/%m/%Y}" in treasurer

    chair = body_of(got["totruong@example.vn"])
    assert "Quá hạn thăm trên 30 ngày:" in chair
    assert "- Nguyễn Văn An: quá hạn 45 ngày (phụ trách: Phạm Văn Bình)" in chair
    assert "- Hà Văn Giang: quá hạn 40 ngày (phụ trách: chưa phân công)" in chair
    assert "Phan Văn Dũng" not in chair  # 2 days: not more than 30
    assert (
        f"Nợ quá hạn trên 30 ngày:\n- Nguyễn Văn An: 3.000.000 ₫, quá hạn {case['late_days']} ngày" in chair
    )

    for message in got.values():
        text = body_of(message)
        for secret in (CONCERNS, SUMMARY, "Thôn Đông", "0912345678", case["purpose"]):
            assert secret not in text
    assert sent_rows(app) == [
        ("binh@example.vn", "visits", TODAY),
        ("hoa@example.vn", "visits", TODAY),
        ("thuquy@example.vn", "repayments", TODAY),
        ("totruong@example.vn", "chair", TODAY),
    ]


def test_a_second_run_sends_nothing_the_same_day_and_the_chairs_line_waits_a_week(
    app, seed, case, smtp, runner, monkeypatch
):
    inbox, port = smtp
    use_smtp(app, port)
    assert runner.invoke(args=["remind"]).exit_code == 0
    assert len(inbox.messages) == 4

    again = runner.invoke(args=["remind"])
    assert again.exit_code == 0 and len(inbox.messages) == 4
    assert "đã gửi 0, bỏ qua 4" in again.output

    for later, expected in ((1, 3), (6, 3), (7, 4)):
        monkeypatch.setattr(clock, "today", lambda later=later: TODAY + dt.timedelta(days=later))
        before = len(inbox.messages)
        assert runner.invoke(args=["remind"]).exit_code == 0
        new = [recipients[0] for recipients, _message in inbox.messages[before:]]
        assert len(new) == expected, (later, new)
        assert ("totruong@example.vn" in new) == (later == 7)


def test_the_database_refuses_the_same_reminder_twice_a_day(app, seed):
    """Two cron runs at the same moment: the second claim fails in the database, not only in Python."""
    with app.app_context():
        row = {
            "fund_id": seed.fund_id,
            "recipient": f"member:{seed.member_cm_id}",
            "member_id": seed.member_cm_id,
            "kind": "visits",
            "channel": "email",
            "address": "binh@example.vn",
            "sent_on": TODAY,
            "digest": "0" * 64,
        }
        db.session.add(ReminderSent(**row))
        db.session.commit()
        db.session.add(ReminderSent(**row))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(ReminderSent(**{**row, "sent_on": TODAY + dt.timedelta(days=1)}))
        db.session.commit()


def test_a_reminder_another_run_claimed_meanwhile_is_not_sent(app, seed, case, smtp, runner, monkeypatch):
    """Two runs at once: both read "not sent yet", the other claims Bình's row first; this run's
    claim fails on the unique key, so it skips the message instead of sending it a second time."""
    inbox, port = smtp
    use_smtp(app, port)
    monkeypatch.setattr(reminders, "already_sent", lambda fund_id, today: set())
    with app.app_context():
        db.session.add(
            ReminderSent(
                fund_id=seed.fund_id,
                recipient=f"member:{seed.member_cm_id}",
                member_id=seed.member_cm_id,
                kind="visits",
                address="binh@example.vn",
                sent_on=TODAY,
                digest="0" * 64,
            )
        )
        db.session.commit()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "đã gửi 3, bỏ qua 1" in result.output
    assert "binh@example.vn" not in inbox.by_recipient()


def test_smtp_down_fails_the_run_and_logs_nothing(app, seed, case, runner):
    use_smtp(app, free_port())
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 1
    assert "LỖI gửi tới Phạm Văn Bình (binh@example.vn)" in result.output
    assert "đã gửi 0" in result.output and "lỗi 4" in result.output
    assert sent_rows(app) == []


def test_without_a_mail_server_remind_says_so_and_logs_nothing(app, seed, case, runner):
    assert not app.config.get("MAIL_SERVER")
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0
    assert "Chưa cấu hình máy chủ thư (TRACKER_MAIL_SERVER)" in result.output
    assert "Nguyễn Văn An" not in result.output  # names stay out of the cron's log
    assert sent_rows(app) == []


def test_without_a_sender_remind_refuses_before_sending(app, seed, case, smtp, runner):
    inbox, port = smtp
    use_smtp(app, port)
    app.config.update(MAIL_DEFAULT_SENDER=None, MAIL_USERNAME="quyhongson")
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 1 and "TRACKER_MAIL_DEFAULT_SENDER" in result.output
    assert inbox.messages == [] and sent_rows(app) == []
    app.config.update(MAIL_USERNAME="quyhongson@gmail.com")  # a mailbox that is an address will do
    assert runner.invoke(args=["remind"]).exit_code == 0
    assert {message["From"] for _to, message in inbox.messages} == {"quyhongson@gmail.com"}


def test_dry_run_prints_what_would_go_and_sends_nothing(app, seed, case, smtp, runner):
    inbox, port = smtp
    use_smtp(app, port)
    result = runner.invoke(args=["remind", "--dry-run", "--fund", str(seed.fund_id)])
    assert result.exit_code == 0, result.output
    assert "sẽ gửi tới Phạm Văn Bình (binh@example.vn)" in result.output
    assert "    - Nguyễn Văn An: quá hạn 45 ngày" in result.output
    assert "Tổng cộng: sẽ gửi 4" in result.output
    assert inbox.messages == [] and sent_rows(app) == []


def test_remind_for_one_fund_only(app, seed, case, smtp, runner):
    inbox, port = smtp
    use_smtp(app, port)
    result = runner.invoke(args=["remind", "--fund", str(seed.other_fund_id)])
    assert result.exit_code == 0 and inbox.messages == []
    assert "Quỹ xã Khác" in result.output and "Quỹ xã Hồng Sơn" not in result.output
    assert runner.invoke(args=["remind", "--fund", "999999"]).exit_code != 0


def test_the_chairs_days_come_from_the_fund(app, seed, case):
    with app.app_context():
        fund = db.session.get(Fund, seed.fund_id)
        fund.remind_overdue_days = 42
        fund.name = "Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng xã Hồng Sơn"
        db.session.commit()
        chair = reminders.build(fund, TODAY).chair[0].text
    # the full name is too long for a phone's first line: the commune's
    assert chair.startswith("Quỹ xã Hồng Sơn: tổng hợp tuần gửi Tổ trưởng\n")
    assert "Quá hạn thăm trên 42 ngày:" in chair
    assert "Nguyễn Văn An" in chair and "Hà Văn Giang" not in chair  # 45 > 42 >= 40


# ------------------------------------------------------------------------------ the page


PAGE_BOX = re.compile(r'<article class="card reminder" id="([^"]+)"[^>]*>(.*?)</article>', re.S)


def test_the_page_has_a_box_with_a_copy_button_for_everyone(app, seed, case, as_role):
    page = as_role("chair").get("/reminders").get_data(as_text=True)
    boxes = dict(PAGE_BOX.findall(page))
    hoa = boxes[f"reminder-visits-{case['hoa_id']}"]
    assert "Đỗ Thị Hoa" in hoa and "Chưa có tài khoản" in hoa  # a member without a login
    assert f"- Vũ Văn Em: hạn {TODAY:%d/%m/%Y}" in hoa
    assert 'data-copy="reminder-visits-' in hoa and ">Sao chép</button>" in hoa
    long = boxes[f"reminder-visits-{db_member_id(app, 'member2')}"]
    assert "Chưa có địa chỉ thư" in long and "Phan Văn Dũng: quá hạn 2 ngày" in long
    assert "Hà Văn Giang" in boxes["reminder-visits-none"]
    assert "Nguyễn Văn An: 3.000.000 ₫" in boxes["reminder-repayments-1"]
    assert "Quá hạn thăm trên 30 ngày" in boxes["reminder-chair-1"]
    assert CONCERNS not in page and SUMMARY not in page and "0912345678" not in page
    assert '<script src="/static/copy.js' in page and "<script>" not in page


def test_the_page_says_what_was_emailed_today(app, seed, case, smtp, runner, as_role):
    _inbox, port = smtp
    use_smtp(app, port)
    assert runner.invoke(args=["remind"]).exit_code == 0
    page = as_role("chair").get("/reminders").get_data(as_text=True)
    boxes = dict(PAGE_BOX.findall(page))
    assert "Đã gửi thư hôm nay" in boxes[f"reminder-visits-{seed.member_cm_id}"]
    assert "Đã gửi thư hôm nay" not in boxes[f"reminder-visits-{db_member_id(app, 'member2')}"]


@pytest.mark.parametrize("role", ["viewer", "member", "treasurer"])
def test_only_the_chair_sees_the_page(app, seed, case, as_role, role):
    response = as_role(role).get("/reminders")
    assert response.status_code == 403
    assert "Nguyễn Văn An" not in response.get_data(as_text=True)


def db_member_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id(username))
        )


# ------------------------------------------------------------------------------ a member's week


QUEUE_ITEM = re.compile(r'<li class="card queue-item[^"]*" data-person-id="(\d+)">(.*?)</li>', re.S)


@pytest.mark.parametrize("username", ["member", "member2"])
def test_a_members_dashboard_lists_the_people_of_their_reminder(app, seed, case, as_role, username):
    page = as_role(username).get("/").get_data(as_text=True)
    shown = [
        (int(pid), re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", body)).strip())
        for pid, body in QUEUE_ITEM.findall(page)
    ]
    member_id = db_member_id(app, username)
    with app.app_context():
        found = reminders.build(db.session.get(Fund, seed.fund_id), TODAY)
    text = next(r.text for r in found.members if r.member_id == member_id)
    reminder_lines = [line[2:] for line in text.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in reminder_lines] == [
        body.split(" Quá hạn")[0].split(" Đến hạn")[0] for _pid, body in shown
    ]
    if username == "member":
        assert [pid for pid, _body in shown] == [case["ids"]["Nguyễn Văn An"], case["ids"]["Trần Thị Cúc"]]
        assert "Quá hạn 45 ngày" in shown[0][1] and f"Đến hạn {days(3):%d/%m/%Y}" in shown[1][1]
    else:
        assert [pid for pid, _body in shown] == [case["ids"]["Phan Văn Dũng"]]


# ------------------------------------------------------------------------------ the settings


def test_a_member_without_a_login_can_have_an_email(app, seed, as_role):
    chair = as_role("chair")
    bad = chair.post("/members", {"full_name": "Đỗ Thị Hoa", "email": "hoa at gmail"})
    assert bad.status_code == 422 and "Nhập địa chỉ thư" in bad.get_data(as_text=True)
    good = chair.post("/members", {"full_name": "Đỗ Thị Hoa", "email": " Hoa@Gmail.com "})
    assert good.status_code == 303
    with app.app_context():
        member = db.session.scalar(
            sa.select(CommitteeMember).where(CommitteeMember.full_name == "Đỗ Thị Hoa")
        )
        assert member.email == "hoa@gmail.com" and member.user_id is None


def test_the_chair_sets_the_days_of_the_weekly_line(app, seed, as_role):
    chair = as_role("chair")
    form = chair.get("/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="remind_overdue_days"[^>]*value="30"', form)
    assert chair.post("/settings", {"remind_overdue_days": "0"}).status_code == 422
    assert chair.post("/settings", {"remind_overdue_days": "45"}).status_code == 303
    with app.app_context():
        assert db.session.get(Fund, seed.fund_id).remind_overdue_days == 45
    assert chair.post("/settings", {"remind_overdue_days": ""}).status_code == 303
    with app.app_context():
        assert db.session.get(Fund, seed.fund_id).remind_overdue_days == 30

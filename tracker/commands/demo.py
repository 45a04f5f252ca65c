"""The Hồng Sơn demo fund: a team of 15 and five logins (password hongson-demo).

Then the money story: businesses and benefactors give a little over 50 million ₫, two people borrow
for production and repay in full, a third is repaying on time and a fourth is in arrears.
"""

import datetime as dt
import zlib

import click
from sqlalchemy import select

from tracker import accounts, audit, clock
from tracker.extensions import db
from tracker.models import CommitteeMember, Fund

DEMO_FUND_NAME = "Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng xã Hồng Sơn"
DEMO_COMMUNE = "xã Hồng Sơn"
DEMO_PROVINCE = "Lâm Đồng"
DEMO_PASSWORD = "hongson-demo"

# (full name, position, organisation, phone, login): fifteen, as in Hồng Sơn's team.
TEAM = [
    (
        "Nguyễn Văn Hùng",
        "Chủ tịch UBMTTQ xã, Tổ trưởng",
        "Ủy ban MTTQ Việt Nam xã",
        "0912345601",
        "chair",
    ),
    ("Trần Thị Lan", "Thủ quỹ", "Ủy ban MTTQ Việt Nam xã", "0912345602", "treasurer"),
    # the bookkeeper is not the treasurer: one keeps the books, the other the cash
    ("Đoàn Thị Hạnh", "Kế toán", "Ủy ban MTTQ Việt Nam xã", "0912345616", None),
    ("Lê Minh Tuấn", "Phó Trưởng Công an xã, Tổ phó", "Công an xã", "0912345603", None),
    (
        "Phạm Văn Bình",
        "Chủ tịch Hội Cựu chiến binh xã",
        "Hội Cựu chiến binh",
        "0912345604",
        "member",
    ),
    ("Hoàng Thị Mai", "Chủ tịch Hội Liên hiệp Phụ nữ xã", "Hội Phụ nữ", "0912345605", None),
    ("Đỗ Văn Thắng", "Chủ tịch Hội Nông dân xã", "Hội Nông dân", "0912345606", None),
    ("Vũ Thị Hương", "Bí thư Đoàn Thanh niên xã", "Đoàn Thanh niên", "0912345607", None),
    ("Bùi Văn Long", "Trưởng thôn Đông", "Thôn Đông", "0912345608", None),
    ("Đặng Thị Thu", "Trưởng thôn Tây", "Thôn Tây", "0912345609", None),
    ("Ngô Văn Sơn", "Trưởng thôn Trung", "Thôn Trung", "0912345610", None),
    ("Dương Văn Phúc", "Trưởng thôn Nam", "Thôn Nam", "0912345611", None),
    ("Lý Thị Hoa", "Công chức Tư pháp - Hộ tịch", "UBND xã", "0912345612", None),
    # (no "Công an viên" since 01/07/2024: the hamlet's security team took its place)
    (
        "Trịnh Văn Khải",
        "Tổ trưởng Tổ bảo vệ an ninh, trật tự thôn Đông",
        "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
        "0912345613",
        None,
    ),
    (
        "Mai Văn Đức",
        "Doanh nhân, hội viên Hội Doanh nghiệp",
        "Hội Doanh nghiệp xã",
        "0912345614",
        None,
    ),
]

VIEWER = ("viewer", "Võ Văn Thành")
REGIONAL_LOGIN = "tinh"
# Every login the demo creates, with its role, as the first-run page and its message list them.
DEMO_LOGINS = (
    *((login, login) for *_person, login in TEAM if login),
    (VIEWER[0], "viewer"),
    (REGIONAL_LOGIN, "regional"),
)
FOUNDED_ON = dt.date(2024, 3, 15)

# The story's dates below are written as seen from this day. Loaded on another day, every one of
# them moves by the same number of days, so the demo always ends today with the same history
# behind it: some twenty months of money (donations and payouts within the last twelve, for the
# charts), the previous year's review full, one loan in arrears and one repaid on time.
WRITTEN_FOR = dt.date(2025, 11, 27)


def story_day(day: dt.date) -> dt.date:
    return day + (clock.today() - WRITTEN_FOR)


def load_demo() -> Fund:
    """Create the demo fund; refuse if a fund of that name already exists. The caller commits."""
    exists = db.session.scalar(select(Fund.id).where(Fund.name == DEMO_FUND_NAME))
    if exists is not None:
        raise click.ClickException(f"Đã có quỹ “{DEMO_FUND_NAME}” (id {exists}); không nạp lại.")
    fund = accounts.create_fund(DEMO_FUND_NAME, DEMO_COMMUNE, DEMO_PROVINCE)
    founded_on = story_day(FOUNDED_ON)
    fund.founded_on = founded_on
    fund.founding_decision = f"Quyết định số 12/QĐ-MTTQ ngày {founded_on:%d/%m/%Y}"
    for index, (name, position, organisation, phone, login) in enumerate(TEAM):
        member = CommitteeMember(
            fund_id=fund.id,
            position=position,
            organisation=organisation,
            phone=phone,
            joined_on=founded_on + dt.timedelta(days=index // 5),
        )
        member.set_name(name)
        if login:
            user = accounts.create_user(login, DEMO_PASSWORD, fund.id, login, name)
            member.user_id = user.id
        db.session.add(member)
    accounts.create_user(VIEWER[0], DEMO_PASSWORD, fund.id, "viewer", VIEWER[1])
    if not accounts.username_taken(REGIONAL_LOGIN):
        # the province's steering committee: figures of every fund of Lâm Đồng, no names
        accounts.create_regional_user(
            REGIONAL_LOGIN, DEMO_PASSWORD, DEMO_PROVINCE, "Ban Chỉ đạo tỉnh Lâm Đồng"
        )
    db.session.flush()
    people = tell_money_story(fund)
    tell_casework_story(fund, people)
    tell_help_story(fund, people)
    tell_commendations(fund)
    audit.record("fund.demo", fund, fund_id=fund.id)
    db.session.flush()
    return fund


# (donor, kind, anonymous, amount, received on, method)
DONATIONS = [
    ("Công ty TNHH Thương mại Hồng Phát", "business", False, 15_000_000, dt.date(2024, 3, 20), "bank"),
    ("Doanh nghiệp tư nhân Minh Long", "business", False, 10_000_000, dt.date(2024, 4, 2), "cash"),
    ("Hợp tác xã Nông nghiệp Hồng Sơn", "organisation", False, 8_000_000, dt.date(2024, 4, 15), "bank"),
    ("Nguyễn Văn Tài", "individual", False, 5_000_000, dt.date(2024, 5, 10), "cash"),
    ("Cửa hàng vật liệu xây dựng Phúc Thịnh", "business", False, 5_000_000, dt.date(2024, 6, 3), "cash"),
    ("Trần Thị Hạnh", "individual", False, 3_000_000, dt.date(2024, 7, 8), "cash"),
    ("Chi hội Cựu chiến binh thôn Đông", "organisation", False, 2_500_000, dt.date(2024, 9, 2), "cash"),
    ("Nhà hảo tâm", "individual", True, 2_000_000, dt.date(2025, 1, 20), "cash"),
    ("Lương Văn Phú", "individual", False, 2_000_000, dt.date(2025, 2, 3), "cash"),
    ("Công ty TNHH Thương mại Hồng Phát", "business", False, 5_000_000, dt.date(2025, 5, 25), "bank"),
]

# How the thank-you letters address the benefactors (Kính gửi: Ông …, Bà …).
DONOR_TITLES = {"Nguyễn Văn Tài": "Ông", "Trần Thị Hạnh": "Bà", "Lương Văn Phú": "Ông"}

# (recipient's name, form, deciding body, decision no., decided on, reason): the commendations the
# commune gave at the end of the fund's first year.
COMMENDATIONS = [
    (
        "Phạm Văn Bình",
        "Giấy khen",
        "UBND xã Hồng Sơn",
        "12/QĐ-UBND",
        dt.date(2025, 1, 15),
        "Có thành tích trong công tác giúp đỡ người hoàn lương",
    ),
    (
        "Công ty TNHH Thương mại Hồng Phát",
        "Biểu dương",
        "Ủy ban MTTQ Việt Nam xã Hồng Sơn",
        "",
        dt.date(2025, 1, 15),
        "Đóng góp nhiều cho Quỹ từ ngày thành lập",
    ),
]

# (name, gender, birth year, hamlet, released on, mentor's name)
BORROWERS = [
    ("Lê Văn Dũng", "male", 1985, "Thôn Đông", dt.date(2023, 8, 14), "Phạm Văn Bình"),
    ("Hoàng Văn Nam", "male", 1990, "Thôn Tây", dt.date(2023, 11, 2), "Lê Minh Tuấn"),
    ("Đinh Văn Tùng", "male", 1988, "Thôn Nam", dt.date(2024, 12, 20), "Dương Văn Phúc"),
    ("Phan Văn Lực", "male", 1979, "Thôn Trung", dt.date(2024, 9, 5), "Phạm Văn Bình"),
    ("Trương Văn Kiên", "male", 1986, "Thôn Tây", dt.date(2024, 7, 1), "Đỗ Văn Thắng"),
    ("Lương Văn Bảo", "male", 1993, "Thôn Nam", dt.date(2025, 1, 15), "Vũ Thị Hương"),
    ("Tạ Văn Hưng", "male", 1984, "Thôn Đông", dt.date(2024, 2, 20), "Bùi Văn Long"),
]

# Who stands behind each loan: (guarantor, relation, phone); the hamlet head confirms the application.
GUARANTORS = {
    "Lê Văn Dũng": ("Nguyễn Thị Huệ", "Vợ", "0987100201"),
    "Hoàng Văn Nam": ("Hoàng Văn Thái", "Bố", "0987100202"),
    "Phan Văn Lực": ("Trần Thị Nga", "Vợ", "0987100203"),
    "Đinh Văn Tùng": ("Đinh Thị Lan", "Chị gái", "0987100204"),
    "Trương Văn Kiên": ("Trương Văn Định", "Anh trai", "0987100205"),
    "Lương Văn Bảo": ("Lương Thị Mơ", "Mẹ", "0987100206"),
    "Tạ Văn Hưng": ("Tạ Thị Liên", "Mẹ", "0987100207"),
}
HAMLET_HEADS = {
    "Thôn Đông": "Bùi Văn Long",
    "Thôn Tây": "Đặng Thị Thu",
    "Thôn Trung": "Ngô Văn Sơn",
    "Thôn Nam": "Dương Văn Phúc",
}

# (borrower, principal, purpose, applied on, disbursed on, term, grace, installments paid: "all" or a count,
#  or "due": every installment due by today)
LOANS = [
    (
        "Lê Văn Dũng",
        15_000_000,
        "Mua bò giống để chăn nuôi",
        dt.date(2024, 4, 25),
        dt.date(2024, 5, 15),
        12,
        2,
        "all",
    ),
    (
        "Hoàng Văn Nam",
        12_000_000,
        "Mở tiệm sửa xe máy",
        dt.date(2024, 5, 20),
        dt.date(2024, 6, 1),
        12,
        1,
        "all",
    ),
    ("Phan Văn Lực", 10_000_000, "Mở quán nước chè", dt.date(2025, 2, 10), dt.date(2025, 3, 1), 12, 1, 3),
    ("Đinh Văn Tùng", 20_000_000, "Nuôi lợn thịt", dt.date(2025, 5, 20), dt.date(2025, 6, 10), 18, 2, "due"),
    # fell behind after a poor harvest: rescheduled by the committee (RESCHEDULED below)
    ("Trương Văn Kiên", 5_000_000, "Trồng rau màu", dt.date(2025, 1, 5), dt.date(2025, 1, 20), 10, 0, 3),
    # in hospital: collection paused
    (
        "Lương Văn Bảo",
        4_000_000,
        "Mở sạp bán tạp hóa",
        dt.date(2025, 6, 1),
        dt.date(2025, 6, 16),
        8,
        0,
        4,  # the four installments before he went into hospital
    ),
    # moved away: written off, then his mother repaid part of it
    (
        "Tạ Văn Hưng",
        3_000_000,
        "Mua máy cắt cỏ làm dịch vụ",
        dt.date(2024, 7, 20),
        dt.date(2024, 8, 5),
        6,
        0,
        1,
    ),
]

# What the committee later decided on some loans (story days, as above).
RESCHEDULED = {
    "Trương Văn Kiên": (
        dt.date(2025, 9, 8),
        8,
        dt.date(2025, 10, 15),
        "Mất mùa do mưa lũ, xin giãn thời hạn trả",
    ),
}
PAUSED = {
    "Lương Văn Bảo": (dt.date(2025, 10, 20), dt.date(2026, 1, 31), "Người vay nằm viện điều trị dài ngày")
}
WRITTEN_OFF = {
    "Tạ Văn Hưng": (
        dt.date(2025, 3, 10),
        "Người vay đã chuyển đi nơi khác, không còn khả năng trả",
        ("Tạ Thị Liên", "Mẹ", dt.date(2025, 10, 5), 1_000_000),
    ),
}


def tell_commendations(fund: Fund) -> None:
    from tracker.models import Commendation, Donor

    members = dict(
        db.session.execute(
            select(CommitteeMember.full_name, CommitteeMember.id).where(CommitteeMember.fund_id == fund.id)
        ).all()
    )
    donors = dict(db.session.execute(select(Donor.name, Donor.id).where(Donor.fund_id == fund.id)).all())
    for name, form, body, number, decided_on, reason in COMMENDATIONS:
        recipient = "member" if name in members else "donor"
        db.session.add(
            Commendation(
                fund_id=fund.id,
                recipient=recipient,
                member_id=members.get(name),
                donor_id=donors.get(name) if recipient == "donor" else None,
                form=form,
                decided_by=body,
                decision_no=number,
                decided_on=story_day(decided_on),
                reason=reason,
            )
        )


def tell_money_story(fund: Fund) -> None:
    from tracker.models import Donation, Donor, Installment, Loan, Person, User
    from tracker.money import journal

    def user_id(username: str) -> int:
        return db.session.scalar(select(User.id).where(User.username == username))

    chair, treasurer = user_id("chair"), user_id("treasurer")
    mentors = {
        m.full_name: m.id
        for m in db.session.scalars(select(CommitteeMember).where(CommitteeMember.fund_id == fund.id))
    }
    donors: dict[str, Donor] = {}
    for name, kind, anonymous, amount, received_on, method in DONATIONS:
        if name not in donors:
            donor = Donor(
                fund_id=fund.id,
                kind=kind,
                anonymous=anonymous,
                address="xã Hồng Sơn",
                title=DONOR_TITLES.get(name, ""),
            )
            donor.set_name(name)
            db.session.add(donor)
            donors[name] = donor
        donation = Donation(
            fund_id=fund.id,
            donor=donors[name],
            amount=amount,
            received_on=story_day(received_on),
            method=method,
            note="",
        )
        # The fund opened its bank account in 2025: a transfer since then lands in it.
        account = "bank" if method == "bank" and received_on >= BANK_ACCOUNT_OPENED else "cash"
        journal.record_donation(donation, treasurer, account)

    people: dict[str, Person] = {}
    for name, gender, birth_year, hamlet, released_on, mentor in BORROWERS:
        person = Person(
            fund_id=fund.id,
            phone=f"09{zlib.crc32(name.encode()) % 10**8:08d}",
            gender=gender,
            birth_year=birth_year,
            address=hamlet,
            released_on=story_day(released_on),
            certificate_type="sentence_completed",
            consent_recorded_on=story_day(released_on) + dt.timedelta(days=30),
            mentor_id=mentors[mentor],
        )
        person.set_name(name)
        db.session.add(person)
        people[name] = person
    db.session.flush()

    today = clock.today()
    for name, principal, purpose, applied_on, disbursed_on, term, grace, paid in LOANS:
        applied_on, disbursed_on = story_day(applied_on), story_day(disbursed_on)
        guarantor, relation, phone = GUARANTORS[name]
        loan = Loan(
            fund_id=fund.id,
            person_id=people[name].id,
            principal=principal,
            purpose=purpose,
            applied_on=applied_on,
            term_months=term,
            grace_months=grace,
            guarantor_name=guarantor,
            guarantor_relation=relation,
            guarantor_phone=phone,
            guarantor_address=people[name].address,
            hamlet_head_name=HAMLET_HEADS[people[name].address],
            entered_by_id=chair,
        )
        db.session.add(loan)
        db.session.flush()
        decided_on = applied_on + dt.timedelta(days=7)
        journal.approve(
            loan,
            decided_on,
            f"Biên bản họp Tổ ngày {decided_on:%d/%m/%Y}",
            chair,
            attendees=11,
            votes_for=11,
            votes_against=0,
        )
        journal.disburse(loan, disbursed_on, treasurer)
        installments = db.session.scalars(
            select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.number)
        ).all()
        if paid == "all":
            to_pay = installments
        elif paid == "due":
            to_pay = [i for i in installments if i.due_on <= today]
        else:
            to_pay = installments[:paid]
        for number, installment in enumerate(to_pay):
            paid_on = min(installment.due_on + dt.timedelta(days=number % 4), today)
            journal.record_repayment(loan, installment.amount_due, paid_on, "cash", treasurer)
        tell_loan_life(loan, people[name], chair, treasurer)
    tell_cash_and_bank(fund, treasurer)
    return people


BANK_ACCOUNT_OPENED = dt.date(2025, 5, 1)
DEPOSITED_ON = dt.date(2025, 10, 15)
COUNTED_ON = dt.date(2025, 11, 25)


def tell_cash_and_bank(fund: Fund, treasurer: int) -> None:
    """Cash not needed soon goes to the bank, on the bank's deposit slip; before the review the
    treasurer counts the cash box with the accountant and the chair, and it matches the book."""
    from tracker.blueprints.cash import DENOMINATIONS
    from tracker.models import CashCount, Transfer
    from tracker.money import balances, journal

    day = story_day(DEPOSITED_ON)
    amount = min(5_000_000, balances.available_cash(fund.id, day) // 1_000_000 * 1_000_000)
    if amount > 0:
        journal.record_transfer(
            Transfer(
                fund_id=fund.id,
                kind="deposit",
                amount=amount,
                made_on=day,
                reason="Gửi tiền nhàn rỗi vào tài khoản của Quỹ",
                bank_ref="GNT-0158",
            ),
            treasurer,
        )
    counted_on = min(story_day(COUNTED_ON), clock.today())
    left, notes = balances.cash_balance(fund.id, counted_on, balances.CASH), {}
    for value in DENOMINATIONS:
        if left >= value:
            notes[str(value)], left = left // value, left % value
    book = balances.cash_balance(fund.id, counted_on, balances.CASH)
    counted = book - left  # notes only: what no note makes up is missing, and says so
    db.session.add(
        CashCount(
            fund_id=fund.id,
            counted_on=counted_on,
            notes=notes,
            counted=counted,
            book_balance=book,
            reason="" if counted == book else "Tiền lẻ dưới 1.000 đồng",
            counted_by_id=treasurer,
        )
    )


def tell_loan_life(loan, person, chair: int, treasurer: int) -> None:
    """What the committee decided later on the loan: a reschedule, a pause, a write-off."""
    from tracker.money import journal, schedules

    name = person.full_name
    if name in RESCHEDULED:
        made_on, installments, first_due_on, reason = RESCHEDULED[name]
        made_on = story_day(made_on)
        minutes = f"Biên bản họp Tổ ngày {made_on:%d/%m/%Y}"
        schedules.reschedule(loan, installments, story_day(first_due_on), reason, minutes, chair, made_on)
        for installment in loan_installments_due(loan):
            journal.record_repayment(loan, installment.amount_due, installment.due_on, "cash", treasurer)
    if name in PAUSED:
        start, end, reason = PAUSED[name]
        start = story_day(start)
        minutes = f"Biên bản họp Tổ ngày {start:%d/%m/%Y}"
        schedules.pause(loan, start, story_day(end), reason, minutes, chair, start)
    if name in WRITTEN_OFF:
        day, reason, (payer, relation, paid_on, amount) = WRITTEN_OFF[name]
        day = story_day(day)
        journal.write_off(loan, day, reason, chair, f"Biên bản họp Tổ ngày {day:%d/%m/%Y}")
        loan.payer_name, loan.payer_relation = payer, relation
        journal.record_recovery(loan, amount, story_day(paid_on), "cash", treasurer)


def loan_installments_due(loan):
    """The installments of the schedule in force that fell due by today, past what is repaid."""
    from tracker.models import Installment
    from tracker.money import balances, ledger

    today = clock.today()
    rows = db.session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.in_force(today))
        .order_by(Installment.number)
    ).all()
    repaid = balances.loan_balance(loan).repaid
    states = ledger.installment_states([(i.due_on, i.amount_due) for i in rows], repaid, today)
    return [i for i, state in zip(rows, states, strict=True) if i.due_on <= today and state.paid == 0]


# People supported without a loan: (name, gender, birth year, hamlet, released on, mentor, status,
# when the next visit falls relative to today: "overdue", "this week" or "later")
MORE_PEOPLE = [
    (
        "Trịnh Văn Hải",
        "male",
        1992,
        "Thôn Đông",
        dt.date(2025, 4, 18),
        "Phạm Văn Bình",
        "supported",
        "this week",
    ),
    (
        "Nguyễn Thị Thảo",
        "female",
        1994,
        "Thôn Tây",
        dt.date(2025, 2, 10),
        "Hoàng Thị Mai",
        "supported",
        "overdue",
    ),
    ("Đào Văn Quý", "male", 1983, "Thôn Nam", dt.date(2024, 11, 1), "Ngô Văn Sơn", "supported", "overdue"),
    ("Lò Văn Sáng", "male", 1996, "Thôn Đông", dt.date(2025, 7, 22), "Bùi Văn Long", "supported", "later"),
    (
        "Hồ Văn Thành",
        "male",
        1987,
        "Thôn Trung",
        dt.date(2025, 9, 3),
        "Trịnh Văn Khải",
        "supported",
        "this week",
    ),
    ("Vũ Văn Khánh", "male", 1980, "Thôn Trung", dt.date(2024, 6, 12), "Phạm Văn Bình", "settled", None),
    ("Phùng Văn Hòa", "male", 1991, "Thôn Tây", dt.date(2024, 10, 9), "Đặng Thị Thu", "moved", None),
]

# How long ago a closed case had its last visit (its status changed ten days later): by default
# within the last half-year; this one over a year ago, so that last year's review has a change too.
CLOSED_DAYS_AGO = {"Vũ Văn Khánh": (380, 420), "Tạ Văn Hưng": (300, 320)}

# Where each borrower's visits stand today.
BORROWER_VISITS = {
    "Lê Văn Dũng": "settled",
    "Hoàng Văn Nam": "later",
    "Đinh Văn Tùng": "this week",
    "Phan Văn Lực": "overdue",
    "Trương Văn Kiên": "later",
    "Lương Văn Bảo": "this week",
    "Tạ Văn Hưng": "moved",  # before his loan was written off
}

VISIT_NOTES = [
    ("home", "Gia đình ổn định, con đi học đều.", "Chăm sóc đàn bò, đã có bê con.", ""),
    ("phone", "Gọi điện hỏi thăm, sức khỏe tốt.", "Làm thuê thời vụ.", ""),
    ("workplace", "Đến nơi làm việc, chủ cơ sở nhận xét chăm chỉ.", "Thu nhập khoảng 6 triệu/tháng.", ""),
    (
        "home",
        "Trao đổi về kế hoạch làm ăn năm tới.",
        "Mở rộng chuồng trại.",
        "Lo lắng về giá thức ăn chăn nuôi.",
    ),
    ("meeting", "Dự họp thôn, tham gia đầy đủ.", "", ""),
    ("home", "Vợ báo có lúc uống rượu với bạn cũ.", "Buôn bán nhỏ.", "Cần nhắc nhở tránh tụ tập."),
]


def tell_casework_story(fund: Fund, people: dict) -> None:
    """Mentors assigned since the file was opened, visits since then (up to two years), some due
    this week, some overdue; one case settled about a year ago, one moved away this half-year."""
    import random

    from tracker import casework
    from tracker.models import Person, User

    rng = random.Random(2024)
    today = clock.today()
    chair = db.session.scalar(select(User.id).where(User.username == "chair"))
    mentors = {
        m.full_name: m
        for m in db.session.scalars(select(CommitteeMember).where(CommitteeMember.fund_id == fund.id))
    }

    plan = []
    for person in people.values():
        plan.append((person, BORROWER_VISITS[person.full_name]))
    for name, gender, birth_year, hamlet, released_on, mentor, status, due in MORE_PEOPLE:
        person = Person(
            fund_id=fund.id,
            gender=gender,
            birth_year=birth_year,
            address=hamlet,
            phone=f"03{rng.randrange(10**8):08d}",
            released_on=story_day(released_on),
            certificate_type="amnesty" if name == "Hồ Văn Thành" else "sentence_completed",
            consent_recorded_on=story_day(released_on) + dt.timedelta(days=20),
            mentor_id=mentors[mentor].id,
            needs="Cần việc làm ổn định" if due == "overdue" else "",
        )
        person.set_name(name)
        db.session.add(person)
        db.session.flush()
        plan.append((person, status if status != "supported" else due))

    for person, where in plan:
        opened = person.consent_recorded_on
        casework.assign_mentor(person, person.mentor_id, opened, chair)
        # the last visit is placed so that the next one (30 days later) lands where the story wants it
        offset = {
            "overdue": rng.randint(41, 75),
            "this week": rng.randint(24, 29),
            "later": rng.randint(5, 15),
        }
        closed_ago = rng.randint(*CLOSED_DAYS_AGO.get(person.full_name, (120, 200)))
        last = today - dt.timedelta(days=offset.get(where) or closed_ago)
        first = max(opened + dt.timedelta(days=7), today - dt.timedelta(days=730))
        day = last
        dates = []
        while day >= first:
            dates.append(day)
            day -= dt.timedelta(days=rng.randint(26, 34))
        for visited_on in reversed(dates):
            kind, summary, livelihood, concerns = VISIT_NOTES[rng.randrange(len(VISIT_NOTES))]
            casework.log_visit(
                person,
                mentor_id=person.mentor_id,
                visited_on=visited_on,
                kind=kind,
                summary=summary,
                livelihood=livelihood,
                concerns=concerns,
                user_id=chair,
            )
        if where in ("settled", "moved"):
            reason = (
                "Có việc làm ổn định, gia đình hòa thuận"
                if where == "settled"
                else "Chuyển vào Bình Dương làm ăn"
            )
            casework.change_status(person, where, last + dt.timedelta(days=10), reason, chair)
        elif not dates:
            person.next_visit_on = (
                today - dt.timedelta(days=3) if where == "overdue" else today + dt.timedelta(days=3)
            )


# Money that is not a loan, and help that is not money: (category, kind, person or payee, purpose,
# amount, proposed on), in date order; each approved a week later and paid the day after.
SPENDING = [
    (
        "grant",
        "tet_gift",
        "Lê Văn Dũng",
        "Quà Tết cho gia đình có hoàn cảnh khó khăn",
        500_000,
        dt.date(2025, 1, 14),
    ),
    (
        "expense",
        "bank_fee",
        "Ngân hàng Nông nghiệp chi nhánh Hồng Sơn",
        "Phí quản lý tài khoản quý III",
        11_000,
        dt.date(2025, 10, 1),
    ),
    (
        "expense",
        "meeting",
        "Quán nước chè Hương",
        "Nước chè, hoa quả họp Tổ tháng 10",
        150_000,
        dt.date(2025, 10, 28),
    ),
]
GIFT_IN_KIND = (
    "Hợp tác xã Nông nghiệp Hồng Sơn",
    "Đinh Văn Tùng",
    "50 kg gạo và 10 kg cám lợn",
    900_000,
    dt.date(2025, 6, 12),
)
# (person, kind, referred to, referred on, outcome)
REFERRALS = [
    (
        "Hoàng Văn Nam",
        "vocational_training",
        "Trường Trung cấp nghề tỉnh Lâm Đồng (lớp sửa chữa xe máy)",
        dt.date(2025, 4, 8),
        "succeeded",
    ),
    (
        "Lương Văn Bảo",
        "identity_papers",
        "Công an xã Hồng Sơn (làm lại căn cước)",
        dt.date(2025, 9, 15),
        "pending",
    ),
]


def tell_help_story(fund: Fund, people: dict) -> None:
    """A Tết gift, a meeting's tea and a bank fee paid with phiếu chi; a gift in kind; two
    referrals."""
    from tracker.models import Donor, GiftInKind, Referral, Spending, User
    from tracker.money import journal

    chair = db.session.scalar(select(User.id).where(User.username == "chair"))
    treasurer = db.session.scalar(select(User.id).where(User.username == "treasurer"))
    for category, kind, whom, purpose, amount, proposed_on in SPENDING:
        proposed_on = story_day(proposed_on)
        spending = Spending(
            fund_id=fund.id,
            category=category,
            kind=kind,
            person_id=people[whom].id if category == "grant" else None,
            payee="" if category == "grant" else whom,
            purpose=purpose,
            amount=amount,
            proposed_on=proposed_on,
            proposed_by_id=treasurer,
        )
        db.session.add(spending)
        db.session.flush()
        decided_on = proposed_on + dt.timedelta(days=7)
        journal.decide_spending(
            spending, True, decided_on, f"Họp Tổ ngày {decided_on:%d/%m/%Y} thống nhất", chair
        )
        journal.pay_spending(spending, decided_on + dt.timedelta(days=1), treasurer)
    donor_name, person, description, value, given_on = GIFT_IN_KIND
    db.session.add(
        GiftInKind(
            fund_id=fund.id,
            donor_id=db.session.scalar(
                select(Donor.id).where(Donor.fund_id == fund.id, Donor.name == donor_name)
            ),
            person_id=people[person].id,
            description=description,
            estimated_value=value,
            given_on=story_day(given_on),
            created_by_id=treasurer,
        )
    )
    for person, kind, referred_to, referred_on, outcome in REFERRALS:
        db.session.add(
            Referral(
                fund_id=fund.id,
                person_id=people[person].id,
                kind=kind,
                referred_to=referred_to,
                referred_on=story_day(referred_on),
                outcome=outcome,
                created_by_id=chair,
            )
        )
    db.session.flush()

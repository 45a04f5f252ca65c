"""Money and people set up directly through the model layer and tracker.money.journal, for tests that
need a fund with history. Each function opens its own app context and commits."""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import CommitteeMember, Donation, Donor, Loan, Person, User
from tracker.money import journal


def user_id(username: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.username == username))


@dataclass
class MoneySeed:
    person_id: int  # fund A, mentored by the committee member linked to the `member` login
    other_person_id: int  # fund A, mentored by member2's committee member
    foreign_person_id: int  # fund B
    donor_id: int  # fund A, a business
    foreign_donor_id: int  # fund B


def add_person(fund_id: int, name: str, mentor_id: int | None = None, address: str = "Thôn Đông") -> int:
    person = Person(
        fund_id=fund_id, consent_recorded_on=dt.date(2025, 1, 2), mentor_id=mentor_id, address=address
    )
    person.set_name(name)
    db.session.add(person)
    db.session.flush()
    return person.id


def add_donor(fund_id: int, name: str, kind: str = "business") -> int:
    donor = Donor(fund_id=fund_id, kind=kind)
    donor.set_name(name)
    db.session.add(donor)
    db.session.flush()
    return donor.id


def seed_money(app, seed) -> MoneySeed:
    with app.app_context():
        member2_cm = db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )
        result = MoneySeed(
            person_id=add_person(seed.fund_id, "Nguyễn Văn An", seed.member_cm_id),
            other_person_id=add_person(seed.fund_id, "Lê Thị Bích", member2_cm, "Thôn Tây"),
            foreign_person_id=add_person(seed.other_fund_id, "Trần Văn Xa", seed.other_cm_id),
            donor_id=add_donor(seed.fund_id, "Công ty TNHH Hồng Phát"),
            foreign_donor_id=add_donor(seed.other_fund_id, "Doanh nghiệp Xa"),
        )
        db.session.commit()
        return result


def donate(
    app, fund_id: int, donor_id: int, amount: int, on: dt.date, method: str = "cash", account: str = "cash"
) -> int:
    with app.app_context():
        donation = Donation(
            fund_id=fund_id, donor_id=donor_id, amount=amount, received_on=on, method=method, note=""
        )
        donation.donor = db.session.get(Donor, donor_id)
        journal.record_donation(donation, user_id("treasurer"), account)
        db.session.commit()
        return donation.id


def requested_loan(
    app, fund_id: int, person_id: int, principal: int, term: int = 10, on: dt.date = dt.date(2025, 3, 1)
) -> int:
    """An application waiting for the chair's decision."""
    with app.app_context():
        loan = Loan(
            fund_id=fund_id,
            person_id=person_id,
            principal=principal,
            purpose="Chăn nuôi bò",
            applied_on=on,
            term_months=term,
            grace_months=0,
            entered_by_id=user_id("treasurer"),
        )
        db.session.add(loan)
        db.session.commit()
        return loan.id


def approved_loan(
    app,
    fund_id: int,
    person_id: int,
    principal: int,
    term: int = 10,
    grace: int = 0,
    on: dt.date = dt.date(2025, 3, 1),
) -> int:
    with app.app_context():
        loan = Loan(
            fund_id=fund_id,
            person_id=person_id,
            principal=principal,
            purpose="Chăn nuôi bò",
            applied_on=on,
            term_months=term,
            grace_months=grace,
        )
        db.session.add(loan)
        db.session.flush()
        journal.approve(loan, on, "BB 01/2025", user_id("chair"))
        db.session.commit()
        return loan.id


def disbursed_loan(app, fund_id: int, person_id: int, principal: int, on: dt.date, **kwargs) -> int:
    loan_id = approved_loan(app, fund_id, person_id, principal, on=on, **kwargs)
    with app.app_context():
        journal.disburse(db.session.get(Loan, loan_id), on, user_id("treasurer"))
        db.session.commit()
    return loan_id


def repay(app, loan_id: int, amount: int, on: dt.date) -> int:
    with app.app_context():
        repayment = journal.record_repayment(
            db.session.get(Loan, loan_id), amount, on, "cash", user_id("treasurer")
        )
        db.session.commit()
        return repayment.id


def papered_loan(app, seed, money) -> int:
    """A loan with everything its papers print: Nguyễn Văn An (born 1985) asked for 30.000.000 ₫ over
    12 months (1 of grace), his wife Trần Thị Hoa standing behind it; the committee lent 25.000.000 ₫
    on 05/02/2026 (9 of 9 for, "BB 03/2026"), paid out on 10/02/2026."""
    donate(app, seed.fund_id, money.donor_id, 40_000_000, dt.date(2026, 1, 2))
    with app.app_context():
        person = db.session.get(Person, money.person_id)
        person.gender, person.birth_year, person.phone = "male", 1985, "0912345678"
        loan = Loan(
            fund_id=seed.fund_id,
            person_id=money.person_id,
            principal=30_000_000,
            purpose="Chăn nuôi bò sinh sản",
            applied_on=dt.date(2026, 1, 20),
            term_months=12,
            grace_months=1,
            guarantor_name="Trần Thị Hoa",
            guarantor_relation="Vợ",
            guarantor_phone="0987654321",
            guarantor_address="Thôn Đông",
            hamlet_head_name="Bùi Văn Long",
        )
        db.session.add(loan)
        db.session.flush()
        journal.approve(
            loan,
            dt.date(2026, 2, 5),
            "BB 03/2026",
            user_id("chair"),
            approved_amount=25_000_000,
            attendees=9,
            votes_for=9,
            votes_against=0,
        )
        journal.disburse(loan, dt.date(2026, 2, 10), user_id("treasurer"))
        db.session.commit()
        return loan.id

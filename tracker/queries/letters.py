"""The donors' thank-you letters (thư cảm ơn): what each donor gave in a year and what that money
did, and how the letter addresses them, as plain values.

A letter is read by the donor and often passed round: it names a person helped only with their
recorded consent (Person.named_to_donors, and never once their data is erased). Everyone else is
one line together, "other people helped", with no hamlet, no purpose and no single loan's amount:
in a hamlet of a few hundred households any of those points at the borrower. A count of those
people is printed only from review.SMALLEST_PUBLIC_COUNT, the notice board's rule.

Every function runs a fixed number of queries whatever the number of donors and loans, so the
year's letters print in one run (all_letters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import DONOR_TITLES, Donation, Donor, Funding, Loan, Person, Spending, SpendingFunding
from tracker.money import balances
from tracker.queries.review import in_period, public_count

# ------------------------------------------------------------------ how a letter addresses a donor

# Words a business's own name starts with that already say what it is, and how the letter's text
# then calls it: "Quý Công ty TNHH Hồng Phát" … "Quý công ty", "Quý Hợp tác xã …" … "Quý hợp tác
# xã"; never "Quý công ty Công ty TNHH …".
BUSINESS_WORDS = (
    (("công ty", "cty"), "Quý công ty"),
    (("doanh nghiệp", "dntn", "hộ kinh doanh"), "Quý doanh nghiệp"),
    (("hợp tác xã", "htx"), "Quý hợp tác xã"),
    (("cửa hàng",), "Quý cửa hàng"),
    (("tập đoàn", "ngân hàng", "chi nhánh", "nhà máy", "xí nghiệp", "cơ sở"), "Quý đơn vị"),
)


@dataclass(frozen=True)
class Addressee:
    salutation: str  # after "Kính gửi:": "Ông Nguyễn Văn Hùng", "Quý Công ty TNHH Hồng Phát"
    pronoun: str  # how the letter's text calls them: "Ông", "Bà", "Ông/Bà", "Quý công ty", "Quý đơn vị"


ENGLISH_TITLES = {"Ông": "Mr", "Bà": "Ms", "Ông/Bà": "Mr/Ms"}


def addressee(donor: Donor, locale: str = "vi") -> Addressee:
    """How a Vietnamese letter addresses the donor. An individual by the title recorded (Ông, Bà;
    the one their name was typed with, or "Ông/Bà", when none is); a business as "Quý công ty …"
    (or "Quý" before a name that already says công ty, hợp tác xã, cửa hàng …); an organisation by
    its name, called "Quý đơn vị" in the text.
    In English: Mr, Ms or Mr/Ms before a person's name, a business or organisation by its name, and
    "you" in the text."""
    name = " ".join(donor.name.split())
    english = locale.startswith("en")
    if donor.kind == "individual":
        # A name typed with its title ("Ông Lý Văn Hảo") gives the title, and is not said twice.
        typed, _space, rest = name.partition(" ")
        typed = typed.capitalize()
        if typed in DONOR_TITLES and rest:
            name = rest
        title = donor.title or (typed if typed in DONOR_TITLES and rest else "Ông/Bà")
        if english:
            return Addressee(f"{ENGLISH_TITLES[title]} {name}", "you")
        return Addressee(f"{title} {name}", title)
    if english:
        return Addressee(name, "you")
    if donor.kind == "business":
        for words, pronoun in BUSINESS_WORDS:
            if name.lower().startswith(words):
                return Addressee(f"Quý {name}", pronoun)
        return Addressee(f"Quý công ty {name}", "Quý công ty")
    return Addressee(name, "Quý đơn vị")


# ------------------------------------------------------------------ what was given and what it did


@dataclass(frozen=True)
class GiftRow:
    receipt_no: str
    received_on: dt.date
    amount: int


@dataclass(frozen=True)
class NamedLoan:
    """A loan to a person who agreed to be named to donors: the row the letter's table prints."""

    loan_id: int
    borrower: str
    purpose: str
    status: str
    funded: int  # from this donor's gifts of the year
    returned: int  # the share of that which has come back (pro rata to the loan's repayments)


@dataclass(frozen=True)
class Others:
    """The loans to everyone not named, as one line: how many (None below the notice board's
    smallest count) and the totals, nothing else."""

    loans: int
    funded: int
    returned: int

    @property
    def shown_count(self) -> int | None:
        return public_count(self.loans)


@dataclass(frozen=True)
class Letter:
    donor_id: int
    gifts: list[GiftRow]
    named: list[NamedLoan]
    others: Others
    named_people: list[Person] = field(default_factory=list)  # logged as openings of their file
    # what the year's gifts paid that is not a loan, by Spending.category (grant, expense)
    spent: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(gift.amount for gift in self.gifts)

    @property
    def funded(self) -> int:
        return sum(row.funded for row in self.named) + self.others.funded

    @property
    def returned(self) -> int:
        return sum(row.returned for row in self.named) + self.others.returned

    @property
    def loans(self) -> int:
        return len(self.named) + self.others.loans

    @property
    def shown_loans(self) -> int | None:
        """How many loans the letter's text may say the money went into (None: too few to say)."""
        return public_count(self.loans)


def may_name(person: Person) -> bool:
    """Only a person who agreed to it, and whose data has not been erased, is named to a donor."""
    return bool(person.named_to_donors) and person.erased_at is None


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def donor_years(fund_id: int, year: int) -> list[tuple[int, str, bool, int, int]]:
    """(donor id, name, anonymous, total, number of gifts) for every donor who gave in the year and
    did not have it given back (a reversed donation is not a gift), in Vietnamese order. One query."""
    rows = db.session.execute(
        select(Donor.id, Donor.name, Donor.anonymous, func.sum(Donation.amount), func.count(Donation.id))
        .join(Donation, Donation.donor_id == Donor.id)
        .where(
            Donor.fund_id == fund_id,
            Donation.reversal_id.is_(None),
            in_period(Donation.received_on, *year_bounds(year)),
        )
        .group_by(Donor.id, Donor.name, Donor.anonymous, Donor.sort_key)
        .order_by(Donor.sort_key, Donor.id)
    ).all()
    return [
        (donor_id, name, bool(anon), int(total), int(count)) for donor_id, name, anon, total, count in rows
    ]


def letters(fund_id: int, year: int, donor_ids: list[int]) -> dict[int, Letter]:
    """Each donor's letter for a year, what their money did up to today. Five queries for any
    number of donors."""
    if not donor_ids:
        return {}
    gifts: dict[int, list[GiftRow]] = {donor_id: [] for donor_id in donor_ids}
    for donor_id, receipt_no, received_on, amount in db.session.execute(
        select(Donation.donor_id, Donation.receipt_no, Donation.received_on, Donation.amount)
        .where(
            Donation.fund_id == fund_id,
            Donation.donor_id.in_(donor_ids),
            Donation.reversal_id.is_(None),
            in_period(Donation.received_on, *year_bounds(year)),
        )
        .order_by(Donation.received_on, Donation.id)
    ):
        gifts[donor_id].append(GiftRow(receipt_no, received_on, int(amount)))
    fundings = db.session.execute(
        select(Donation.donor_id, Funding.id, Funding.amount, Loan, Person)
        .join(Donation, Donation.id == Funding.donation_id)
        .join(Loan, Loan.id == Funding.loan_id)
        .join(Person, Person.id == Loan.person_id)
        .where(
            Funding.fund_id == fund_id,
            Donation.fund_id == fund_id,
            Loan.fund_id == fund_id,
            Funding.void.is_(False),
            Donation.donor_id.in_(donor_ids),
            Donation.reversal_id.is_(None),
            in_period(Donation.received_on, *year_bounds(year)),
        )
        .order_by(Loan.disbursed_on, Loan.id, Funding.id)
    ).all()
    returns = balances.returned_by_funding(fund_id, sorted({row.Loan.id for row in fundings}))
    # per donor, per loan (in the order the loans went out): [funded, returned]
    shares: dict[int, dict[int, list[int]]] = {donor_id: {} for donor_id in donor_ids}
    loans: dict[int, tuple[Loan, Person]] = {}
    for donor_id, funding_id, amount, loan, person in fundings:
        # The share is worked out per funding row, as balances.donation_available does.
        share = shares[donor_id].setdefault(loan.id, [0, 0])
        share[0] += int(amount)
        share[1] += returns[funding_id]
        loans[loan.id] = (loan, person)
    spent: dict[int, dict[str, int]] = {donor_id: {} for donor_id in donor_ids}
    for donor_id, category, amount in db.session.execute(
        select(Donation.donor_id, Spending.category, func.sum(SpendingFunding.amount))
        .join(Donation, Donation.id == SpendingFunding.donation_id)
        .join(Spending, Spending.id == SpendingFunding.spending_id)
        .where(
            SpendingFunding.fund_id == fund_id,
            Donation.fund_id == fund_id,
            SpendingFunding.void.is_(False),
            Donation.donor_id.in_(donor_ids),
            Donation.reversal_id.is_(None),
            in_period(Donation.received_on, *year_bounds(year)),
        )
        .group_by(Donation.donor_id, Spending.category)
    ):
        spent[donor_id][category] = int(amount)
    result = {}
    for donor_id in donor_ids:
        named, people, others = [], {}, [0, 0, 0]
        for loan_id, (funded, back) in shares[donor_id].items():
            loan, person = loans[loan_id]
            if may_name(person):
                named.append(NamedLoan(loan_id, person.full_name, loan.purpose, loan.status, funded, back))
                people[person.id] = person
            else:
                others = [others[0] + 1, others[1] + funded, others[2] + back]
        result[donor_id] = Letter(
            donor_id=donor_id,
            gifts=gifts[donor_id],
            named=named,
            others=Others(*others),
            named_people=[people[person_id] for person_id in sorted(people)],
            spent=spent[donor_id],
        )
    return result


def donor_letter(fund_id: int, donor_id: int, year: int) -> Letter:
    """One donor's letter for a year (five queries)."""
    return letters(fund_id, year, [donor_id])[donor_id]


def donors(fund_id: int, donor_ids: list[int]) -> list[Donor]:
    """The fund's donors of these ids (one query)."""
    if not donor_ids:
        return []
    return list(db.session.scalars(select(Donor).where(Donor.fund_id == fund_id, Donor.id.in_(donor_ids))))

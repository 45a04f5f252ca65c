"""Creating what a parsed workbook describes, in the caller's transaction: team members, people,
donors, loans and visits as rows, and the money through the journal in the order of its dates, so
that the cash book, the receipts' numbers and the loans' schedules come out as if typed by hand.

Nothing here commits. The dry run is this same run, rolled back: every refusal of the journal (cash
on hand, what is outstanding, a closed period, a disbursement before its approval, a paper receipt
entered twice) is found by the journal itself and reported as an error of its row. Each row runs in
a SAVEPOINT, so that a refused row leaves nothing half done and the rows after it are still checked.

Idempotent by key: each row created is recorded in ImportedRow under its sheet and key (the
committee's code, or for a donation, repayment or visit the columns that identify it and its place
among identical rows: template.Sheet.identity). A row found there is skipped, and a later file's
rows may refer to the codes of an earlier one: a corrected file with three more repayments adds
those three and nothing else."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from tracker import audit, casework, clock
from tracker.extensions import db
from tracker.i18n import lazy_gettext as _l
from tracker.importing.reader import Parsed, Problem, Row
from tracker.importing.template import BY_CODE
from tracker.models import CommitteeMember, Donation, Donor, ImportedRow, Loan, Person
from tracker.money import balances, journal
from tracker.text import searchable


@dataclass
class Outcome:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)  # sheet code -> rows created
    skipped: Counter = field(default_factory=Counter)  # sheet code -> rows imported before
    donated: int = 0
    lent: int = 0
    repaid: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class Run:
    def __init__(self, fund_id: int, parsed: Parsed, user_id: int | None):
        self.fund_id, self.parsed, self.user_id = fund_id, parsed, user_id
        self.outcome = Outcome(errors=list(parsed.errors), warnings=list(parsed.warnings))
        self.ids: dict[str, dict[str, int]] = {sheet: {} for sheet in BY_CODE}
        for sheet, row_key, object_id in db.session.execute(
            select(ImportedRow.sheet, ImportedRow.key, ImportedRow.object_id).where(
                ImportedRow.fund_id == fund_id
            )
        ):
            self.ids[sheet][row_key] = object_id
        self.failed: dict[str, set[str]] = {sheet: set(keys) for sheet, keys in parsed.failed.items()}
        self.new_loans: dict[str, Loan] = {}
        # (person, status, changed on, reason): made last, once their loans and visits are in
        self.status_changes: list[tuple[Person, str, dt.date, str]] = []

    # -------------------------------------------------------------- helpers

    def error(self, row: Row, column_code: str | None, message) -> None:
        column = BY_CODE[row.sheet].by_code.get(column_code) if column_code else None
        self.outcome.errors.append(
            Problem(row.sheet, row.number, column.heading if column else None, message)
        )
        self.failed[row.sheet].add(row.key)

    def refused(self, row: Row, refusal: journal.MoneyRefused, default_column: str | None) -> None:
        column = BY_CODE[row.sheet].column_for_field(refusal.field)
        self.error(row, column.code if column else default_column, refusal.message)

    def new_rows(self, sheet: str) -> list[Row]:
        """The sheet's rows not imported before (those are counted as skipped)."""
        rows = []
        for row in self.parsed.rows[sheet]:
            if row.key in self.ids[sheet]:
                self.outcome.skipped[sheet] += 1
            else:
                rows.append(row)
        return rows

    def ref(self, row: Row, column_code: str) -> int | None:
        """The id of the row another sheet's key names; an error when there is none. None also
        when the row named has errors of its own (already listed) or the cell is empty."""
        wanted = row.values.get(column_code)
        if not wanted:
            return None
        target = BY_CODE[row.sheet].by_code[column_code].refers_to
        if wanted in self.ids[target]:
            return self.ids[target][wanted]
        if wanted in self.failed[target]:
            self.failed[row.sheet].add(row.key)
            return None
        self.error(
            row,
            column_code,
            _l(
                "No row has the code %(key)s on the sheet %(sheet)s.",
                key=wanted,
                sheet=BY_CODE[target].title,
            ),
        )
        return None

    def done(self, row: Row, obj) -> None:
        db.session.add(
            ImportedRow(
                fund_id=self.fund_id,
                sheet=row.sheet,
                key=row.key,
                object_id=obj.id,
                imported_by_id=self.user_id,
            )
        )
        self.ids[row.sheet][row.key] = obj.id
        self.outcome.created[row.sheet] += 1

    def who(self) -> dict:
        """The fund and login an audit event of the import names (the command has no login)."""
        return {"fund_id": self.fund_id, "user_id": self.user_id}

    def warn_if_named(self, row: Row, column_code: str, names: dict[str, str]) -> None:
        """A name already in the fund, without accents: likely the same person twice."""
        name = row.values[column_code]
        if searchable(name) in names:
            self.outcome.warnings.append(
                Problem(
                    row.sheet,
                    row.number,
                    BY_CODE[row.sheet].by_code[column_code].heading,
                    _l(
                        "%(name)s is already in the fund's books: is it the same?",
                        name=names[searchable(name)],
                    ),
                )
            )

    def names_of(self, column) -> dict[str, str]:
        return {
            searchable(name): name
            for name in db.session.scalars(select(column).where(column.class_.fund_id == self.fund_id))
        }

    # -------------------------------------------------------------- the sheets

    def members(self) -> None:
        names = self.names_of(CommitteeMember.full_name)
        for row in self.new_rows("members"):
            values = row.values
            self.warn_if_named(row, "full_name", names)
            if values["left_on"] and values["joined_on"] and values["left_on"] < values["joined_on"]:
                self.error(row, "left_on", _l("The date of leaving is before the date of joining."))
                continue
            member = CommitteeMember(
                fund_id=self.fund_id,
                position=values["position"],
                organisation=values["organisation"],
                phone=values["phone"],
                joined_on=values["joined_on"],
                left_on=values["left_on"],
            )
            member.set_name(values["full_name"])
            db.session.add(member)
            db.session.flush()
            self.done(row, member)
            after = audit.snapshot(member, ("full_name", "position", "organisation"))
            audit.record("member.create", member, after={**after, "source": "excel"}, **self.who())

    def people(self) -> None:
        names = self.names_of(Person.full_name)
        today = clock.today()
        for row in self.new_rows("people"):
            values = row.values
            mentor_id = self.ref(row, "mentor")
            if row.key in self.failed["people"]:
                continue
            status = values["status"] or "supported"
            if status != "supported" and not values["status_changed_on"]:
                self.error(row, "status_changed_on", _l("Enter the date the status changed."))
                continue
            self.warn_if_named(row, "full_name", names)
            person = Person(
                fund_id=self.fund_id,
                status="supported",
                next_visit_on=today,
                birth_year=values["birth_year"],
                gender=values["gender"],
                phone=values["phone"],
                address=values["address"],
                released_on=values["released_on"],
                certificate_type=values["certificate_type"],
                family_circumstances=values["family_circumstances"],
                needs=values["needs"],
                consent_recorded_on=values["consent_recorded_on"],
                visit_interval_days=values["visit_interval_days"] or 30,
            )
            person.set_name(values["full_name"])
            db.session.add(person)
            db.session.flush()
            if mentor_id is not None:
                casework.assign_mentor(person, mentor_id, today, self.user_id)
            self.done(row, person)
            if status != "supported":
                self.status_changes.append(
                    (person, status, values["status_changed_on"], values["status_reason"])
                )
            # as the person form's audit: which details were entered, never their values
            entered = [code for code in audit.PERSON_FIELDS if values.get(code) not in (None, "")]
            after = {"fields": entered, "mentor_id": mentor_id, "source": "excel"}
            audit.record("person.create", person, after=after, **self.who())

    def donors(self) -> None:
        names = self.names_of(Donor.name)
        for row in self.new_rows("donors"):
            values = row.values
            if values["title"] and values["kind"] != "individual":
                self.error(row, "title", _l("Only a benefactor (a person) has a title; leave it empty."))
                continue
            self.warn_if_named(row, "name", names)
            donor = Donor(
                fund_id=self.fund_id,
                kind=values["kind"],
                title=values["title"] or "",
                phone=values["phone"],
                address=values["address"],
                anonymous=bool(values["anonymous"]),
            )
            donor.set_name(values["name"])
            db.session.add(donor)
            db.session.flush()
            self.done(row, donor)
            after = audit.snapshot(donor, ("kind", "title", "anonymous"))
            audit.record("donor.create", donor, after={**after, "source": "excel"}, **self.who())

    def loans(self) -> None:
        """The applications and the committee's approvals; the disbursements are money (money())."""
        for row in self.new_rows("loans"):
            values = row.values
            person_id = self.ref(row, "person")
            if person_id is None:
                self.failed["loans"].add(row.key)
                continue
            if values["disbursed_on"] and not values["approved_on"]:
                self.error(row, "approved_on", _l("A loan paid out needs the date it was approved."))
                continue
            if values["approved_amount"] and not values["approved_on"]:
                self.error(row, "approved_on", _l("An amount approved needs the date it was approved."))
                continue
            if values["grace_months"] and values["grace_months"] >= values["term_months"]:
                self.error(row, "grace_months", _l("The grace period must be shorter than the term."))
                continue
            try:
                with db.session.begin_nested():
                    loan = Loan(
                        fund_id=self.fund_id,
                        person_id=person_id,
                        principal=values["principal"],
                        purpose=values["purpose"],
                        applied_on=values["applied_on"],
                        term_months=values["term_months"],
                        grace_months=values["grace_months"] or 0,
                        guarantor_name=values["guarantor_name"],
                        guarantor_relation=values["guarantor_relation"],
                        guarantor_phone=values["guarantor_phone"],
                        guarantor_address=values["guarantor_address"],
                        entered_by_id=self.user_id,
                    )
                    db.session.add(loan)
                    db.session.flush()
                    after = {"principal": loan.principal, "person_id": person_id, "source": "excel"}
                    audit.record("loan.apply", loan, after=after, **self.who())
                    if values["approved_on"]:
                        # The approver is not known from old books: nobody here, so that the
                        # disbursement recorded by the importing login is not refused as its own.
                        journal.approve(
                            loan,
                            values["approved_on"],
                            values["minutes_ref"],
                            None,
                            approved_amount=values["approved_amount"],
                        )
                        audit.record(
                            "loan.approve",
                            loan,
                            after={
                                "approved_amount": loan.approved_amount,
                                "decided_on": loan.decided_on.isoformat(),
                                "minutes_ref": loan.minutes_ref,
                                "source": "excel",
                            },
                            **self.who(),
                        )
            except journal.MoneyRefused as refusal:
                self.refused(row, refusal, "approved_on")
                continue
            self.done(row, loan)
            self.new_loans[row.key] = loan

    def money(self) -> None:
        """Donations, disbursements, repayments and write-offs in the order of their dates (on one
        day: money in, then loans paid out, then repayments, which may be of a loan paid out that
        day, then write-offs of what is still owed)."""
        events = []
        for row in self.new_rows("donations"):
            events.append((row.values["received_on"], 0, row.number, self.donation, row))
        for row in self.parsed.rows["loans"]:
            if row.key in self.new_loans and row.values["disbursed_on"]:
                events.append((row.values["disbursed_on"], 1, row.number, self.disbursement, row))
        for row in self.new_rows("repayments"):
            events.append((row.values["paid_on"], 2, row.number, self.repayment, row))
        for row in self.parsed.rows["loans"]:
            if row.key in self.new_loans and row.values["written_off_on"]:
                events.append((row.values["written_off_on"], 3, row.number, self.write_off, row))
        events.sort(key=lambda event: event[:3])
        for _day, _order, _number, post, row in events:
            post(row)

    def donation(self, row: Row) -> None:
        values = row.values
        donor_id = self.ref(row, "donor")
        if donor_id is None:
            return
        account = values["account"] or balances.CASH
        try:
            with db.session.begin_nested():
                donation = Donation(
                    fund_id=self.fund_id,
                    donor_id=donor_id,
                    amount=values["amount"],
                    received_on=values["received_on"],
                    method=values["method"],
                    paper_book=values["paper_book"],
                    paper_no=values["paper_no"],
                    note=values["note"],
                )
                journal.record_donation(donation, self.user_id, account)
                audit.record(
                    "donation.create",
                    donation,
                    after={
                        "donor_id": donor_id,
                        "amount": donation.amount,
                        "received_on": donation.received_on.isoformat(),
                        "receipt_no": donation.receipt_no,
                        "paper_book": donation.paper_book,
                        "paper_no": donation.paper_no,
                        "account": account,
                        "source": "excel",
                    },
                    **self.who(),
                )
        except journal.MoneyRefused as refusal:
            self.refused(row, refusal, "received_on")
            return
        self.done(row, donation)
        self.outcome.donated += donation.amount

    def disbursement(self, row: Row) -> None:
        loan = self.new_loans[row.key]
        account = row.values["account"] or balances.CASH
        try:
            with db.session.begin_nested():
                journal.disburse(loan, row.values["disbursed_on"], self.user_id, account)
                audit.record(
                    "loan.disburse",
                    loan,
                    after={
                        "voucher_no": loan.voucher_no,
                        "principal": loan.lent,
                        "account": account,
                        "source": "excel",
                    },
                    **self.who(),
                )
        except journal.MoneyRefused as refusal:
            self.refused(row, refusal, "disbursed_on")
            # its repayments cannot be checked against a loan not paid out: they are not listed too
            self.failed["loans"].add(row.key)
            return
        self.outcome.lent += loan.lent

    def repayment(self, row: Row) -> None:
        values = row.values
        loan_key = values["loan"]
        if loan_key in self.failed["loans"]:
            return
        loan_id = self.ref(row, "loan")
        if loan_id is None:
            return
        loan = self.new_loans.get(loan_key) or db.session.get(Loan, loan_id)
        account = values["account"] or balances.CASH
        # paid after the loan was written off: money back after the write-off (its own receipt)
        after_write_off = loan.written_off_on is not None and values["paid_on"] > loan.written_off_on
        record = journal.record_recovery if after_write_off else journal.record_repayment
        try:
            with db.session.begin_nested():
                repayment = record(
                    loan,
                    values["amount"],
                    values["paid_on"],
                    values["method"],
                    self.user_id,
                    values["paper_book"],
                    values["paper_no"],
                    account,
                )
                after = {
                    "amount": repayment.amount,
                    "receipt_no": repayment.receipt_no,
                    "account": account,
                    "source": "excel",
                }
                if repayment.paper_no:
                    after.update(paper_book=repayment.paper_book, paper_no=repayment.paper_no)
                if after_write_off:
                    audit.record("recovery.create", repayment, after=after, **self.who())
                else:
                    audit.record("repayment.create", repayment, after=after, **self.who())
        except journal.MoneyRefused as refusal:
            self.refused(row, refusal, "amount")
            return
        self.done(row, repayment)
        self.outcome.repaid += repayment.amount

    def write_off(self, row: Row) -> None:
        loan = self.new_loans[row.key]
        if row.key in self.failed["loans"]:
            return  # not paid out: its row has an error already
        try:
            with db.session.begin_nested():
                journal.write_off(
                    loan, row.values["written_off_on"], row.values["write_off_reason"], self.user_id
                )
                after = {"reason": loan.write_off_reason, "source": "excel"}
                audit.record("loan.write_off", loan, after=after, **self.who())
        except journal.MoneyRefused as refusal:
            column = "write_off_reason" if refusal.field == "reason" else "written_off_on"
            self.error(row, column, refusal.message)

    def visits(self) -> None:
        for row in self.new_rows("visits"):
            values = row.values
            person_id = self.ref(row, "person")
            mentor_id = self.ref(row, "mentor")
            if person_id is None or row.key in self.failed["visits"]:
                continue
            person = db.session.get(Person, person_id)
            if values["next_visit_on"] and values["next_visit_on"] <= values["visited_on"]:
                self.error(row, "next_visit_on", _l("The next visit must be after this one."))
                continue
            visit = casework.log_visit(
                person,
                mentor_id=mentor_id,
                visited_on=values["visited_on"],
                kind=values["kind"],
                summary=values["summary"],
                livelihood=values["livelihood"],
                concerns=values["concerns"],
                next_visit_on=values["next_visit_on"],
                user_id=self.user_id,
            )
            self.done(row, visit)
            audit.record(
                "visit.create",
                visit,
                after={
                    "person_id": person_id,
                    "mentor_id": mentor_id,
                    "visited_on": visit.visited_on.isoformat(),
                    "next_visit_on": visit.next_visit_on.isoformat(),
                    "source": "excel",
                },
                **self.who(),
            )

    def statuses(self) -> None:
        """The people whose status is no longer "being supported", as the file says, through the
        rule a change made by hand follows (a closed file leaves the visit queue)."""
        for person, status, changed_on, reason in self.status_changes:
            casework.change_status(person, status, changed_on, reason, self.user_id)
            audit.record(
                "person.status",
                person,
                before={"status": "supported"},
                after={"status": status, "source": "excel"},
                **self.who(),
            )


def run(fund_id: int, parsed: Parsed, user_id: int | None) -> Outcome:
    """Create everything `parsed` holds in the fund, in the session's transaction (never
    committed here): the caller commits when the outcome has no errors and it is not a dry run,
    and rolls back otherwise."""
    journal.lock_fund(fund_id)
    work = Run(fund_id, parsed, user_id)
    if parsed.errors and not any(parsed.rows.values()):
        return work.outcome
    work.members()
    work.people()
    work.donors()
    work.loans()
    work.money()
    work.visits()
    work.statuses()
    created = sum(work.outcome.created.values())
    if created:
        audit.record(
            "import.file", None, after={"items": created, "source": "excel"}, fund_id=fund_id, user_id=user_id
        )
    return work.outcome


def dry_run(fund_id: int, parsed: Parsed, user_id: int | None) -> Outcome:
    """The import, rolled back: what it would create, or every error it would meet."""
    try:
        return run(fund_id, parsed, user_id)
    finally:
        db.session.rollback()


def commit(fund_id: int, parsed: Parsed, user_id: int | None) -> Outcome:
    """The import in one transaction: everything, or nothing when any row has an error."""
    outcome = run(fund_id, parsed, user_id)
    if outcome.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return outcome

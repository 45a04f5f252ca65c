"""A fund's books in the import template's format (the round trip): the same sheets and columns,
so that the workbook written here imports into another fund.

What the template carries: team members, people helped (their details and mentor), donors,
donations that stand (with their paper receipts and the account they went to), loans with their
terms, approval, disbursement and write-off, repayments and money back after a write-off that
stand, and visits. What it does not: reversals (a reversed donation or receipt is left out, with
its reversal), the committee's later changes of a schedule (reschedules, pauses), moves between
cash and the bank, grants and running costs, gifts in kind, cash counts, a person's earlier
statuses (only the status now, with its latest change's date and reason), rejected applications,
earmarks, commendations and referrals."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    CommitteeMember,
    Donation,
    Donor,
    JournalTransaction,
    Loan,
    Person,
    PersonStatusChange,
    Repayment,
    Visit,
)
from tracker.money import balances


def codes(prefix: str, ids: list[int]) -> dict[int, str]:
    width = max(2, len(str(len(ids))))
    return {object_id: f"{prefix}{number:0{width}d}" for number, object_id in enumerate(ids, start=1)}


def fund_rows(fund_id: int) -> dict[str, list[dict]]:
    """Every sheet's rows (parsed values, by column code) for the fund, keys made up in id order."""

    def all_of(model):
        return db.session.scalars(select(model).where(model.fund_id == fund_id).order_by(model.id)).all()

    members, people, donors = all_of(CommitteeMember), all_of(Person), all_of(Donor)
    loans = [loan for loan in all_of(Loan) if loan.status != "rejected"]
    # each person's latest change of status: the one that put them where they are
    changes = {change.person_id: change for change in all_of(PersonStatusChange)}
    member_code = codes("TV", [m.id for m in members])
    person_code = codes("NG", [p.id for p in people])
    donor_code = codes("NT", [d.id for d in donors])
    loan_code = codes("KV", [loan.id for loan in loans])
    rows: dict[str, list[dict]] = {
        "members": [
            {
                "key": member_code[m.id],
                "full_name": m.full_name,
                "position": m.position,
                "organisation": m.organisation,
                "phone": m.phone,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in members
        ],
        "people": [
            {
                "key": person_code[p.id],
                "full_name": p.full_name,
                "birth_year": p.birth_year,
                "gender": p.gender,
                "phone": p.phone,
                "address": p.address,
                "released_on": p.released_on,
                "certificate_type": p.certificate_type,
                "family_circumstances": p.family_circumstances,
                "needs": p.needs,
                "consent_recorded_on": p.consent_recorded_on,
                "mentor": member_code.get(p.mentor_id),
                "visit_interval_days": p.visit_interval_days,
                "status": p.status,
                "status_changed_on": changes[p.id].changed_on if p.id in changes else None,
                "status_reason": changes[p.id].reason if p.id in changes else "",
            }
            for p in people
        ],
        "donors": [
            {
                "key": donor_code[d.id],
                "name": d.name,
                "kind": d.kind,
                "title": d.title,
                "phone": d.phone,
                "address": d.address,
                "anonymous": d.anonymous,
            }
            for d in donors
        ],
        "donations": [
            {
                "donor": donor_code[d.donor_id],
                "amount": d.amount,
                "received_on": d.received_on,
                "method": d.method,
                "account": balances.account_of(d.transaction),
                "paper_book": d.paper_book,
                "paper_no": d.paper_no,
                "note": d.note,
            }
            for d in sorted(all_of(Donation), key=lambda d: (d.received_on, d.id))
            if d.reversal_id is None
        ],
        "loans": [
            {
                "key": loan_code[loan.id],
                "person": person_code[loan.person_id],
                "principal": loan.principal,
                "approved_amount": loan.approved_amount if loan.approved_amount != loan.principal else None,
                "term_months": loan.term_months,
                "grace_months": loan.grace_months,
                "purpose": loan.purpose,
                "applied_on": loan.applied_on,
                "approved_on": loan.decided_on,
                "minutes_ref": loan.minutes_ref,
                "disbursed_on": loan.disbursed_on,
                "account": (
                    balances.account_of(db.session.get(JournalTransaction, loan.disbursement_id))
                    if loan.disbursement_id
                    else None
                ),
                "written_off_on": loan.written_off_on,
                "write_off_reason": loan.write_off_reason if loan.written_off_on else "",
                "guarantor_name": loan.guarantor_name,
                "guarantor_relation": loan.guarantor_relation,
                "guarantor_phone": loan.guarantor_phone,
                "guarantor_address": loan.guarantor_address,
            }
            for loan in loans
        ],
        "repayments": [
            {
                "loan": loan_code[r.loan_id],
                "amount": r.amount,
                "paid_on": r.paid_on,
                "method": r.method,
                "account": balances.account_of(r.transaction),
                "paper_book": r.paper_book,
                "paper_no": r.paper_no,
            }
            for r in sorted(all_of(Repayment), key=lambda r: (r.paid_on, r.id))
            if r.reversal_id is None and r.loan_id in loan_code
        ],
        "visits": [
            {
                "person": person_code[v.person_id],
                "mentor": member_code.get(v.mentor_id),
                "visited_on": v.visited_on,
                "kind": v.kind,
                "summary": v.summary,
                "livelihood": v.livelihood,
                "concerns": v.concerns,
                "next_visit_on": v.next_visit_on,
            }
            for v in sorted(all_of(Visit), key=lambda v: (v.visited_on, v.id))
        ],
    }
    return rows

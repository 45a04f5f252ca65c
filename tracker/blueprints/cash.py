"""Cash and bank: money moved between the cash box and the bank account (/transfers), and the cash
counts (biên bản kiểm kê quỹ tiền mặt, /cash-counts).

A transfer goes through tracker.money.journal (numbered, under the fund's lock, refused in a closed
period or when the account it leaves does not hold the money); a cash count posts nothing: it puts
on record what was counted against the cash book, and a difference is dealt with by a real entry.
"""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker import audit, clock, labels
from tracker.extensions import db
from tracker.formatting import format_money
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import CashCount, Transfer
from tracker.money import balances, journal
from tracker.papers import person_name
from tracker.vouchers import Voucher
from tracker.web import once
from tracker.web.access import get_or_404, requires
from tracker.web.forms import Form, IsoDateField, MoneyField, NamesNobody, reason_field, refusal_to_form
from tracker.web.once import OnceForm
from tracker.web.views import page_of

bp = Blueprint("cash", __name__)
bp.add_app_template_global(balances.account_of, "account_of")
bp.add_app_template_global(labels.MONEY_BOOKS, "money_books")

PAGE_SIZE = 25
# The Vietnamese notes in circulation, largest first (the ₫ coins are no longer used).
DENOMINATIONS = (500_000, 200_000, 100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000)


# ------------------------------------------------------------------ transfers


class TransferForm(OnceForm):
    kind = SelectField(
        _l("Move"),
        choices=lambda: labels.choices(labels.TRANSFER_KINDS),
        default="deposit",
        validate_choice=False,
    )
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount moved."))])
    made_on = IsoDateField(_l("Date"), [InputRequired(_l("Enter the date the money was moved."))])
    bank_ref = StringField(
        _l("Bank's advice no. (optional)"),
        [Length(max=50)],
        description=_l("The number on the bank's debit or credit advice, or on the deposit slip."),
    )
    reason = reason_field()

    def validate_kind(self, field):
        if field.data not in labels.TRANSFER_KINDS:
            raise ValidationError(_l("Choose a deposit into the bank or a withdrawal from it."))


class ReasonForm(Form):
    reason = reason_field(_l("Reason for the reversal"))


def render_transfers(form: TransferForm | None = None, status: int = 200):
    transfers = page_of(
        select(Transfer)
        .where(Transfer.fund_id == g.fund.id)
        .order_by(Transfer.made_on.desc(), Transfer.id.desc()),
        PAGE_SIZE,
    )
    today = clock.today()
    if form is None:
        form = TransferForm(formdata=None, made_on=today)
    return (
        render_template(
            "cash/transfers.html",
            transfers=transfers.rows,
            total=transfers.total,
            page=transfers.page,
            pages=transfers.pages,
            form=form,
            reverse_form=ReasonForm(formdata=None),
            in_cash=balances.cash_balance(g.fund.id, today, balances.CASH),
            in_bank=balances.cash_balance(g.fund.id, today, balances.BANK),
        ),
        status,
    )


@bp.route("/transfers")
@requires("view_money")
def transfers():
    """Render the moves between cash and the bank, newest first, with the form for the treasurer."""
    return render_transfers()


@bp.route("/transfers", methods=["POST"])
@requires("post_money")
def create_transfer():
    """Record a deposit into the bank (phiếu chi) or a withdrawal into cash (phiếu thu)."""
    form = TransferForm()
    transfer = None
    if form.validate():
        if (earlier := once.sent_before(form)) is not None:
            return once.answer_again(earlier)
        transfer = Transfer(
            fund_id=g.fund.id,
            kind=form.kind.data,
            amount=form.amount.data,
            made_on=form.made_on.data,
            reason=form.reason.data,
            bank_ref=form.bank_ref.data or "",
        )
        try:
            journal.record_transfer(transfer, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_transfers(form, 422)
    audit.record("transfer.create", transfer, after=transfer_audit(transfer))
    once.remember_where(url_for("cash.transfer_voucher", transfer_id=transfer.id))
    db.session.commit()
    flash(_("Recorded with document %(number)s.", number=transfer.document_no), "success")
    return redirect(url_for("cash.transfer_voucher", transfer_id=transfer.id), 303)


def transfer_audit(transfer: Transfer) -> dict:
    return {
        "document_no": transfer.document_no,
        "transfer": transfer.kind,
        "amount": transfer.amount,
        "made_on": transfer.made_on.isoformat(),
        "bank_ref": transfer.bank_ref,
    }


@bp.route("/transfers/<int:transfer_id>/reverse", methods=["POST"])
@requires("post_money")
def reverse_transfer(transfer_id: int):
    """Reverse a transfer with a reason (mirror entries; its document stays, marked void)."""
    transfer = get_or_404(Transfer, transfer_id, lock=True)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reverse_transfer(transfer, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return render_transfers(status=422)
    audit.record(
        "transfer.reverse", transfer, after={"document_no": transfer.document_no, "reason": form.reason.data}
    )
    db.session.commit()
    flash(_("Document %(number)s is reversed.", number=transfer.document_no), "success")
    return redirect(url_for("cash.transfers"), 303)


@bp.route("/transfers/<int:transfer_id>/voucher")
@requires("view_money")
def transfer_voucher(transfer_id: int):
    """Render the printable phiếu chi of a deposit or phiếu thu of a withdrawal."""
    transfer = get_or_404(Transfer, transfer_id)
    source, target, _series = journal.TRANSFER_SIDES[transfer.kind]
    deposit = transfer.kind == "deposit"
    maker = transfer.transaction.created_by
    reason = f"{labels.TRANSFER_KINDS[transfer.kind]}: {transfer.reason}"
    if transfer.bank_ref:
        advice = _("bank's advice %(ref)s", ref=transfer.bank_ref)
        reason = f"{reason} ({advice})"
    return render_template(
        "documents/voucher.html",
        voucher=Voucher(
            series="payment" if deposit else "receipt",
            number=transfer.document_no,
            day=transfer.made_on,
            # the treasurer carries the cash to or from the bank
            party=person_name(maker),
            address="",
            reason=reason,
            amount=transfer.amount,
            method="cash",
            account=balances.CASH,
            other_account=balances.BANK,
            void=transfer.is_reversed,
            signer=person_name(maker),
            made_by=person_name(maker),
        ),
        back=url_for("cash.transfers"),
    )


# ------------------------------------------------------------------ cash counts


class CashCountForm(OnceForm):
    counted_on = IsoDateField(_l("Counted on"), [InputRequired(_l("Enter the date of the count."))])
    reason = TextAreaField(
        _l("Reason for the difference"),
        [Length(max=500), NamesNobody()],
        description=_l("Needed when the cash counted differs from the cash book."),
    )

    def notes(self) -> dict[str, int]:
        """{"500000": 3, ...}: the notes counted, denominations with none left out."""
        return {
            str(value): self[f"notes_{value}"].data for value in DENOMINATIONS if self[f"notes_{value}"].data
        }


for _value in DENOMINATIONS:
    setattr(
        CashCountForm,
        f"notes_{_value}",
        IntegerField(
            format_money(_value),
            [Optional(), NumberRange(0, 1_000_000, _l("Enter the number of notes, 0 or more."))],
            render_kw={"inputmode": "numeric", "autocomplete": "off", "min": "0"},
        ),
    )


def counted_total(notes: dict[str, int]) -> int:
    return sum(int(value) * count for value, count in notes.items())


def render_counts(form: CashCountForm | None = None, status: int = 200, figures: dict | None = None):
    counts = page_of(
        select(CashCount)
        .where(CashCount.fund_id == g.fund.id)
        .order_by(CashCount.counted_on.desc(), CashCount.id.desc()),
        PAGE_SIZE,
    )
    if form is None:
        form = CashCountForm(formdata=None, counted_on=clock.today())
    return (
        render_template(
            "cash/counts.html",
            counts=counts.rows,
            total=counts.total,
            page=counts.page,
            pages=counts.pages,
            form=form,
            figures=figures,
            denominations=DENOMINATIONS,
            in_cash_today=balances.cash_balance(g.fund.id, clock.today(), balances.CASH),
        ),
        status,
    )


@bp.route("/cash-counts")
@requires("view_money")
def counts():
    """Render the cash counts, newest first, with the counting form for the treasurer."""
    return render_counts()


@bp.route("/cash-counts", methods=["POST"])
@requires("post_money")
def create_count():
    """Check a count against the cash book (the figures come back), or save it: a difference
    (thừa or thiếu) must be explained first."""
    form = CashCountForm()
    if not form.validate():
        return render_counts(form, 422)
    notes = form.notes()
    counted = counted_total(notes)
    book = balances.cash_balance(g.fund.id, form.counted_on.data, balances.CASH)
    figures = {"counted": counted, "book": book, "difference": counted - book}
    if counted != book and not (form.reason.data or "").strip():
        form.reason.errors = [
            _(
                "The cash counted differs from the cash book by %(amount)s: explain why before saving.",
                amount=format_money(abs(counted - book)),
            )
        ]
        return render_counts(form, 422, figures)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    count = CashCount(
        fund_id=g.fund.id,
        counted_on=form.counted_on.data,
        notes=notes,
        counted=counted,
        book_balance=book,
        reason=(form.reason.data or "").strip(),
        counted_by_id=current_user.id,
    )
    db.session.add(count)
    db.session.flush()
    audit.record(
        "cash_count.create",
        count,
        after={
            "counted_on": count.counted_on.isoformat(),
            "counted": counted,
            "book_balance": book,
            "difference": count.difference,
        },
    )
    once.remember_where(url_for("cash.count_paper", count_id=count.id))
    db.session.commit()
    flash(_("The cash count is saved; print the record for signing."), "success")
    return redirect(url_for("cash.count_paper", count_id=count.id), 303)


@bp.route("/cash-counts/<int:count_id>")
@requires("view_money")
def count_paper(count_id: int):
    """Render the biên bản kiểm kê quỹ tiền mặt of a count, A4 to print and sign."""
    count = get_or_404(CashCount, count_id)
    rows = [(value, int(count.notes.get(str(value), 0))) for value in DENOMINATIONS]
    return render_template("cash/count_paper.html", count=count, rows=rows, printed_on=count.counted_on)

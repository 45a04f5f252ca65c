"""The Excel layout of each export: its title, and for each CSV column its heading on screen, how
its values are written and whether the totals row sums it (web.exports writes them). The columns
are the CSV's, in its order, so the two files cannot disagree; CSV-only columns (internal ids)
say excel=False."""

from tracker import labels
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.queries import reports
from tracker.web.exports import Column, Sheet


def money(code: str, heading, total: bool = True) -> Column:
    return Column(code, heading, "money", total=total)


def count(code: str, heading, total: bool = True) -> Column:
    return Column(code, heading, "count", total=total)


def total_row(_count: int) -> str:
    return _("Total")


OUTSTANDING = Sheet(
    _l("Report on outstanding loans"),
    (
        Column("loan_id", _l("No."), "number"),
        Column("person_id", "", excel=False),
        Column("person_name", _l("Borrower"), width=28),
        money("principal", _l("Principal")),
        money("repaid", _l("Repaid")),
        money("written_off", _l("Written off")),
        money("outstanding", _l("Outstanding")),
        Column("overdue_amount", _l("Overdue debt"), "money", total=True, blank_zero=True),
        Column("days_overdue", _l("Days overdue"), "count", blank_zero=True),
        Column("status", _l("Status"), words=labels.LOAN_STATUSES, width=18),
    ),
    totals=lambda rows: _("Total (%(count)s loans)", count=rows),
)

CASHBOOK = Sheet(
    _l("Cash book"),
    (
        Column("date", _l("Date"), "date"),
        Column("receipt_no", _l("Document no."), width=14),
        Column("kind", _l("Kind of entry"), words=labels.CASHBOOK_KINDS, width=22),
        Column("description", _l("Description"), width=42),
        Column("money_in", _l("In"), "money", total=True, blank_zero=True),
        Column("money_out", _l("Out"), "money", total=True, blank_zero=True),
        money("balance", _l("Balance"), total=False),
        Column("paper_book", _l("Paper receipt: book"), width=12),
        Column("paper_no", _l("Paper receipt: number"), width=12),
        Column("account", _l("Cash or bank"), words=labels.MONEY_ACCOUNTS, width=18),
    ),
    totals=lambda _rows: _("Total for the period"),
)

AGING = Sheet(
    _l("Aging of outstanding loans"),
    (
        Column("bucket", _l("Days overdue"), words=reports.aging_bucket_label, width=18),
        count("loans", _l("Loans")),
        money("outstanding", _l("Outstanding")),
        money("overdue_amount", _l("Overdue debt")),
        Column("share_of_outstanding", _l("Share of outstanding"), "share", width=14),
    ),
    totals=total_row,
)

DONORS = Sheet(
    _l("Donors and what their money did"),
    (
        Column("donor_id", "", excel=False),
        Column("donor_name", _l("Donor"), width=32),
        Column("kind", _l("Kind of donor"), words=labels.DONOR_KINDS, width=16),
        count("donations", _l("Donations in the period")),
        money("amount_in_period", _l("Amount given in the period")),
        money("total_given", _l("Total given")),
        money("lent_out_now", _l("Lent out")),
        money("returned", _l("Recovered")),
        money("lost", _l("Written off")),
    ),
    totals=total_row,
)


def visits_of_kind(code: str, kind: str) -> Column:
    return count(code, _l("Visits: %(kind)s", kind=labels.VISIT_KINDS[kind]))


MENTOR_VISITS = Sheet(
    _l("Visits by mentor"),
    (
        Column("mentor_id", "", excel=False),
        Column("mentor_name", _l("Mentor"), width=28),
        count("people", _l("People assigned now")),
        count("visits_made", _l("Visits made in the period")),
        visits_of_kind("visits_home", "home"),
        visits_of_kind("visits_phone", "phone"),
        visits_of_kind("visits_workplace", "workplace"),
        visits_of_kind("visits_meeting", "meeting"),
        count("visits_due", _l("Visits due in the period")),
        count("overdue_now", _l("Overdue visits today")),
    ),
    totals=total_row,
)

# The review's rows are (section, item, value): the value is money, a percentage or a count.
REVIEW_MONEY = frozenset(
    {
        "raised",
        "lent_amount",
        "recovered",
        "written_off",
        "outstanding_end",
        "overdue_end",
        "overdue_over_30_days",
        "cash_start",
        "cash_end",
        "cash_end_in_cash",
        "cash_end_in_bank",
    }
)
REVIEW_PERCENT = frozenset({"par30_percent", "arrears_rate_percent"})


def review_kind(row) -> str:
    section, item, _value = row
    if section == "raised_by_donor" or (section == "money" and item in REVIEW_MONEY):
        return "money"
    if section == "money" and item in REVIEW_PERCENT:
        return "percent"
    return "count"


REVIEW = Sheet(
    _l("Six-monthly and year-end review"),
    (
        Column("section", _l("Section"), words=labels.REVIEW_SECTIONS, width=22),
        Column("item", _l("Item"), width=54, shown=lambda row: labels.review_item(row[0], row[1])),
        Column("value", _l("Figure"), review_kind),
    ),
)

PROVINCE = Sheet(
    _l("The province's funds"),
    (
        Column("fund_id", "", excel=False),
        Column("commune", _l("Commune / ward"), width=24),
        Column("fund_name", _l("Fund"), width=36),
        money("cash", _l("Cash on hand")),
        money("donated", _l("Total donated")),
        money("lent", _l("Total lent")),
        money("outstanding", _l("Outstanding")),
        money("overdue", _l("Overdue")),
        # of the outstanding on loans more than 30 days overdue (PAR30); a ratio, not summed
        Column("par30", _l("Outstanding more than 30 days overdue"), "share", width=16),
        count("people", _l("People helped")),
        count("supported", _l("Being supported")),
        count("visits_overdue", _l("Visits overdue")),
    ),
    totals=lambda rows: _("Total (%(count)s funds)", count=rows),
)

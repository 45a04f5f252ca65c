"""The import workbook's sheets and columns, defined once: the template handed out, the reader and
the round-trip export all follow these definitions.

The workbook is in Vietnamese whatever the user's language (the old books are): headings are read
and written under the vi locale. Rows of one sheet refer to rows of another by the key ("Mã") the
committee writes in the first column, e.g. a loan's "Mã người vay" is the "Mã" of a row on the sheet
of people helped."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker import labels
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.web.exports import (
    BOLD,
    DATE_FORMAT,
    HEADING_BORDER,
    HEADING_FILL,
    MONEY_FORMAT,
    TITLE_FONT,
    WIDTHS,
    WRAP,
)

LOCALE = "vi"
MAX_ROWS = 20_000  # rows read per sheet: a commune's books are a few thousand


@dataclass(frozen=True)
class Column:
    code: str  # the value's name in a parsed row; also the journal's field name for its refusals
    heading: object  # lazy: the heading in the workbook
    kind: str = "text"  # key, ref, text, name, money, date, int, choice, phone, yes_no
    required: bool = False
    choices: Mapping | None = None  # code -> words (tracker.labels), for kind "choice"
    refers_to: str | None = None  # the sheet whose key a "ref" names
    note: object = ""  # lazy: what to write, on the instructions sheet
    example: object = None
    max_length: int = 200
    low: int | None = None  # an int's bounds
    high: int | None = None
    # journal refusal fields (MoneyRefused.field) shown in this column
    fields: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        if self.kind in ("money", "date"):
            return max(WIDTHS[self.kind], 14)
        if self.kind in ("key", "ref", "int", "yes_no", "phone"):
            return 14
        if self.kind == "choice":
            return 20
        return 30


@dataclass(frozen=True)
class Sheet:
    code: str  # ImportedRow.sheet
    title: object  # lazy: the sheet's name (at most 31 characters)
    columns: tuple[Column, ...]
    note: object = ""
    keyed: bool = True  # the first column is the committee's key
    # a sheet without codes: the columns that tell its rows apart (ImportedRow.key); a note, the
    # method or the summary of a visit corrected later does not make a row new
    identity: tuple[str, ...] = ()
    by_code: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        self.by_code.update({column.code: column for column in self.columns})

    def column_for_field(self, name: str | None) -> Column | None:
        for column in self.columns:
            if name == column.code or name in column.fields:
                return column
        return None


YES_NO = {True: _l("Yes"), False: _l("No")}
GENDERS = {code: labels.GENDERS[code] for code in ("male", "female")}


def key(example: str) -> Column:
    return Column(
        "key",
        _l("Code"),
        "key",
        True,
        note=_l("A short code you choose, different on each row, e.g. %(example)s.", example=example),
        example=example,
    )


# What a reference to each keyed sheet says on the instructions sheet, and its example code.
REFERENCES = {
    "members": (_l("The code of a row on the sheet of team members."), "TV01"),
    "people": (_l("The code of a row on the sheet of people helped."), "NG01"),
    "donors": (_l("The code of a row on the sheet of donors."), "NT01"),
    "loans": (_l("The code of a row on the sheet of loans."), "KV01"),
}


def reference(code: str, label, sheet: str, required: bool = False) -> Column:
    """A column naming a row of another sheet by its code."""
    note, example = REFERENCES[sheet]
    return Column(code, label, "ref", required, refers_to=sheet, note=note, example=example)


def money_account(label, note, example: str | None = "cash") -> Column:
    """Cash or bank: where the money went in or came out from; empty is cash."""
    return Column("account", label, "choice", choices=labels.MONEY_ACCOUNTS, note=note, example=example)


MEMBERS = Sheet(
    "members",
    _l("Team members"),
    (
        key("TV01"),
        Column("full_name", _l("Full name"), "name", True, example="Nguyễn Văn Hùng"),
        Column("position", _l("Position"), example="Chủ tịch UBMTTQ xã"),
        Column("organisation", _l("Organisation"), example="MTTQ"),
        Column("phone", _l("Phone"), "phone", example="0912345678"),
        Column("joined_on", _l("Joined on"), "date", example=dt.date(2024, 1, 15)),
        Column("left_on", _l("Left on"), "date"),
    ),
)
PEOPLE = Sheet(
    "people",
    _l("People helped"),
    (
        key("NG01"),
        Column("full_name", _l("Full name"), "name", True, example="Trần Văn Minh"),
        Column("birth_year", _l("Year of birth"), "int", low=1900, high=2030, example=1990),
        Column("gender", _l("Gender"), "choice", choices=GENDERS, example="male"),
        Column("phone", _l("Phone"), "phone", example="0987654321"),
        Column("address", _l("Address (hamlet or quarter)"), example="Thôn 2"),
        Column("released_on", _l("Released on"), "date", example=dt.date(2023, 10, 2)),
        Column("certificate_type", _l("Certificate"), "choice", choices=labels.CERTIFICATES),
        Column("family_circumstances", _l("Family circumstances"), max_length=2000),
        Column("needs", _l("Needs"), max_length=2000),
        Column(
            "consent_recorded_on",
            _l("Consent to keep this information recorded on"),
            "date",
            True,
            example=dt.date(2023, 11, 1),
        ),
        reference("mentor", _l("Mentor's code"), "members"),
        Column("visit_interval_days", _l("Visit every (days)"), "int", low=7, high=365, example=30),
        Column(
            "status",
            _l("Status"),
            "choice",
            choices=labels.PERSON_STATUSES,
            note=_l("Empty: being supported."),
            example="supported",
        ),
        Column(
            "status_changed_on",
            _l("Status changed on"),
            "date",
            note=_l("Needed when the status is not “being supported”."),
        ),
        Column(
            "status_reason",
            _l("Reason for the status"),
            max_length=500,
            note=_l("Never an offence: a reason is kept in the file's history."),
        ),
    ),
)
DONORS = Sheet(
    "donors",
    _l("Donors"),
    (
        key("NT01"),
        Column("name", _l("Donor's name"), "name", True, example="Công ty TNHH Hồng Phát"),
        Column("kind", _l("Kind of donor"), "choice", True, choices=labels.DONOR_KINDS, example="business"),
        Column("title", _l("Title (Mr or Ms)"), "choice", choices={t: t for t in labels.DONOR_TITLES}),
        Column("phone", _l("Phone"), "phone"),
        Column("address", _l("Address")),
        Column("anonymous", _l("Anonymous"), "yes_no", example=False),
    ),
)
DONATIONS = Sheet(
    "donations",
    _l("Donations"),
    (
        reference("donor", _l("Donor's code"), "donors", True),
        Column("amount", _l("Amount"), "money", True, example=10_000_000),
        Column("received_on", _l("Received on"), "date", True, example=dt.date(2024, 2, 20)),
        Column("method", _l("Method"), "choice", True, choices=labels.PAYMENT_METHODS, example="cash"),
        money_account(_l("Cash or bank"), _l("Where the money went; empty: cash.")),
        Column("paper_book", _l("Paper receipt: book"), max_length=20, example="01"),
        Column("paper_no", _l("Paper receipt: number"), max_length=20, example="015"),
        Column("note", _l("Note"), max_length=500),
    ),
    keyed=False,
    identity=("donor", "amount", "received_on", "paper_book", "paper_no"),
)
LOANS = Sheet(
    "loans",
    _l("Loans"),
    (
        key("KV01"),
        reference("person", _l("Borrower's code"), "people", True),
        Column("principal", _l("Amount asked for"), "money", True, example=15_000_000),
        Column(
            "approved_amount",
            _l("Amount approved"),
            "money",
            note=_l("Empty: the amount asked for."),
            fields=("approved_amount",),
        ),
        Column(
            "term_months",
            _l("Term (months, grace included)"),
            "int",
            True,
            low=1,
            high=120,
            example=24,
        ),
        Column("grace_months", _l("Grace period (months)"), "int", low=0, high=60, example=2),
        Column(
            "purpose", _l("Purpose of the loan"), "text", True, max_length=500, example="Nuôi bò sinh sản"
        ),
        Column("applied_on", _l("Applied on"), "date", True, example=dt.date(2024, 3, 1)),
        Column(
            "approved_on",
            _l("Approved on"),
            "date",
            note=_l("Empty: the application still waits for a decision."),
            example=dt.date(2024, 3, 8),
            fields=("decided_on",),
        ),
        Column("minutes_ref", _l("Minutes reference"), example="Biên bản họp Tổ ngày 08/03/2024"),
        Column(
            "disbursed_on",
            _l("Disbursed on"),
            "date",
            note=_l("Empty: not paid out yet."),
            example=dt.date(2024, 3, 15),
        ),
        money_account(_l("Paid out from"), _l("Empty: cash.")),
        Column(
            "written_off_on",
            _l("Written off on"),
            "date",
            note=_l(
                "The day the committee wrote the rest of the loan off; empty: not written off. Repayments "
                "dated after it are money back after the write-off."
            ),
        ),
        Column("write_off_reason", _l("Reason for the write-off"), max_length=500),
        Column("guarantor_name", _l("Guarantor"), "name", example="Trần Thị Lan"),
        Column("guarantor_relation", _l("Relation to the borrower"), max_length=100, example="Vợ"),
        Column("guarantor_phone", _l("Guarantor's phone"), "phone"),
        Column("guarantor_address", _l("Guarantor's address"), max_length=300),
    ),
)
REPAYMENTS = Sheet(
    "repayments",
    _l("Repayments"),
    (
        reference("loan", _l("Loan's code"), "loans", True),
        Column("amount", _l("Amount"), "money", True, example=1_000_000),
        Column("paid_on", _l("Paid on"), "date", True, example=dt.date(2024, 6, 15)),
        Column("method", _l("Method"), "choice", True, choices=labels.PAYMENT_METHODS, example="cash"),
        money_account(_l("Cash or bank"), _l("Where the money went; empty: cash."), example=None),
        Column("paper_book", _l("Paper receipt: book"), max_length=20),
        Column("paper_no", _l("Paper receipt: number"), max_length=20),
    ),
    keyed=False,
    identity=("loan", "amount", "paid_on", "paper_book", "paper_no"),
)
VISITS = Sheet(
    "visits",
    _l("Visits"),
    (
        reference("person", _l("Code of the person helped"), "people", True),
        reference("mentor", _l("Mentor's code"), "members"),
        Column("visited_on", _l("Date of the visit"), "date", True, example=dt.date(2024, 4, 10)),
        Column("kind", _l("Kind of visit"), "choice", True, choices=labels.VISIT_KINDS, example="home"),
        Column("summary", _l("Summary"), max_length=2000, example="Gia đình ổn định, bò phát triển tốt"),
        Column("livelihood", _l("Livelihood"), max_length=2000),
        Column("concerns", _l("Concerns"), max_length=2000),
        Column("next_visit_on", _l("Next visit"), "date"),
    ),
    keyed=False,
    identity=("person", "visited_on", "kind"),
)
SHEETS = (MEMBERS, PEOPLE, DONORS, DONATIONS, LOANS, REPAYMENTS, VISITS)
BY_CODE = {sheet.code: sheet for sheet in SHEETS}
INSTRUCTIONS = _l("Instructions")


def choice_words(column: Column) -> dict[str, str]:
    """A coded column's words (as written in the workbook) by code."""
    return {code: str(words) for code, words in column.choices.items()}


def shown_value(column: Column, value):
    """A parsed value as the workbook writes it (the example rows, the round-trip export)."""
    if value is None or value == "":
        return None
    if column.kind == "choice":
        return choice_words(column).get(value, value)
    if column.kind == "yes_no":
        return str(YES_NO[bool(value)])
    return value


# ------------------------------------------------------------------------------ writing


def workbook_bytes(rows: Mapping[str, list[dict]] | None = None) -> bytes:
    """The template (rows None), or the template holding `rows` (sheet code -> parsed rows, as the
    reader gives them): the same sheets, headings, lists and formats either way."""
    with force_locale(LOCALE):
        workbook = Workbook()
        write_instructions(workbook.active)
        for sheet in SHEETS:
            write_sheet(workbook.create_sheet(str(sheet.title)), sheet, (rows or {}).get(sheet.code, []))
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()


def write_sheet(ws, sheet: Sheet, rows: list[dict]) -> None:
    for number, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, number, str(column.heading) + (" *" if column.required else ""))
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADING_FILL, HEADING_BORDER, WRAP
        letter = get_column_letter(number)
        ws.column_dimensions[letter].width = column.width
        # the column's own format, so that what is typed in it later reads as in the app's exports
        ws.column_dimensions[letter].number_format = number_format(column)
        cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
        if column.kind in ("choice", "yes_no"):
            words = (
                choice_words(column) if column.kind == "choice" else {k: str(v) for k, v in YES_NO.items()}
            )
            listed = DataValidation(
                type="list",
                formula1='"' + ",".join(words.values()) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=_("Choose from the list"),
                error=_("Choose one of: %(words)s", words=", ".join(words.values())),
            )
            listed.add(cells)
            ws.add_data_validation(listed)
        for row in range(2, len(rows) + 2):  # formats on the rows written; new rows inherit none
            ws.cell(row, number).number_format = number_format(column)
    ws.freeze_panes = "A2"
    for row_number, row in enumerate(rows, start=2):
        for number, column in enumerate(sheet.columns, start=1):
            value = shown_value(column, row.get(column.code))
            if value is not None:
                cell = ws.cell(row_number, number, value)
                cell.number_format = number_format(column)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even if it starts with "="


def number_format(column: Column) -> str:
    # a phone's leading 0 and a code such as 0012 are kept only in a text cell ("@")
    formats = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "phone": "@", "key": "@", "ref": "@"}
    return formats.get(column.kind, "General")


def write_instructions(ws) -> None:
    """The instructions sheet: how to fill the workbook, then every column of every sheet with
    what to write and an example. The examples live here only, so the reader never meets them."""
    ws.title = str(INSTRUCTIONS)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 60
    ws.column_dimensions["E"].width = 28
    lines = [
        _("Bringing the old books in from Excel"),
        _(
            "Fill one row per record on each sheet; leave a sheet empty if you have nothing for it. "
            "Columns marked * must be filled."
        ),
        _(
            "The first column of the sheets of team members, people helped, donors and loans is a code "
            "you choose (TV01, NG01, NT01, KV01…), different on each row: other sheets use it to say "
            "whom a row is about (a loan's borrower, a repayment's loan)."
        ),
        _(
            "Amounts in whole đồng (5000000 or 5.000.000); dates as dates, or written dd/mm/yyyy "
            "(27/11/2026); coded columns from the list in the cell."
        ),
        _(
            "Money is entered in the order of its dates, as if typed in by hand: receipts and vouchers "
            "get their numbers year by year."
        ),
        _(
            "Upload the file on the page Import from Excel: it is checked first (nothing is saved) and "
            "every error is listed with its sheet, row and column. Import it once nothing is left to fix. "
            "Rows imported once are skipped when the file is imported again, so a corrected file may be "
            "imported again with the rows added."
        ),
    ]
    ws.append([lines[0]])
    ws["A1"].font = TITLE_FONT
    for line in lines[1:]:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 32
    ws.append([])
    ws.append([_("Sheet"), _("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill, cell.border = BOLD, HEADING_FILL, HEADING_BORDER
    for sheet in SHEETS:
        for column in sheet.columns:
            what = str(column.note) if column.note else ""
            if column.kind == "choice":
                what = " ".join(
                    filter(
                        None, (what, _("One of: %(words)s", words=", ".join(choice_words(column).values())))
                    )
                )
            example = shown_value(column, column.example)
            if isinstance(example, dt.date):
                example = example.strftime("%d/%m/%Y")
            elif column.kind == "money" and example is not None:
                example = f"{example:,}".replace(",", ".")
            ws.append(
                [str(sheet.title), str(column.heading), _("Yes") if column.required else "", what, example]
            )
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(ws.max_row + 2, 1, _("Example rows are here only: the other sheets start empty.")).font = Font(
        italic=True
    )

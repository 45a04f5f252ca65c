"""Reading an import workbook into plain values, sheet by sheet and row by row, with every error
(by sheet, row and column) collected rather than stopping at the first. Nothing here touches the
database: apply checks the keys rows refer to and lets the journal judge the money."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import force_locale
from openpyxl import load_workbook

from tracker import clock
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.importing.template import BY_CODE, LOCALE, MAX_ROWS, SHEETS, YES_NO, Column, Sheet, choice_words
from tracker.money import ledger
from tracker.text import has_direction_overrides, has_hidden_characters, normalise_phone, searchable
from tracker.web.forms import (
    CONTROL_CHARACTERS,
    CONTROL_CHARACTERS_MESSAGE,
    DIRECTION_OVERRIDES_MESSAGE,
    EARLIEST_DATE,
    HIDDEN_CHARACTERS_IN_NAME_MESSAGE,
)

MAX_BYTES = 5 * 1024 * 1024  # a commune's books are well under 1 MB


@dataclass(frozen=True)
class Problem:
    """An error or a warning: where (sheet code, Excel row, column) and what, in words."""

    sheet: str | None  # None: the file as a whole
    row: int | None
    column: object | None  # the column's heading (lazy)
    message: object  # lazy

    @property
    def sheet_title(self) -> str:
        return str(BY_CODE[self.sheet].title) if self.sheet else ""

    def text(self) -> str:
        """One line, e.g. "Khoản đóng góp, dòng 14, cột Số tiền: '1,5tr' không phải số tiền"."""
        if self.sheet is None:
            return str(self.message)
        if self.column is None:
            return _(
                "%(sheet)s, row %(row)s: %(message)s",
                sheet=self.sheet_title,
                row=self.row,
                message=self.message,
            )
        return _(
            "%(sheet)s, row %(row)s, column %(column)s: %(message)s",
            sheet=self.sheet_title,
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class Row:
    sheet: str
    number: int  # the row's number in Excel
    values: dict
    key: str  # the committee's code, or for a sheet without codes the row's content (ImportedRow.key)


@dataclass
class Parsed:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {sheet.code: [] for sheet in SHEETS})
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # keys of rows with errors: rows that refer to them are not reported again as naming nothing
    failed: dict[str, set[str]] = field(default_factory=lambda: {sheet.code: set() for sheet in SHEETS})
    digest: str = ""


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def read(data: bytes) -> Parsed:
    """Every sheet of the workbook in `data`, as rows of plain values, with every error found."""
    parsed = Parsed(digest=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_BYTES:
        parsed.errors.append(
            Problem(None, None, None, _l("The file is larger than 5 MB; is it the right file?"))
        )
        return parsed
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        parsed.errors.append(
            Problem(
                None,
                None,
                None,
                _l("This is not an Excel workbook (.xlsx): download the template and fill it in."),
            )
        )
        return parsed
    with force_locale(LOCALE):
        titles = {searchable(name): name for name in workbook.sheetnames}
        found = 0
        for sheet in SHEETS:
            name = titles.get(searchable(str(sheet.title)))
            if name is None:
                continue
            found += 1
            read_sheet(workbook[name], sheet, parsed)
    workbook.close()
    if not found:
        parsed.errors.append(
            Problem(
                None,
                None,
                None,
                _l("The workbook has none of the template's sheets: download the template and fill it in."),
            )
        )
    return parsed


def read_sheet(ws, sheet: Sheet, parsed: Parsed) -> None:
    rows = ws.iter_rows(values_only=True)
    headings = next(rows, None) or ()
    by_heading = {searchable(str(column.heading)): column for column in sheet.columns}
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        column = by_heading.get(searchable(str(heading or "")).rstrip(" *"))
        if column is not None and column.code not in positions:
            positions[column.code] = index
    missing = [column for column in sheet.columns if column.required and column.code not in positions]
    for column in missing:
        parsed.errors.append(
            Problem(sheet.code, 1, column.heading, _l("This column is missing from the sheet."))
        )
    if missing:
        return
    seen_keys: dict[str, int] = {}
    seen_content: Counter = Counter()
    names: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            parsed.errors.append(
                Problem(
                    sheet.code, number, None, _l("More than %(count)s rows: split the file.", count=MAX_ROWS)
                )
            )
            break
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        values, ok = {}, True
        for column in sheet.columns:
            index = positions.get(column.code)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                values[column.code] = parse_cell(column, raw)
            except CellError as error:
                parsed.errors.append(Problem(sheet.code, number, column.heading, error.message))
                ok = False
        if not ok:
            if sheet.keyed and values.get("key"):
                parsed.failed[sheet.code].add(values["key"])
            continue
        if sheet.keyed:
            row_key = values["key"]
            if row_key in seen_keys:
                parsed.failed[sheet.code].add(row_key)
                parsed.errors.append(
                    Problem(
                        sheet.code,
                        number,
                        sheet.columns[0].heading,
                        _l(
                            "The code %(key)s is already used on row %(row)s.",
                            key=row_key,
                            row=seen_keys[row_key],
                        ),
                    )
                )
                continue
            seen_keys[row_key] = number
            # the record's own name (a person, a member, a donor), not a loan's guarantor: two loans
            # may well have the same guarantor
            name_column = next((c for c in sheet.columns if c.code in ("full_name", "name")), None)
            if name_column is not None:
                name = searchable(values[name_column.code])
                if name in names:
                    parsed.warnings.append(
                        Problem(
                            sheet.code,
                            number,
                            name_column.heading,
                            _l("Same name as on row %(row)s: is it the same record twice?", row=names[name]),
                        )
                    )
                names.setdefault(name, number)
        else:
            # A row without a code is known by what it says (Sheet.identity); identical rows (two
            # equal repayments on one day) by their place among them.
            content = "|".join(key_part(values[code]) for code in sheet.identity)
            seen_content[content] += 1
            digest = hashlib.sha256(content.encode()).hexdigest()[:40]
            row_key = f"{digest}#{seen_content[content]}"
        parsed.rows[sheet.code].append(Row(sheet.code, number, values, row_key))


def key_part(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------------ one cell


def parse_cell(column: Column, raw):
    """The cell's value as the column's kind, None for an empty cell; CellError says what is wrong."""
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFC", raw).strip()
    if raw is None or raw == "":
        if column.required:
            raise CellError(_l("Fill this in."))
        return "" if column.kind in ("text", "name", "phone") else None
    parser = PARSERS[column.kind]
    return parser(column, raw)


def shown(raw) -> str:
    if isinstance(raw, dt.datetime | dt.date):
        return format_date(raw)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def parse_text(column: Column, raw) -> str:
    text = shown(raw)
    if CONTROL_CHARACTERS.search(text):
        raise CellError(CONTROL_CHARACTERS_MESSAGE)
    if has_direction_overrides(text) or (column.kind == "name" and has_hidden_characters(text)):
        raise CellError(
            HIDDEN_CHARACTERS_IN_NAME_MESSAGE if column.kind == "name" else DIRECTION_OVERRIDES_MESSAGE
        )
    if len(text) > column.max_length:
        raise CellError(_l("Write at most %(max)d characters here.", max=column.max_length))
    return text


def parse_key(column: Column, raw) -> str:
    # Codes compare without regard to case or spaces: "kv 01", "KV01" and "Kv01" are one code.
    text = parse_text(column, raw)
    return "".join(text.split()).upper()


def parse_money(column: Column, raw) -> int:
    try:
        if isinstance(raw, bool):
            raise ledger.AmountError("format")
        if isinstance(raw, int | float):
            if not float(raw).is_integer():
                raise ledger.AmountError("format")
            return ledger.parse_amount(str(int(raw)))
        return ledger.parse_amount(str(raw))
    except (ledger.AmountError, OverflowError):
        raise CellError(
            _l(
                "'%(value)s' is not an amount of money: write whole đồng greater than zero, "
                "for example 5.000.000.",
                value=shown(raw),
            )
        ) from None


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(column: Column, raw) -> dt.date:
    day = None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, str):
        for pattern in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(raw, pattern).date()
                break
            except ValueError:
                continue
    if day is None:
        raise CellError(
            _l("'%(value)s' is not a date: write dd/mm/yyyy, for example 27/11/2026.", value=shown(raw))
        )
    if day < EARLIEST_DATE:
        raise CellError(_l("%(day)s is too far in the past.", day=format_date(day)))
    if day > clock.today() and column.code != "next_visit_on":
        raise CellError(_l("%(day)s is in the future.", day=format_date(day)))
    return day


def parse_int(column: Column, raw) -> int:
    number = None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        number = int(raw)
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit():
        number = int(raw)
    if number is None:
        raise CellError(
            _l("'%(value)s' is not a whole number: write it in digits, for example 12.", value=shown(raw))
        )
    if (column.low is not None and number < column.low) or (column.high is not None and number > column.high):
        raise CellError(_l("Enter a number from %(min)s to %(max)s.", min=column.low, max=column.high))
    return number


def parse_choice(column: Column, raw) -> str:
    words = choice_words(column)
    wanted = searchable(shown(raw))
    for code, word in words.items():
        if wanted in (searchable(word), searchable(code)):
            return code
    raise CellError(
        _l(
            "'%(value)s' is not in the list: write one of %(words)s.",
            value=shown(raw),
            words=", ".join(words.values()),
        )
    )


def parse_yes_no(column: Column, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    wanted = searchable(shown(raw))
    for value, word in YES_NO.items():
        if wanted == searchable(str(word)):
            return value
    if wanted in ("x", "1"):
        return True
    if wanted == "0":
        return False
    raise CellError(
        _l(
            "'%(value)s' is not in the list: write one of %(words)s.",
            value=shown(raw),
            words=", ".join(map(str, YES_NO.values())),
        )
    )


def parse_phone(column: Column, raw) -> str:
    text = shown(raw)
    if isinstance(raw, int | float) and len(text) == 9:
        text = "0" + text  # Excel drops the leading 0 of a number typed as a number
    phone = normalise_phone(text)
    if phone is None:
        raise CellError(
            _l(
                "'%(value)s' is not a phone number: write 10 digits starting with 0, for example 0912345678.",
                value=text,
            )
        )
    return phone


PARSERS = {
    "key": parse_key,
    "ref": parse_key,
    "text": parse_text,
    "name": parse_text,
    "money": parse_money,
    "date": parse_date,
    "int": parse_int,
    "choice": parse_choice,
    "yes_no": parse_yes_no,
    "phone": parse_phone,
}

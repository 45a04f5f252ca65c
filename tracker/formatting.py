"""How numbers and dates read on screen (GLOSSARY: Formatting). Plain functions, no Flask."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_format_date


def format_money(amount: int | None) -> str:
    """50000000 -> '50.000.000 ₫'."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,}".replace(",", ".") + " ₫"


def format_number(value: int | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


def format_date(value: dt.date | dt.datetime | None) -> str:
    """27/11/2026."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"  # strftime's %Y, three times faster


def format_weekday_date(value: dt.date | None, locale: str) -> str:
    """'Thứ Sáu, 27/11/2026': the day a date input holds, written under it (app.js writes the same
    as the user picks another). The input itself shows the browser's order, 11/27/2026 on a PC
    set up in English, where 05/02 could be read either way."""
    if not isinstance(value, dt.date):
        return ""
    weekday = babel_format_date(value, "EEEE", locale=locale)
    return f"{weekday[:1].upper()}{weekday[1:]}, {format_date(value)}"


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def format_percent(ratio: float | Decimal | None, digits: int = 1) -> str:
    """0.066 -> '6,6%' (Vietnamese writes a decimal comma and no space before the sign); halves
    round up (0.0625 -> '6,3%'), as the review's percentages do."""
    if ratio is None:
        return ""
    percent = (Decimal(str(ratio)) * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{percent:f}".replace(".", ",") + "%"


def official_date_line(place: str, day: dt.date) -> str:
    """'Hồng Sơn, ngày 05 tháng 02 năm 2026' (the heading of an official document)."""
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_SCALES = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ"]


def _read_group(number: int, leading: bool) -> list[str]:
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """50000000 -> 'Năm mươi triệu đồng' (the amount in words on a phiếu thu or phiếu chi)."""
    if amount == 0:
        return "Không đồng"
    groups = []
    rest = abs(amount)
    while rest:
        groups.append(rest % 1000)
        rest //= 1000
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _read_group(group, leading=index == top)
        if _SCALES[index]:
            words.append(_SCALES[index])
    text = " ".join(words) + " đồng"
    if amount < 0:
        text = "âm " + text
    return text[0].upper() + text[1:]

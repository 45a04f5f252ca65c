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


# The units a thank-you letter reads an amount in, largest first, with the decimals each keeps:
# 30.700.000 reads "30,7 triệu", 650.000 "650 nghìn".
_READABLE_UNITS = (
    (1_000_000_000, 1, {"vi": "tỷ", "en": "billion"}),
    (1_000_000, 1, {"vi": "triệu", "en": "million"}),
    (1_000, 0, {"vi": "nghìn", "en": "thousand"}),
)
_ABOUT = {"vi": "khoảng", "en": "about"}
_DONG = {"vi": "đồng", "en": "dong"}


def readable_amount(amount: int, locale: str = "vi") -> str:
    """An amount as a person reads it in a letter: 30_700_000 -> 'khoảng 30,7 triệu đồng'.

    The unit is the largest the amount reaches (tỷ, triệu, nghìn); millions and billions keep one
    decimal, thousands none, halves rounding up; when the rounded figure reaches a thousand of its
    unit it is read in the next (999.600 -> 'khoảng 1 triệu đồng'). 'khoảng' (about) only when the
    rounding changed the amount: 50.000.000 reads '50 triệu đồng'. Below a thousand, the amount as
    it is. The exact figures belong in the letter's table."""
    language = "en" if locale.startswith("en") else "vi"
    sign = "-" if amount < 0 else ""
    rest = abs(int(amount))
    for index, (size, decimals, words) in enumerate(_READABLE_UNITS):
        if rest < size:
            continue
        rounded = _round_in(rest, size, decimals)
        if rounded >= 1000 and index > 0:
            size, decimals, words = _READABLE_UNITS[index - 1]
            rounded = _round_in(rest, size, decimals)
        text = f"{sign}{_figure(rounded, language)} {words[language]} {_DONG[language]}"
        return text if rounded * size == rest else f"{_ABOUT[language]} {text}"
    return f"{sign}{rest} {_DONG[language]}"


def _round_in(amount: int, size: int, decimals: int) -> Decimal:
    return (Decimal(amount) / size).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _figure(value: Decimal, language: str) -> str:
    """30.7 -> '30,7' (vi) or '30.7' (en); 1234 -> '1.234' (vi) or '1,234' (en); no trailing ',0'."""
    whole, _dot, fraction = f"{value:f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}"
    if language == "vi":
        return grouped.replace(",", ".") + ("," + fraction if fraction else "")
    return grouped + ("." + fraction if fraction else "")


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

"""How numbers and dates read on screen (GLOSSARY: Formatting). Plain functions, no Flask."""

import datetime as dt


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
    return value.strftime("%d/%m/%Y")


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def format_percent(ratio: float | None, digits: int = 1) -> str:
    """0.066 -> '6,6 %'."""
    if ratio is None:
        return ""
    return f"{ratio * 100:.{digits}f}".replace(".", ",") + " %"


def official_date_line(place: str, day: dt.date) -> str:
    """'Hồng Sơn, ngày 05 tháng 02 năm 2026' (the heading of an official document)."""
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"

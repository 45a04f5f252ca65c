"""Vietnamese name order, phone numbers, hidden characters and the on-screen formats (no Flask)."""

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from tracker.formatting import (
    format_date,
    format_money,
    format_percent,
    format_weekday_date,
    official_date_line,
)
from tracker.text import (
    has_direction_overrides,
    has_hidden_characters,
    normalise_phone,
    searchable,
    sort_by_name,
    vietnamese_sort_key,
    without_hidden_characters,
)


def test_names_sort_by_given_name_then_family_name():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An", "Đỗ Thị Yến", "Phạm Văn Đức"]
    ordered = sorted(names, key=vietnamese_sort_key)
    assert ordered == ["Lê Văn An", "Nguyễn Thị An", "Trần Văn Bình", "Phạm Văn Đức", "Đỗ Thị Yến"]


@pytest.mark.parametrize(
    "earlier, later",
    [
        ("Văn A", "Văn Ă"),  # a < ă < â < b
        ("Văn Ă", "Văn Â"),
        ("Văn Â", "Văn Bình"),
        ("Văn Dũng", "Văn Đạt"),  # d < đ < e (byte order would put Đ after Z)
        ("Văn Đạt", "Văn Em"),
        ("Thị Ơn", "Thị Phúc"),
        ("Văn Uy", "Văn Ưng"),
        ("Văn Ưng", "Văn Vinh"),
        ("Văn Ma", "Văn Mà"),  # tones only break ties: ngang < huyền < hỏi < ngã < sắc < nặng
        ("Văn Mà", "Văn Mả"),
        ("Văn Mả", "Văn Mã"),
        ("Văn Mã", "Văn Má"),
        ("Văn Má", "Văn Mạ"),
        ("Văn Mạ", "Văn Mai"),  # a whole-letter difference outranks any tone
        ("Văn An", "Văn Anh"),  # a prefix sorts first
    ],
)
def test_vietnamese_alphabet_order(earlier, later):
    assert vietnamese_sort_key(earlier) < vietnamese_sort_key(later)


def test_byte_order_would_be_wrong_and_the_key_is_ascii():
    assert "Đạt" > "Em"  # the bug the key exists to avoid
    key = vietnamese_sort_key("Nguyễn Thị Ánh Tuyết")
    assert key.isascii() and key.isalnum()


def test_sort_by_name_uses_full_name():
    class P:
        def __init__(self, full_name):
            self.full_name = full_name

    people = [P("Hoàng Văn Đức"), P("Hoàng Văn Dũng")]
    assert [p.full_name for p in sort_by_name(people)] == ["Hoàng Văn Dũng", "Hoàng Văn Đức"]


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("12345", None),
        ("091234567a", None),
        ("", None),
    ],
)
def test_phone_numbers(raw, stored):
    assert normalise_phone(raw) == stored


def test_formats():
    assert format_money(50_000_000) == "50.000.000 ₫"
    assert format_money(0) == "0 ₫"
    assert format_money(-1500) == "-1.500 ₫"
    assert format_date(dt.date(2026, 11, 27)) == "27/11/2026"
    assert format_percent(0.066) == "6,6%"
    # halves round up, as the review's figures do (Python's float formatting would say 6,2%)
    assert format_percent(0.0625) == "6,3%" and format_percent(Decimal("0.0625")) == "6,3%"
    assert format_percent(0) == "0,0%" and format_percent(1) == "100,0%" and format_percent(None) == ""
    assert official_date_line("Hồng Sơn", dt.date(2026, 2, 5)) == "Hồng Sơn, ngày 05 tháng 02 năm 2026"


@pytest.mark.parametrize(
    "day, locale, text",
    [
        (dt.date(2026, 2, 5), "vi", "Thứ Năm, 05/02/2026"),
        (dt.date(2026, 11, 28), "vi", "Thứ Bảy, 28/11/2026"),
        (dt.date(2026, 11, 29), "vi", "Chủ Nhật, 29/11/2026"),
        (dt.date(2026, 2, 5), "en", "Thursday, 05/02/2026"),
        (None, "vi", ""),
    ],
)
def test_the_day_under_a_date_input(day, locale, text):
    assert format_weekday_date(day, locale) == text


# Each direction mark, embedding, override and isolate; each zero-width character; the BOM.
DIRECTION_CHARACTERS = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
DIRECTION_CHARACTERS += ["\u2066", "\u2067", "\u2068", "\u2069"]
ZERO_WIDTH_CHARACTERS = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("character", DIRECTION_CHARACTERS + ZERO_WIDTH_CHARACTERS + ["\u00ad", "\u3164"])
def test_hidden_characters_are_found_anywhere_in_a_name(character):
    for name in (f"Nguyễn Văn{character} An", f"{character}Nguyễn Văn An", f"Nguyễn Văn An{character}"):
        assert has_hidden_characters(name), f"{name!r}"


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Văn Đức",
        unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"),  # combining accents are not hidden
        "Công ty TNHH Hồng Phát (chi nhánh 2)",
        "Nguyễn Văn A²",
        "",
    ],
)
def test_names_as_typed_have_no_hidden_characters(name):
    assert not has_hidden_characters(name)


@pytest.mark.parametrize("character", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"])
def test_embeddings_overrides_and_isolates_turn_text_around(character):
    assert has_direction_overrides(f"Trả 500.000 ₫{character} cho anh An")


@pytest.mark.parametrize(
    "text",
    [
        "Trả 500.000 ₫ cho anh An",
        "Gia đình 👨‍👩‍👧‍👦 ổn định",  # the zero-width joiners of an emoji
        "\u200fمرحبا بالعالم\u200f",  # marks, no override
        "a\u200bb\ufeff",
    ],
)
def test_other_text_does_not_turn_around(text):
    assert not has_direction_overrides(text)


def test_without_hidden_characters_is_the_text_as_it_reads():
    assert without_hidden_characters("Võ Thị\u200b Xóa\ufeff\u202e") == "Võ Thị Xóa"
    decomposed = unicodedata.normalize("NFD", "Võ Thị Xóa")
    assert without_hidden_characters(decomposed) == decomposed


def test_search_text_leaves_out_control_and_format_characters():
    assert searchable("Ng\x00uyễn\u200b Văn\tAn") == "nguyen van an"

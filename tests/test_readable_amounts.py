"""Amounts as a thank-you letter reads them ("khoảng 30,7 triệu đồng"): formatting.readable_amount."""

import pytest

from tracker.formatting import readable_amount


@pytest.mark.parametrize(
    "amount, words",
    [
        (30_700_000, "30,7 triệu đồng"),  # exact: no "khoảng"
        (30_740_000, "khoảng 30,7 triệu đồng"),
        (30_750_000, "khoảng 30,8 triệu đồng"),  # a half rounds up
        (50_000_000, "50 triệu đồng"),  # no ",0"
        (20_500_000, "20,5 triệu đồng"),
        (1_000_000, "1 triệu đồng"),
        (650_000, "650 nghìn đồng"),
        (650_400, "khoảng 650 nghìn đồng"),  # thousands keep no decimals
        (950_000, "950 nghìn đồng"),  # the unit is the largest the amount reaches
        (999_600, "khoảng 1 triệu đồng"),  # 1.000 nghìn is read as 1 triệu
        (999_960_000, "khoảng 1 tỷ đồng"),
        (1_234_000_000, "khoảng 1,2 tỷ đồng"),
        (1_500_000_000_000, "1.500 tỷ đồng"),  # the thousands grouped as money is
        (500, "500 đồng"),
        (0, "0 đồng"),
        (-2_500_000, "-2,5 triệu đồng"),
    ],
)
def test_vietnamese(amount, words):
    assert readable_amount(amount) == words
    assert readable_amount(amount, "vi") == words


@pytest.mark.parametrize(
    "amount, words",
    [
        (30_740_000, "about 30.7 million dong"),
        (50_000_000, "50 million dong"),
        (650_400, "about 650 thousand dong"),
        (1_500_000_000_000, "1,500 billion dong"),
    ],
)
def test_english(amount, words):
    assert readable_amount(amount, "en") == words

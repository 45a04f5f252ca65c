"""The money rules as plain functions (no Flask, no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.formatting import amount_in_words
from tracker.money import ledger


@pytest.mark.parametrize(
    "text, amount",
    [
        ("50.000.000", 50_000_000),
        ("50000000", 50_000_000),
        ("50 000 000", 50_000_000),
        ("50\u00a0000\u00a0000", 50_000_000),
        (" 1.000 ", 1_000),
        ("500.000 ₫", 500_000),
        ("1", 1),
        ("1.000.000.000.000", 10**12),
    ],
)
def test_amounts_accepted(text, amount):
    assert ledger.parse_amount(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "0",
        "000",
        "-5",
        "-5.000",
        "1,5",
        "1.5",
        "12.34",
        "1.0000",
        "5.000,00",
        "1e6",
        "1.000.000.000.001",
        "9" * 30,
        "5 triệu",
        "50.000.000đồng",
        "+5000",
        "1_000",
        "١٢٣",
    ],
)
def test_amounts_refused(text):
    with pytest.raises(ledger.AmountError):
        ledger.parse_amount(text)


@given(st.integers(min_value=1, max_value=10**12))
def test_any_formatted_amount_parses_back(amount):
    dotted = f"{amount:,}".replace(",", ".")
    spaced = f"{amount:,}".replace(",", " ")
    assert (
        ledger.parse_amount(dotted)
        == ledger.parse_amount(spaced)
        == ledger.parse_amount(str(amount))
        == amount
    )


def test_schedule_example():
    schedule = ledger.build_schedule(20_000_000, 12, 2, dt.date(2026, 1, 31))
    assert [s.amount_due for s in schedule] == [1_667_000] * 11 + [1_663_000]
    assert schedule[0].due_on == dt.date(2026, 4, 30)  # grace 2 months, first due the month after; clamped
    assert schedule[-1].due_on == dt.date(2027, 3, 31)


@given(
    principal=st.integers(min_value=1_000, max_value=10**12),
    term=st.integers(min_value=1, max_value=120),
    grace=st.integers(min_value=0, max_value=24),
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_every_schedule_sums_to_the_principal(principal, term, grace, start):
    if principal < term * 1_000:
        return
    schedule = ledger.build_schedule(principal, term, grace, start)
    assert sum(s.amount_due for s in schedule) == principal
    assert len(schedule) == term
    assert all(s.amount_due > 0 for s in schedule)
    assert all(s.amount_due % 1_000 == 0 for s in schedule[:-1])
    assert [s.due_on for s in schedule] == sorted(s.due_on for s in schedule)


def test_repayments_settle_the_oldest_installment_first():
    assert ledger.settle([100, 100, 100], 150) == [100, 50, 0]
    assert ledger.settle([100, 100], 0) == [0, 0]
    assert ledger.settle([100, 100], 200) == [100, 100]


def test_arrears_and_days_overdue():
    schedule = [(dt.date(2026, 1, 10), 100), (dt.date(2026, 2, 10), 100), (dt.date(2026, 3, 10), 100)]
    assert ledger.arrears(schedule, 0, dt.date(2026, 1, 10)) == ledger.Arrears(0, 0)  # due today: not late
    assert ledger.arrears(schedule, 0, dt.date(2026, 1, 11)) == ledger.Arrears(100, 1)
    assert ledger.arrears(schedule, 150, dt.date(2026, 3, 1)) == ledger.Arrears(50, 19)
    assert ledger.arrears(schedule, 300, dt.date(2027, 1, 1)) == ledger.Arrears(0, 0)


@pytest.mark.parametrize(
    "days, bucket",
    [
        (0, None),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (90, "61-90"),
        (91, "91-180"),
        (360, "181-360"),
        (361, "360+"),
    ],
)
def test_aging_buckets(days, bucket):
    assert ledger.aging_bucket(days) == bucket


def test_allocation_takes_earmarked_then_oldest():
    sources = [ledger.Source(1, 10, False), ledger.Source(2, 10, True), ledger.Source(3, 10, False)]
    assert ledger.allocate(15, sources) == [(2, 10), (1, 5)]
    assert ledger.allocate(30, sources) == [(2, 10), (1, 10), (3, 10)]


def test_allocation_puts_rounding_shortfall_on_the_last_source():
    assert ledger.allocate(21, [ledger.Source(1, 10, False), ledger.Source(2, 10, False)]) == [
        (1, 10),
        (2, 11),
    ]


def test_returned_shares_are_pro_rata():
    assert ledger.returned_shares([30, 10], 40, 20) == [15, 5]
    assert ledger.returned_shares([30, 10], 40, 40) == [30, 10]
    assert ledger.returned_shares([30, 10], 40, 0) == [0, 0]
    assert ledger.returned_shares([30, 10], 40, 55) == [30, 10]  # never more than was lent
    # 3.000.000 back on 14.500.000 lent from three donations: floored one by one, 2 đồng short
    assert ledger.returned_shares([1_000_000, 1_500_000, 12_000_000], 14_500_000, 3_000_000) == [
        206_896,
        310_345,
        2_482_759,
    ]


@given(
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=10**10),
)
def test_returned_shares_add_up_and_stay_within_a_dong_of_their_share(fundings, repaid):
    principal = sum(fundings)
    shares = ledger.returned_shares(fundings, principal, repaid)
    back = min(repaid, principal)
    assert sum(shares) == back
    for funded, share in zip(fundings, shares, strict=True):
        exact = funded * back / principal
        assert 0 <= share <= funded
        assert exact - 1 < share < exact + 1


@pytest.mark.parametrize(
    "days, group",
    [(0, 1), (9, 1), (10, 2), (90, 2), (91, 3), (180, 3), (181, 4), (360, 4), (361, 5), (5000, 5)],
)
def test_debt_groups_cut_where_the_state_bank_cuts(days, group):
    assert ledger.debt_group(days) == group


def test_each_aging_bucket_names_the_debt_groups_it_spans():
    spans = {label: ledger.debt_groups_of_bucket(low, high) for label, low, high in ledger.AGING_BUCKETS}
    assert spans == {
        "1-30": (1, 2),
        "31-60": (2,),
        "61-90": (2,),
        "91-180": (3,),
        "181-360": (4,),
        "360+": (5,),
    }


def test_par30():
    assert ledger.par30([(100, 31), (300, 30)]) == 0.25
    assert ledger.par30([]) is None


@pytest.mark.parametrize(
    "amount, words",
    [
        (50_000_000, "Năm mươi triệu đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (115_000, "Một trăm mười lăm nghìn đồng"),
        (24_000, "Hai mươi tư nghìn đồng"),
        (52_350_000, "Năm mươi hai triệu ba trăm năm mươi nghìn đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words

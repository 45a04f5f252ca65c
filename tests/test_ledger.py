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
    assert [s.amount_due for s in schedule] == [2_000_000] * 10
    # month 3 is 30/04, Reunification Day, and 01/05 is Labour Day: collected on Saturday 02/05
    assert schedule[0].due_on == dt.date(2026, 5, 2)
    assert schedule[1].due_on == dt.date(2026, 6, 1)  # 31/05 is a Sunday
    # month 12 is Sunday 31/01/2027: collected on Monday
    assert schedule[-1].due_on == dt.date(2027, 2, 1)


def test_the_term_includes_the_grace():
    """12 months with 1 month of grace: 11 installments, the first in month 2, the last in month 12."""
    schedule = ledger.build_schedule(11_000_000, 12, 1, dt.date(2026, 3, 10))
    assert len(schedule) == 11
    assert schedule[0].due_on == dt.date(2026, 5, 11)  # 10/05/2026 is a Sunday
    assert schedule[-1].due_on == dt.date(2027, 3, 10)
    assert {s.amount_due for s in schedule} == {1_000_000}


def test_a_term_no_longer_than_the_grace_is_refused():
    with pytest.raises(ValueError):
        ledger.build_schedule(10_000_000, 3, 3, dt.date(2026, 1, 1))


def test_installments_fall_on_the_collection_day_and_off_tet():
    schedule = ledger.build_schedule(6_000_000, 6, 0, dt.date(2026, 10, 20), collection_day=6)
    assert [s.due_on for s in schedule] == [
        dt.date(2026, 11, 6),
        dt.date(2026, 12, 7),  # 06/12/2026 is a Sunday
        dt.date(2027, 1, 6),
        dt.date(2027, 2, 11),  # 06/02/2027 is Mùng 1 Tết; the holiday runs to 10/02
        dt.date(2027, 3, 6),
        dt.date(2027, 4, 6),
    ]


@pytest.mark.parametrize(
    "day, working",
    [
        (dt.date(2027, 2, 6), dt.date(2027, 2, 11)),  # Mùng 1 Tết Đinh Mùi
        (dt.date(2026, 8, 31), dt.date(2026, 9, 3)),  # a day off given for National Day, then 01-02/09
        (dt.date(2027, 4, 16), dt.date(2027, 4, 17)),  # Giỗ Tổ Hùng Vương, a lunar date
        (dt.date(2026, 12, 8), dt.date(2026, 12, 8)),  # an ordinary Tuesday
    ],
)
def test_working_day(day, working):
    assert ledger.working_day(day) == working


@given(
    principal=st.integers(min_value=1_000, max_value=10**12),
    term=st.integers(min_value=1, max_value=120),
    grace=st.integers(min_value=0, max_value=24),
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
    collection_day=st.one_of(st.none(), st.integers(min_value=1, max_value=28)),
)
def test_every_schedule_sums_to_the_principal(principal, term, grace, start, collection_day):
    if term <= grace or principal < (term - grace) * 1_000:
        return
    schedule = ledger.build_schedule(principal, term, grace, start, collection_day)
    assert sum(s.amount_due for s in schedule) == principal
    assert len(schedule) == term - grace
    assert all(s.amount_due > 0 for s in schedule)
    assert all(s.amount_due % 1_000 == 0 for s in schedule[:-1])
    assert [s.due_on for s in schedule] == sorted(s.due_on for s in schedule)
    assert all(s.due_on.weekday() != 6 for s in schedule)
    assert not any(s.due_on in ledger.public_holidays(s.due_on.year) for s in schedule)


SCHEDULE = [(dt.date(2026, m, 15), 1_000_000) for m in range(1, 7)]  # 6 × 1.000.000 from 15/01/2026


def test_a_reschedule_keeps_what_is_paid_and_spreads_the_rest():
    rows = ledger.rescheduled(SCHEDULE, 2_500_000, 4, dt.date(2026, 8, 20))
    assert rows == [
        (dt.date(2026, 1, 15), 1_000_000),
        (dt.date(2026, 2, 15), 1_000_000),
        (dt.date(2026, 3, 15), 500_000),  # the paid half of March
        (dt.date(2026, 8, 20), 875_000),
        (dt.date(2026, 9, 21), 875_000),  # 20/09/2026 is a Sunday
        (dt.date(2026, 10, 20), 875_000),
        (dt.date(2026, 11, 20), 875_000),
    ]
    # the repaid total still settles it oldest first: nothing of the new version is late yet
    states = ledger.installment_states(rows, 2_500_000, dt.date(2026, 8, 1))
    assert not any(state.late_days for state in states)


def test_a_reschedule_of_a_repaid_schedule_is_refused():
    with pytest.raises(ValueError):
        ledger.rescheduled(SCHEDULE, 6_000_000, 3, dt.date(2026, 8, 20))


def test_a_pause_moves_what_falls_due_in_it_after_it():
    rows = ledger.paused(SCHEDULE, 1_500_000, dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    assert rows == [
        (dt.date(2026, 1, 15), 1_000_000),
        (dt.date(2026, 2, 15), 500_000),  # paid half of February
        (dt.date(2026, 2, 15), 500_000),  # the unpaid half fell due before the pause: still due
        (dt.date(2026, 6, 15), 1_000_000),  # March ... June laid again from the first 15th after it
        (dt.date(2026, 7, 15), 1_000_000),
        (dt.date(2026, 8, 15), 1_000_000),
        (dt.date(2026, 9, 15), 1_000_000),
    ]
    # nothing grows in arrears during the pause beyond what was late before it
    arrears = ledger.arrears(rows, 1_500_000, dt.date(2026, 5, 30))
    assert arrears.overdue_amount == 500_000


def test_a_pause_uses_the_funds_collection_day():
    rows = ledger.paused(SCHEDULE, 0, dt.date(2026, 4, 1), dt.date(2026, 4, 30), collection_day=6)
    assert [day for day, _ in rows[3:]] == [dt.date(2026, 5, 6), dt.date(2026, 6, 6), dt.date(2026, 7, 6)]


@given(
    repaid=st.integers(min_value=0, max_value=5_999_000),
    installments=st.integers(min_value=1, max_value=24),
    pause_days=st.integers(min_value=0, max_value=400),
)
def test_new_versions_keep_the_balance(repaid, installments, pause_days):
    """A new version never changes what is owed: it sums to the old one."""
    total = sum(amount for _, amount in SCHEDULE)
    if total - repaid >= installments * 1_000:
        rows = ledger.rescheduled(SCHEDULE, repaid, installments, dt.date(2026, 9, 1))
        assert sum(amount for _, amount in rows) == total
        assert [d for d, _ in rows] == sorted(d for d, _ in rows)
    start = dt.date(2026, 3, 1)
    rows = ledger.paused(SCHEDULE, repaid, start, start + dt.timedelta(days=pause_days))
    assert sum(amount for _, amount in rows) == total
    end = start + dt.timedelta(days=pause_days)
    paid = ledger.settle([amount for _, amount in rows], repaid)
    assert all(
        covered == amount for (d, amount), covered in zip(rows, paid, strict=True) if start <= d <= end
    )


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

"""A phiếu thu or phiếu chi as the accounting regime for administrative and non-business units draws
it: form C40-BB (phiếu thu) and C41-BB (phiếu chi). Circular 107/2017/TT-BTC made them; Circular
24/2024/TT-BTC replaced it from 1 January 2025 and keeps both codes. What one document says, as
plain values; documents/voucher.html lays it out as two copies (liên) on one A4 sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker import provinces
from tracker.models import Fund
from tracker.papers import team_of

FORM_CODES = {"receipt": "C40-BB", "payment": "C41-BB"}
CIRCULAR = "Thông tư số 24/2024/TT-BTC ngày 17/4/2024 của Bộ Tài chính"
# The money account of the form's Nợ (a receipt) or Có (a payment) line: 111 Tiền mặt and 112 Tiền
# gửi ngân hàng are the same in every Vietnamese chart of accounts. The other side depends on the
# unit's own chart, so it is left for the accountant to write.
MONEY_ACCOUNTS = {"cash": "111", "bank": "112"}
# Each copy says who keeps it.
COPIES = {
    "receipt": ("Liên 1: Lưu tại nơi lập phiếu", "Liên 2: Giao cho người nộp tiền"),
    "payment": ("Liên 1: Lưu tại nơi lập phiếu", "Liên 2: Thủ quỹ ghi sổ quỹ"),
}


@dataclass(frozen=True)
class Voucher:
    series: str  # "receipt" (phiếu thu) or "payment" (phiếu chi)
    number: str  # PT-2026-0001 / PC-2026-0001
    day: dt.date
    party: str  # who paid or was paid, as printed (an anonymous donor unnamed)
    address: str
    reason: str
    amount: int
    method: str  # cash or bank (transfer): how it was paid
    void: bool = False
    signer: str = ""  # the name under "Người nộp tiền" / "Người nhận tiền" (none for an anonymous donor)
    made_by: str = ""  # the name under "Người lập phiếu": who recorded it
    paper_book: str = ""  # the paper phiếu thu it was first written on, if any
    paper_no: str = ""
    account: str = ""  # the money account it posted to (cash or bank); by default as the method
    other_account: str = ""  # the other side when the app knows it (a transfer: the other money account)

    @property
    def form_code(self) -> str:
        return FORM_CODES[self.series]

    @property
    def circular(self) -> str:
        return CIRCULAR

    @property
    def copies(self) -> tuple[str, str]:
        return COPIES[self.series]

    @property
    def money_account(self) -> str:
        return MONEY_ACCOUNTS.get(self.account or self.method, "")

    @property
    def debit(self) -> str:
        if self.series == "receipt":
            return self.money_account
        return MONEY_ACCOUNTS.get(self.other_account, "")

    @property
    def credit(self) -> str:
        if self.series == "payment":
            return self.money_account
        return MONEY_ACCOUNTS.get(self.other_account, "")


def unit_of(fund: Fund) -> tuple[str, str]:
    """The form's "Đơn vị" and its address: the team that manages the fund, in its commune."""
    return team_of(fund), ", ".join(filter(None, (fund.commune, provinces.full_name(fund.province))))


def date_line(day: dt.date) -> str:
    """'Ngày 05 tháng 02 năm 2026', as the form dates itself."""
    return f"Ngày {day:%d} tháng {day:%m} năm {day:%Y}"

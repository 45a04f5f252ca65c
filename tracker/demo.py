"""The Hồng Sơn demo fund: a team of 15 and four logins (password hongson-demo).

Later parts of the story (money, people, visits) are added by the functions listed in STORY.
"""

import datetime as dt

import click
from sqlalchemy import select

from tracker import accounts, audit
from tracker.extensions import db
from tracker.models import CommitteeMember, Fund

DEMO_FUND_NAME = "Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng xã Hồng Sơn"
DEMO_COMMUNE = "xã Hồng Sơn"
DEMO_PROVINCE = "Lâm Đồng"
DEMO_PASSWORD = "hongson-demo"

# (full name, position, organisation, phone, login)
TEAM = [
    (
        "Nguyễn Văn Hùng",
        "Chủ tịch UBMTTQ xã, Tổ trưởng",
        "Ủy ban MTTQ Việt Nam xã",
        "0912345601",
        "chair",
    ),
    ("Trần Thị Lan", "Kế toán, Thủ quỹ", "Ủy ban MTTQ Việt Nam xã", "0912345602", "treasurer"),
    ("Lê Minh Tuấn", "Phó Trưởng Công an xã, Tổ phó", "Công an xã", "0912345603", None),
    (
        "Phạm Văn Bình",
        "Chủ tịch Hội Cựu chiến binh xã",
        "Hội Cựu chiến binh",
        "0912345604",
        "member",
    ),
    ("Hoàng Thị Mai", "Chủ tịch Hội Liên hiệp Phụ nữ xã", "Hội Phụ nữ", "0912345605", None),
    ("Đỗ Văn Thắng", "Chủ tịch Hội Nông dân xã", "Hội Nông dân", "0912345606", None),
    ("Vũ Thị Hương", "Bí thư Đoàn Thanh niên xã", "Đoàn Thanh niên", "0912345607", None),
    ("Bùi Văn Long", "Trưởng thôn Đông", "Thôn Đông", "0912345608", None),
    ("Đặng Thị Thu", "Trưởng thôn Tây", "Thôn Tây", "0912345609", None),
    ("Ngô Văn Sơn", "Trưởng thôn Trung", "Thôn Trung", "0912345610", None),
    ("Dương Văn Phúc", "Trưởng thôn Nam", "Thôn Nam", "0912345611", None),
    ("Lý Thị Hoa", "Công chức Tư pháp - Hộ tịch", "UBND xã", "0912345612", None),
    ("Trịnh Văn Khải", "Công an viên thôn Đông", "Công an xã", "0912345613", None),
    (
        "Mai Văn Đức",
        "Doanh nhân, hội viên Hội Doanh nghiệp",
        "Hội Doanh nghiệp xã",
        "0912345614",
        None,
    ),
    ("Cao Thị Ngọc", "Chi hội trưởng Phụ nữ thôn Nam", "Hội Phụ nữ", "0912345615", None),
]

VIEWER = ("viewer", "Võ Văn Thành")
FOUNDED_ON = dt.date(2024, 3, 15)

# Functions (fund) -> None that later issues add to tell their part of the story.
STORY: list = []


def load_demo() -> Fund:
    """Create the demo fund; refuse if a fund of that name already exists. The caller commits."""
    exists = db.session.scalar(select(Fund.id).where(Fund.name == DEMO_FUND_NAME))
    if exists is not None:
        raise click.ClickException(f"Đã có quỹ “{DEMO_FUND_NAME}” (id {exists}); không nạp lại.")
    fund = accounts.create_fund(DEMO_FUND_NAME, DEMO_COMMUNE, DEMO_PROVINCE)
    fund.founded_on = FOUNDED_ON
    fund.founding_decision = "Quyết định số 12/QĐ-MTTQ ngày 15/03/2024"
    for index, (name, position, organisation, phone, login) in enumerate(TEAM):
        member = CommitteeMember(
            fund_id=fund.id,
            position=position,
            organisation=organisation,
            phone=phone,
            joined_on=FOUNDED_ON + dt.timedelta(days=index // 5),
        )
        member.set_name(name)
        if login:
            user = accounts.create_user(login, DEMO_PASSWORD, fund.id, login, name)
            member.user_id = user.id
        db.session.add(member)
    accounts.create_user(VIEWER[0], DEMO_PASSWORD, fund.id, "viewer", VIEWER[1])
    for tell in STORY:
        tell(fund)
    audit.record("fund.demo", fund, fund_id=fund.id)
    db.session.flush()
    return fund

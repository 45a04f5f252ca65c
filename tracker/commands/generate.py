"""Realistic data at scale: `flask --app app generate --funds N --seed S`.

N funds spread over the 34 provinces and cities of Vietnam as they are since 1 July 2025 (in
proportion to their communes and wards), each with its team, donors and donations, people helped,
loans with their schedules, repayments (most on time, some late, some in deep arrears, a few written
off), the odd reversal, period closes, mentor assignments and visits since 2022, in the proportions
of DESIGN §7: per fund on average ~60 people, ~30 loans, ~450 repayments and ~300 visits.

How it writes: every row is planned in Python as a plain dict whose primary key is already assigned
(counting up from the largest id of each table), so rows link to each other without round trips.
Each table's rows then go to the database in one executemany per batch of funds (on PostgreSQL
psycopg pipelines it), with a commit per batch; nothing goes through the ORM unit of work. On
PostgreSQL the id sequences are moved past the generated ids at the end.

The money follows the journal's rules (tracker/money/journal.py) exactly: one balanced transaction per
event, the event on every line, reversals mirrored and linked, a disbursement only from cash at hand
(a benefactor tops the fund up when it falls short, as communes do), repayments never above what is
owed, phiếu thu / phiếu chi numbers per fund, series and year without gaps with the counters to
match, and funding allocated with ledger.allocate over the same available amounts as
balances.donation_available.

Deterministic: a fund's content depends only on (seed, its index, as_of); commune names come from a
separate stream (re-rolled when a name is taken), so generating twice with the same seed gives the
same people and money twice, whatever the database already holds. Run it on a database nobody else
writes to meanwhile: ids start from max(id). Logins (q<fund id>.chair, .treasurer, .member, .viewer)
are made for the first fund of each province only, all with one password hashed once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from tracker import provinces
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CommitteeMember,
    DocumentCounter,
    Donation,
    Donor,
    Fund,
    Funding,
    Installment,
    JournalLine,
    JournalTransaction,
    Loan,
    Membership,
    MentorAssignment,
    PeriodClose,
    Person,
    PersonStatusChange,
    Repayment,
    ReviewNote,
    User,
    Visit,
)
from tracker.money import ledger
from tracker.text import searchable, vietnamese_sort_key

DEFAULT_PASSWORD = "du-lieu-mau-2025"
FIRST_DAY = dt.date(2022, 1, 1)  # the earliest founding date
LAST_FOUNDING = dt.date(2025, 3, 31)
DAY = dt.timedelta(days=1)

# DESIGN §7, country scale ÷ 3,321 funds.
PEOPLE_PER_FUND = 200_000 / 3_321
LOANS_PER_FUND = 100_000 / 3_321
VISITS_PER_FUND = 1_000_000 / 3_321

# The 34 province-level units since 1 July 2025 (6 cities, 28 provinces) with their number of
# communes, wards and special zones (3,321 in all), and the kind of place (for hamlet names, crops
# and names): city, north (delta and coast), mountain (northern uplands), centre, highlands, south.
PROVINCES: list[tuple[str, int, str]] = [
    ("Hà Nội", 126, "city"),
    ("Huế", 40, "city"),
    ("Hải Phòng", 114, "city"),
    ("Đà Nẵng", 94, "city"),
    ("Cần Thơ", 103, "south"),
    ("Thành phố Hồ Chí Minh", 168, "south"),
    ("Tuyên Quang", 124, "mountain"),
    ("Lào Cai", 99, "mountain"),
    ("Thái Nguyên", 92, "mountain"),
    ("Phú Thọ", 148, "north"),
    ("Bắc Ninh", 99, "north"),
    ("Hưng Yên", 104, "north"),
    ("Ninh Bình", 129, "north"),
    ("Quảng Trị", 78, "centre"),
    ("Quảng Ngãi", 96, "centre"),
    ("Gia Lai", 135, "highlands"),
    ("Khánh Hòa", 65, "centre"),
    ("Lâm Đồng", 124, "highlands"),
    ("Đắk Lắk", 102, "highlands"),
    ("Đồng Nai", 95, "south"),
    ("Tây Ninh", 96, "south"),
    ("Vĩnh Long", 124, "south"),
    ("Đồng Tháp", 102, "south"),
    ("Cà Mau", 64, "south"),
    ("An Giang", 102, "south"),
    ("Lai Châu", 38, "mountain"),
    ("Điện Biên", 45, "mountain"),
    ("Sơn La", 75, "mountain"),
    ("Lạng Sơn", 65, "mountain"),
    ("Cao Bằng", 56, "mountain"),
    ("Quảng Ninh", 54, "north"),
    ("Thanh Hóa", 166, "north"),
    ("Nghệ An", 130, "centre"),
    ("Hà Tĩnh", 69, "centre"),
]
CITIES = provinces.CITIES
assert [name for name, _, _ in PROVINCES] == list(provinces.PROVINCES)
assert sum(n for _, n, _ in PROVINCES) == 3_321

# ------------------------------------------------------------------------------------ names

# Family names with their weight (‰ of the population, roughly).
FAMILY_NAMES = [
    (name, int(weight))
    for name, weight in (
        item.split(":")
        for item in (
            "Nguyễn:310 Trần:110 Lê:95 Phạm:70 Hoàng:40 Huỳnh:30 Phan:45 Vũ:30 Võ:25 Đặng:20 Bùi:20 Đỗ:15 "
            "Hồ:13 Ngô:13 Dương:10 Lý:5 Đinh:8 Trịnh:7 Mai:5 Cao:4 Lương:4 Đào:4 Hà:4 Đoàn:4 Tạ:3 Lâm:3 "
            "Phùng:3 Châu:3 Chu:2 Tô:2 Triệu:2 Kiều:2 Lại:2 Quách:2 Thái:2"
        ).split()
    )
]
FAMILY, FAMILY_WEIGHTS = zip(*FAMILY_NAMES, strict=True)
MALE_MIDDLE = ["Văn"] * 10 + ["Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Xuân", "Ngọc", "Đình", "Quốc"]
FEMALE_MIDDLE = ["Thị"] * 10 + ["Ngọc", "Thu", "Thanh", "Kim", "Bích", "Hồng", "Thúy", "Mỹ", "Phương"]
MALE_GIVEN = (
    "Hùng Dũng Nam Tuấn Minh Hải Long Sơn Thắng Phúc Đức Tùng Lực Bình Khánh Hòa Quý Sáng Thành Tài Phú "
    "Hiếu Trung Cường Mạnh Toàn Việt Hoàng Quân Kiên Huy Lâm Tâm Thịnh Vinh Hưng Định Lợi Tú Tín Nghĩa "
    "Phong Duy Hậu Lộc Tiến Khoa Đạt Thái Hào Vũ Trí Thanh An Chiến Công Giang Hiệp Luân Nhân Quang Tân "
    "Thuận Trọng Tường Bảo Cảnh Dương Học Khải Ninh Quyết Sỹ Tuyến Vượng"
).split()
FEMALE_GIVEN = (
    "Lan Hương Mai Thu Hoa Ngọc Thảo Hạnh Hằng Linh Trang Nhung Yến Dung Huyền Loan Phương Oanh Tuyết "
    "Xuân Hà Hiền Liên Nga Nhàn Quyên Thủy Vân Vy Châu Diệp Giang Hồng Lệ My Nhi Thơ Trinh Uyên"
).split()
# Northern uplands: Tày, Nùng, Thái and H'Mông names; Central Highlands: Ê Đê and Gia Rai names.
TAY_THAI_FAMILY = "Lò Lường Cầm Quàng Hà Vi Sầm Nông Ma Hoàng Lộc Bế Triệu".split()
HMONG_FAMILY = "Giàng Sùng Vàng Mùa Thào Lầu Hạng Lý Lù Má".split()
HMONG_MALE = "Páo Lử Chứ Sình Dế Chống Pó Của Dình Tủa Chư Súa".split()
HMONG_FEMALE = "Mỷ Dua Sú Ly Dợ Pàng".split()
EDE_FAMILY = "Niê Ksor Mlô Êban Byă Adrơng Kbuôr Hwing".split()
EDE_MALE = "Khoa Bhin Nguyên Ngông Thuông Kăo Phê Bun Tuin Jur".split()
EDE_FEMALE = "H'Hen H'Yim H'Linh H'Ngơn H'Ni H'Blin H'Rim".split()
JRAI_FAMILY = ["Ksor", "Rơ Châm", "Siu", "Rah Lan", "Kpă", "Nay", "Rơ Mah", "Puih"]
JRAI_GIVEN = "Kiên Tuyên Thuin Hyin Blông Đinh Nhứ".split()

COMMUNE_SYLLABLES = (
    "An Bình Hòa Phú Tân Thạnh Long Hưng Phước Thuận Lộc Hồng Sơn Thái Đông Tây Nam Bắc Trung Quang Minh "
    "Đức Xuân Hải Thanh Vĩnh Mỹ Kim Ngọc Đại Hiệp Thắng Lợi Thịnh Nghĩa Tiến Phong Cẩm Lạc Yên Gia Hoàng "
    "Châu Hà Lâm Tường Định Khánh Hậu Quý Mai Liên Tú Văn Trường Cát Đồng Hội Kỳ Lương"
).split()
MOUNTAIN_FIRST = "Nậm Pá Mường Na Phìn Sín Tả Chiềng Huổi Khau Pác Bản".split()
MOUNTAIN_SECOND = "Lư Khoang Nhé Mạ Chải Hồ Van Lếch Mòn Ngàm Bó Phăng Cang Luông".split()
HIGHLAND_COMMUNES = (
    "Ea Kar|Ea H'leo|Ea Súp|Ea Tóh|Ea Kly|Ea Drông|Ea Wy|Krông Búk|Krông Pắc|Krông Năng|Krông Bông|"
    "Krông Ana|Ia Grai|Ia Pa|Ia Ly|Ia Dom|Ia Rsai|Ia Hrung|Đắk Đoa|Đắk Pơ|Đam Rông|Lạc Dương"
).split("|")
HAMLET_WORDS = "Đông Tây Nam Bắc Trung Thượng Hạ Đoài Tân Phú Hòa An Lộc Mới Chợ Bến".split()


def person_name(rng: random.Random, gender: str, kind: str) -> str:
    ethnic = rng.random()
    if kind == "mountain" and ethnic < 0.3:
        if rng.random() < 0.5:
            family = rng.choice(HMONG_FAMILY)
            if gender == "female":
                return f"{family} Thị {rng.choice(HMONG_FEMALE)}"
            return f"{family} A {rng.choice(HMONG_MALE)}"
        middle = "Thị" if gender == "female" else "Văn"
        given = rng.choice(FEMALE_GIVEN if gender == "female" else MALE_GIVEN)
        return f"{rng.choice(TAY_THAI_FAMILY)} {middle} {given}"
    if kind == "highlands" and ethnic < 0.25:
        if rng.random() < 0.5:
            if gender == "female":
                return f"{rng.choice(EDE_FEMALE)} {rng.choice(EDE_FAMILY)}"
            return f"Y {rng.choice(EDE_MALE)} {rng.choice(EDE_FAMILY)}"
        return f"{rng.choice(JRAI_FAMILY)} {rng.choice(JRAI_GIVEN)}"
    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    if gender == "female":
        return f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"
    return f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"


def commune_name(rng: random.Random, kind: str) -> str:
    if kind == "mountain" and rng.random() < 0.5:
        return f"{rng.choice(MOUNTAIN_FIRST)} {rng.choice(MOUNTAIN_SECOND)}"
    if kind == "highlands" and rng.random() < 0.4:
        return rng.choice(HIGHLAND_COMMUNES)
    first, second = rng.sample(COMMUNE_SYLLABLES, 2)
    return f"{first} {second}"


def hamlet_names(rng: random.Random, kind: str, ward: bool, count: int) -> list[str]:
    if ward:
        word = "Khu phố" if kind == "south" else "Tổ dân phố"
        return [f"{word} {n}" for n in range(1, count + 1)]
    word = {"south": "Ấp", "mountain": "Bản", "highlands": "Buôn"}.get(kind, "Thôn")
    if kind in ("mountain", "highlands") and rng.random() < 0.5:
        word = "Thôn"
    if rng.random() < 0.4:
        return [f"{word} {n}" for n in range(1, count + 1)]
    if word == "Bản":
        pool = [f"{a} {b}" for a in MOUNTAIN_FIRST for b in MOUNTAIN_SECOND]
    elif word == "Buôn":
        pool = [f"{a} {b}" for a in ("Ea", "Ko", "Tơng") for b in ("Kmar", "Sia", "Ju", "Tar", "Rông", "Wy")]
    else:
        pool = HAMLET_WORDS + [f"{a} {b}" for a in ("Tân", "Phú", "An") for b in ("Lập", "Thành", "Hưng")]
    return [f"{word} {name}" for name in rng.sample(pool, min(count, len(pool)))]


def phone(rng: random.Random) -> str:
    return f"{rng.choice(('03', '09', '08', '07', '05'))}{rng.randrange(10**8):08d}"


# ------------------------------------------------------------------------------------ texts

# (position, organisation); {u} is "xã" or "phường", {h} a hamlet.
CORE_POSITIONS = [
    ("Chủ tịch UBMTTQ {u}, Tổ trưởng", "Ủy ban MTTQ Việt Nam {u}"),
    ("Thủ quỹ", "Ủy ban MTTQ Việt Nam {u}"),  # the bookkeeper is someone else
    ("Phó Trưởng Công an {u}, Tổ phó", "Công an {u}"),
    ("Chủ tịch Hội Cựu chiến binh {u}", "Hội Cựu chiến binh"),
    ("Chủ tịch Hội Liên hiệp Phụ nữ {u}", "Hội Phụ nữ"),
    ("Chủ tịch Hội Nông dân {u}", "Hội Nông dân"),
    ("Bí thư Đoàn Thanh niên {u}", "Đoàn Thanh niên"),
    ("Công chức Tư pháp - Hộ tịch", "UBND {u}"),
]
HAMLET_POSITIONS = [
    ("Trưởng {h}", "{h}"),
    # "Công an viên" ended on 01/07/2024; the hamlet's security team took its place
    ("Tổ trưởng Tổ bảo vệ an ninh, trật tự {h}", "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở"),
    ("Chi hội trưởng Phụ nữ {h}", "Hội Phụ nữ"),
    ("Chi hội trưởng Cựu chiến binh {h}", "Hội Cựu chiến binh"),
    ("Bí thư Chi bộ {h}", "{h}"),
]
OTHER_POSITIONS = [
    ("Doanh nhân, hội viên Hội Doanh nghiệp", "Hội Doanh nghiệp {u}"),
    ("Người có uy tín trong cộng đồng", "Ủy ban MTTQ Việt Nam {u}"),
    ("Phó Chủ tịch UBMTTQ {u}", "Ủy ban MTTQ Việt Nam {u}"),
]
BUSINESS_FORMS = [
    "Công ty TNHH {n}",
    "Công ty TNHH Thương mại {n}",
    "Công ty Cổ phần {n}",
    "Doanh nghiệp tư nhân {n}",
    "Cửa hàng vật liệu xây dựng {n}",
    "Hợp tác xã Nông nghiệp {n}",
    "Cơ sở sản xuất {n}",
    "Nhà hàng {n}",
]
ORGANISATIONS = [
    "Chi hội Cựu chiến binh {h}",
    "Ban Công tác Mặt trận {h}",
    "Hội Doanh nghiệp {u} {c}",
    "Chi hội Phụ nữ {h}",
    "Hội Khuyến học {u} {c}",
    "Giáo xứ {c}",
    "Chùa {c}",
]
PURPOSES = {
    "common": [
        "Mua bò giống để chăn nuôi",
        "Nuôi lợn thịt",
        "Nuôi gà thả vườn",
        "Mở tiệm sửa xe máy",
        "Mở quán nước chè",
        "Mở tiệm cắt tóc",
        "Buôn bán tạp hóa",
        "Mua máy cày mini làm dịch vụ",
        "Trồng rau an toàn",
        "Mở xưởng mộc nhỏ",
        "Mua máy hàn, làm cơ khí",
        "Học nghề và mua dụng cụ điện lạnh",
        "Nuôi dê",
        "Bán hàng ăn sáng",
        "Mở tiệm rửa xe",
        "Làm nấm rơm",
    ],
    "south": ["Nuôi cá tra", "Nuôi tôm", "Nuôi vịt chạy đồng", "Mua ghe chở hàng", "Trồng dưa hấu"],
    "highlands": ["Trồng cà phê", "Trồng hồ tiêu", "Trồng sầu riêng", "Nuôi bò sinh sản"],
    "mountain": ["Nuôi trâu", "Trồng ngô", "Trồng chè", "Nuôi lợn đen bản địa", "Trồng quế"],
    "city": ["Mở tiệm sửa điện thoại", "Bán hàng qua mạng", "Chạy xe ôm công nghệ", "Mở xe bánh mì"],
    "north": ["Nuôi cá ao", "Làm đậu phụ", "Trồng hoa, cây cảnh"],
    "centre": ["Đóng ghe đánh cá ven bờ", "Nuôi cá lồng", "Làm nước mắm"],
}
FAMILY_CIRCUMSTANCES = [
    "Sống cùng mẹ già, vợ và hai con nhỏ.",
    "Độc thân, ở nhờ nhà anh trai.",
    "Vợ làm công nhân, hai con đang đi học.",
    "Bố mẹ đã mất, sống một mình.",
    "Ly hôn, nuôi một con nhỏ.",
    "Gia đình thuộc hộ cận nghèo.",
    "Sống cùng bố mẹ, gia đình làm nông.",
    "Vợ bị bệnh, thu nhập không ổn định.",
    "",
]
NEEDS = [
    "Cần vốn sản xuất",
    "Cần việc làm ổn định",
    "Học nghề sửa xe",
    "Hỗ trợ làm lại giấy tờ tùy thân",
    "Tư vấn tâm lý, hòa nhập cộng đồng",
    "Giới thiệu việc làm tại khu công nghiệp",
    "",
]
# (kind, summary, livelihood, concerns)
VISIT_NOTES = [
    ("home", "Gia đình ổn định, con đi học đều.", "Chăm sóc vật nuôi, phát triển tốt.", ""),
    ("phone", "Gọi điện hỏi thăm, sức khỏe tốt.", "Làm thuê thời vụ.", ""),
    ("workplace", "Đến nơi làm việc, chủ cơ sở nhận xét chăm chỉ.", "Thu nhập khoảng 6 triệu/tháng.", ""),
    ("home", "Trao đổi về kế hoạch làm ăn năm tới.", "Mở rộng sản xuất.", "Lo lắng về giá đầu vào."),
    ("meeting", "Dự họp thôn, tham gia đầy đủ.", "", ""),
    ("home", "Vợ báo có lúc uống rượu với bạn cũ.", "Buôn bán nhỏ.", "Cần nhắc nhở tránh tụ tập."),
    (
        "home",
        "Nhắc việc trả nợ đúng hạn, hứa trả vào tháng sau.",
        "Thu nhập giảm do mất mùa.",
        "Chậm trả nợ.",
    ),
    ("phone", "Không liên lạc được, nhắn qua người nhà.", "", "Cần đến tận nhà."),
    ("workplace", "Đã có việc làm ổn định tại xưởng.", "Công nhân may, lương ổn định.", ""),
    ("home", "Tham gia sinh hoạt chi hội, được bà con giúp đỡ.", "Trồng trọt, chăn nuôi.", ""),
]
VISIT_KIND_WEIGHTS = {"home": 55, "phone": 25, "workplace": 12, "meeting": 8}
CLOSE_REASONS = {
    "settled": ["Có việc làm ổn định, gia đình hòa thuận", "Làm ăn ổn định, đã trả hết nợ vay"],
    "moved": [
        "Chuyển vào miền Nam làm ăn",
        "Theo gia đình chuyển đi nơi khác",
        "Đi làm xa, tạm trú nơi khác",
    ],
    "paused": ["Đi làm ăn xa, tạm dừng giúp đỡ", "Điều trị bệnh dài ngày"],
    "deceased": ["Đã mất do bệnh", "Đã mất do tai nạn"],
}
WRITE_OFF_REASONS = {
    "moved": "Người vay đã chuyển đi, không liên lạc được",
    "paused": "Người vay không còn khả năng trả, Tổ đã họp xét",
    "deceased": "Người vay đã mất, gia đình không có khả năng trả",
    "supported": "Hoàn cảnh đặc biệt khó khăn, không còn khả năng trả nợ",
}
REJECTION_REASONS = [
    "Chưa có phương án sản xuất khả thi",
    "Quỹ chưa đủ vốn, hẹn xét lại kỳ sau",
    "Chưa thống nhất được người bảo lãnh trong gia đình",
]
REVIEW_TODOS = [
    "Đôn đốc thu hồi các khoản vay quá hạn",
    "Vận động thêm doanh nghiệp ủng hộ Quỹ",
    "Tăng cường thăm hỏi người mới chấp hành xong án phạt tù",
    "Phối hợp giới thiệu việc làm tại khu công nghiệp",
    "Rà soát, phân công lại thành viên phụ trách",
    "Tổ chức gặp mặt nhà hảo tâm cuối năm",
]


# ------------------------------------------------------------------------------------ helpers


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def at_time(day: dt.date, n: int) -> dt.datetime:
    """A naive-UTC timestamp during office hours in Vietnam (UTC+7) on `day`."""
    return dt.datetime.combine(day, dt.time(1 + n % 9, n * 7 % 60))


def round_down(amount: int, unit: int = 1_000) -> int:
    return amount // unit * unit


def stochastic_round(rng: random.Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


def apportion(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder apportionment of `total` seats by `weights`."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    seats = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - seats[i]), i))
    for i in by_remainder[: total - sum(seats)]:
        seats[i] += 1
    return seats


# Tables in an order that satisfies every foreign key (a reversal's row comes after its original:
# ids count up in posting order).
TABLES = [
    model.__table__
    for model in (
        Fund,
        User,
        Membership,
        CommitteeMember,
        Person,
        MentorAssignment,
        PersonStatusChange,
        Donor,
        JournalTransaction,
        Loan,
        JournalLine,
        Donation,
        Installment,
        Repayment,
        Funding,
        DocumentCounter,
        PeriodClose,
        ReviewNote,
        Visit,
        AuditEvent,
    )
]


class Ids:
    """Primary keys counted up from the largest id of each table at the start."""

    def __init__(self, start: dict[str, int] | None = None) -> None:
        """`start`: the first id of each table (default: after the largest in the database)."""
        self.next: dict[str, int] = {}
        for table in TABLES:
            if "id" in table.c:
                if start is not None:
                    self.next[table.name] = start.get(table.name, 1)
                else:
                    self.next[table.name] = int(db.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Totals:
    """What was generated: rows per table and the money, for the summary and the tests."""

    funds: int = 0
    rows: Counter = field(default_factory=Counter)
    money: Counter = field(default_factory=Counter)
    loans_by_status: Counter = field(default_factory=Counter)
    people_by_status: Counter = field(default_factory=Counter)
    aging: Counter = field(default_factory=Counter)  # bucket -> outstanding at as_of
    logins: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def row_count(self) -> int:
        return sum(self.rows.values())


# ------------------------------------------------------------------------------------ plans


class MemberPlan:
    __slots__ = ("id", "name", "position", "organisation", "joined_on", "left_on", "user_id", "weight")


class PersonPlan:
    __slots__ = (
        "id",
        "name",
        "gender",
        "opened",
        "status",
        "closed_on",
        "assignments",
        "borrower",
        "busy_until",
        "loans",
        "interval",
        "next_visit_on",
    )

    def __init__(self) -> None:
        self.status = "supported"
        self.closed_on: dt.date | None = None
        self.borrower = False
        self.busy_until: dt.date | None = None  # the last loan's end (None: still owing or none)
        self.loans: list[LoanPlan] = []
        self.next_visit_on: dt.date | None = None


class LoanPlan:
    __slots__ = (
        "id",
        "person",
        "principal",
        "term",
        "grace",
        "applied_on",
        "decided_on",
        "disbursed_on",
        "false_start",
        "profile",
        "payments",
        "written_off_on",
        "status",
        "repaid",
        "row",
        "schedule",
        "fundings",
    )


@dataclass
class DonationState:
    id: int
    amount: int
    earmark_loan: int | None
    to_be_reversed: bool  # entered twice by mistake: never lent out, reversed within two days


class FundBuilder:
    """Plans one fund's rows into `out` (table name -> list of dicts)."""

    def __init__(
        self,
        *,
        seed: int,
        index: int,
        ids: Ids,
        out: dict[str, list[dict]],
        totals: Totals,
        as_of: dt.date,
        province: str,
        kind: str,
        commune: str,
        ward: bool,
        password_hash: str | None,
    ) -> None:
        self.rng = random.Random(seed * 1_000_003 + index)
        self.ids = ids
        self.out = out
        self.totals = totals
        self.as_of = as_of
        self.province = province
        self.kind = kind
        self.unit = "phường" if ward else "xã"
        self.place = commune
        self.commune = f"{self.unit} {commune}"
        self.ward = ward
        self.password_hash = password_hash
        self.fund_id = ids.take("fund")
        self.chair_user: int | None = None
        self.treasurer_user: int | None = None
        # For what only some funds draw (the viewer's name), so it never shifts the fund's own stream.
        self.side_rng = random.Random(seed * 1_000_003 + index + 13)

    # -------------------------------------------------------------- output

    def emit(self, table: str, row: dict) -> None:
        self.out[table].append(row)
        self.totals.rows[table] += 1

    # -------------------------------------------------------------- the whole fund

    def build(self) -> None:
        rng = self.rng
        span = (LAST_FOUNDING - FIRST_DAY).days
        self.founded = FIRST_DAY + dt.timedelta(days=int(span * rng.random() ** 1.3))
        if self.founded > self.as_of - dt.timedelta(days=120):
            self.founded = self.as_of - dt.timedelta(days=120)
        # The size of the commune's caseload: varies a lot from fund to fund, mean 1.
        self.scale = min(3.0, max(0.25, rng.lognormvariate(-0.08, 0.4)))
        self.hamlets = hamlet_names(rng, self.kind, self.ward, rng.randint(5, 12))
        self.fund_row()
        self.team()
        self.logins()
        self.plan_loans_and_people()
        self.decide_statuses()
        self.money()
        self.casework()
        for loan in self.loans:
            self.loan_row(loan)
        self.reviews_and_closes()
        self.emit(
            "audit_event",
            {
                "id": self.ids.take("audit_event"),
                "fund_id": self.fund_id,
                "user_id": None,
                "at": at_time(self.as_of, 0),
                "action": "fund.generate",
                "object_type": "Fund",
                "object_id": self.fund_id,
                "before": "",
                "after": json.dumps({"generated": True}),
            },
        )
        self.totals.funds += 1

    def fund_row(self) -> None:
        decision = self.rng.randint(5, 120)
        self.emit(
            "fund",
            {
                "id": self.fund_id,
                "name": f"Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng {self.commune}",
                "commune": self.commune,
                "province": self.province,
                "founded_on": self.founded,
                "founding_decision": f"Quyết định số {decision}/QĐ-MTTQ ngày {self.founded:%d/%m/%Y}",
                "created_at": at_time(self.founded, self.fund_id),
            },
        )

    # -------------------------------------------------------------- team and logins

    def team(self) -> None:
        rng = self.rng
        size = rng.randint(11, 19)
        slots = [(p, o) for p, o in CORE_POSITIONS]
        if self.ward:
            slots[5] = OTHER_POSITIONS[2]  # a ward has no Farmers' Association chair on the team
        extra = [(p, o, h) for h in self.hamlets for p, o in HAMLET_POSITIONS]
        rng.shuffle(extra)
        chosen = [(p, o, "") for p, o in slots] + extra[: max(0, size - len(slots) - 1)]
        chosen.append((*rng.choice(OTHER_POSITIONS[:2]), ""))
        self.members: list[MemberPlan] = []
        for position, organisation, hamlet in chosen:
            self.add_member(position, organisation, hamlet, self.founded)  # named in the founding decision
        # Some members leave over the years and are replaced (never the chair, the treasurer or
        # the member who has the login).
        if (self.as_of - self.founded).days > 730:
            leavers = rng.sample(range(4, len(self.members)), rng.choice((0, 0, 1, 1, 2)))
            for index in leavers:
                member = self.members[index]
                member.left_on = day_between(
                    rng, self.founded + dt.timedelta(days=365), self.as_of - dt.timedelta(days=30)
                )
                joined = min(self.as_of, member.left_on + dt.timedelta(rng.randint(0, 30)))
                self.add_member(member.position, member.organisation, "", joined, verbatim=True)
        self.members[3].weight = 3.0  # the member with a login has the largest caseload
        self.members[0].weight = 0.5
        self.members[1].weight = 0.0  # the treasurer keeps the books, mentors nobody

    def add_member(self, position, organisation, hamlet, joined_on, verbatim=False) -> None:
        rng = self.rng
        member = MemberPlan()
        member.id = self.ids.take("committee_member")
        gender = "female" if "Phụ nữ" in position or rng.random() < 0.25 else "male"
        member.name = person_name(rng, gender, self.kind)
        if verbatim:
            member.position, member.organisation = position, organisation
        else:
            member.position = position.format(u=self.unit, h=hamlet)
            member.organisation = organisation.format(u=self.unit, h=hamlet)
        member.joined_on = joined_on
        member.left_on = None
        member.user_id = None
        member.weight = 1.0
        self.members.append(member)

    def logins(self) -> None:
        """Logins for this fund (the first of each province): chair, treasurer, member (linked to the
        team), viewer. One precomputed password hash for all."""
        if self.password_hash is not None:
            team = {"chair": self.members[0], "treasurer": self.members[1], "member": self.members[3]}
            for role in ("chair", "treasurer", "member", "viewer"):
                user_id = self.ids.take("user")
                username = f"q{self.fund_id}.{role}"
                member = team.get(role)
                full_name = member.name if member else person_name(self.side_rng, "male", self.kind)
                created = at_time(self.founded, user_id)
                self.emit(
                    "user",
                    {
                        "id": user_id,
                        "username": username,
                        "full_name": full_name,
                        "password_hash": self.password_hash,
                        "active": True,
                        "locale": None,
                        "created_at": created,
                    },
                )
                self.emit(
                    "membership",
                    {
                        "id": self.ids.take("membership"),
                        "user_id": user_id,
                        "fund_id": self.fund_id,
                        "role": role,
                        "active": True,
                        "created_at": created,
                    },
                )
                if member:
                    member.user_id = user_id
                self.totals.logins.append(username)
            self.chair_user = self.members[0].user_id
            self.treasurer_user = self.members[1].user_id
        for member in self.members:
            self.emit(
                "committee_member",
                {
                    "id": member.id,
                    "fund_id": self.fund_id,
                    "full_name": member.name,
                    "sort_key": vietnamese_sort_key(member.name),
                    "position": member.position,
                    "organisation": member.organisation,
                    "phone": phone(self.rng),
                    "joined_on": member.joined_on,
                    "left_on": member.left_on,
                    "user_id": member.user_id,
                    "created_at": at_time(member.joined_on, member.id),
                },
            )

    # -------------------------------------------------------------- people and loans

    def new_person(self, opened: dt.date) -> PersonPlan:
        rng = self.rng
        person = PersonPlan()
        roll = rng.random()
        person.gender = "female" if roll < 0.11 else "other" if roll < 0.115 else "male"
        person.name = person_name(rng, "female" if person.gender == "female" else "male", self.kind)
        person.opened = opened
        person.interval = rng.choices((30, 60, 90), (40, 30, 30))[0]
        self.people.append(person)
        return person

    def plan_loans_and_people(self) -> None:
        rng = self.rng
        self.people: list[PersonPlan] = []
        n_people = max(6, round(PEOPLE_PER_FUND * self.scale * rng.uniform(0.85, 1.15)))
        n_loans = max(2, round(LOANS_PER_FUND * self.scale * rng.uniform(0.85, 1.15)))
        n_undisbursed = stochastic_round(rng, n_loans * 0.08)
        first = self.founded + dt.timedelta(days=45)
        last = self.as_of - dt.timedelta(days=3)
        span = max(1, (last - first).days)
        # Funds lend their first capital out quickly, so loans lean to the fund's early years.
        dates = sorted(first + dt.timedelta(days=int(span * rng.random() ** 1.25)) for _ in range(n_loans))
        self.loans: list[LoanPlan] = []
        for disbursed_on in dates[: n_loans - n_undisbursed] if n_undisbursed else dates:
            self.plan_disbursed_loan(disbursed_on)
        for _ in range(n_undisbursed):
            self.plan_undisbursed_loan()
        # People supported without a loan.
        while len(self.people) < n_people:
            self.new_person(day_between(rng, self.founded, self.as_of - dt.timedelta(days=3)))
        # Ids in the order the files were opened.
        self.people.sort(key=lambda p: p.opened)
        for person in self.people:
            person.id = self.ids.take("person")
        self.loans.sort(key=lambda loan: (loan.applied_on, loan.disbursed_on or self.as_of))
        for loan in self.loans:
            loan.id = self.ids.take("loan")

    def loan_terms(self, loan: LoanPlan) -> None:
        rng = self.rng
        loan.principal = rng.choice((5, 6, 7, 8, 10, 10, 12, 15, 15, 15, 20, 20, 25, 30)) * 1_000_000
        loan.term = rng.choices((12, 18, 24, 30, 36), (20, 25, 30, 10, 15))[0]
        loan.grace = rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]

    def plan_disbursed_loan(self, disbursed_on: dt.date) -> None:
        rng = self.rng
        loan = LoanPlan()
        self.loan_terms(loan)
        loan.applied_on = max(self.founded + DAY, disbursed_on - dt.timedelta(days=rng.randint(12, 45)))
        loan.decided_on = min(disbursed_on, loan.applied_on + dt.timedelta(days=rng.randint(2, 10)))
        loan.false_start = None
        if rng.random() < 0.004 and disbursed_on < self.as_of - dt.timedelta(days=10):
            # Entered with the wrong date, reversed, and disbursed again a few days later.
            reversed_on = disbursed_on + dt.timedelta(days=rng.randint(1, 3))
            loan.false_start = (disbursed_on, reversed_on)
            disbursed_on = reversed_on + dt.timedelta(days=rng.randint(1, 4))
        loan.disbursed_on = disbursed_on
        age = (self.as_of - disbursed_on).days
        if age < 240:
            loan.profile = rng.choices(("on_time", "late"), (82, 18))[0]
        else:
            loan.profile = rng.choices(("on_time", "late", "deep", "write_off"), (71, 18, 6, 5))[0]
        loan.schedule = ledger.build_schedule(loan.principal, loan.term, loan.grace, disbursed_on)
        loan.payments, loan.written_off_on = self.plan_payments(loan)
        paid = sum(amount for _, amount, _ in loan.payments)
        # The borrower: sometimes someone whose earlier loan is repaid comes back for a second one.
        person = None
        if rng.random() < 0.15:
            returning = [
                p
                for p in self.people
                if p.borrower and p.busy_until and p.busy_until < loan.applied_on - dt.timedelta(days=14)
            ]
            person = rng.choice(returning) if returning else None
        if person is None:
            opened = day_between(
                rng, max(self.founded, loan.applied_on - dt.timedelta(days=540)), loan.applied_on - DAY * 5
            )
            person = self.new_person(max(self.founded, min(opened, loan.applied_on)))
        person.borrower = True
        loan.person = person
        person.loans.append(loan)
        if paid == loan.principal:
            person.busy_until = loan.payments[-1][0]
        else:
            person.busy_until = None
        self.loans.append(loan)

    def plan_undisbursed_loan(self) -> None:
        """An application still waiting, approved but not yet paid out, or rejected."""
        rng = self.rng
        loan = LoanPlan()
        self.loan_terms(loan)
        loan.status = rng.choices(("requested", "approved", "rejected"), (25, 20, 55))[0]
        if loan.status == "rejected":
            loan.applied_on = day_between(rng, self.founded + DAY, self.as_of - dt.timedelta(days=20))
        else:
            loan.applied_on = day_between(rng, self.as_of - dt.timedelta(days=40), self.as_of - DAY)
        loan.applied_on = max(loan.applied_on, self.founded + DAY)
        loan.decided_on = None
        if loan.status != "requested":
            loan.decided_on = min(self.as_of, loan.applied_on + dt.timedelta(days=rng.randint(2, 10)))
        loan.disbursed_on = None
        loan.false_start = None
        loan.payments = []
        loan.written_off_on = None
        person = self.new_person(
            day_between(rng, max(self.founded, loan.applied_on - dt.timedelta(400)), loan.applied_on)
        )
        loan.person = person
        person.loans.append(loan)
        self.loans.append(loan)

    def plan_payments(self, loan: LoanPlan) -> tuple[list[tuple[dt.date, int, int | None]], dt.date | None]:
        """The borrower's receipts: (paid_on, amount, a wrong amount entered first and reversed or None),
        and the write-off date if it comes to that. Never more than what is owed at the time."""
        rng = self.rng
        as_of = self.as_of
        payments: list[tuple[dt.date, int, int | None]] = []
        state = {"outstanding": loan.principal, "last": loan.disbursed_on + DAY}

        def pay(day: dt.date, amount: int) -> bool:
            day = max(day, state["last"])
            amount = min(amount, state["outstanding"])
            if day > as_of or amount <= 0:
                return False
            wrong = None
            if rng.random() < 0.004:
                wrong = next(
                    (
                        c
                        for c in (amount * 10, round_down(amount // 10), amount - 100_000, amount + 100_000)
                        if 1_000 <= c <= state["outstanding"] and c != amount
                    ),
                    None,
                )
            payments.append((day, amount, wrong))
            state["outstanding"] -= amount
            state["last"] = day
            return True

        schedule = loan.schedule
        due_by_now = sum(1 for item in schedule if item.due_on <= as_of)
        profile = loan.profile
        if profile in ("deep", "write_off") and due_by_now < 5:
            profile = "late"
        stop = len(schedule)
        if profile in ("deep", "write_off"):
            stop = rng.randint(0, due_by_now - 4)
        carry = 0
        lag = rng.randint(0, 15)
        for number, item in enumerate(schedule[:stop]):
            if item.due_on - dt.timedelta(days=6) > as_of:
                break
            owed = item.amount_due + carry
            carry = 0
            roll = rng.random()
            if profile == "on_time":
                if roll < 0.02 and number > 1:  # pays the rest off early
                    pay(item.due_on - dt.timedelta(days=rng.randint(0, 10)), state["outstanding"])
                    break
                if roll < 0.27:  # two instalments of half
                    half = round_down(owed // 2)
                    pay(item.due_on - dt.timedelta(days=rng.randint(0, 8)), half)
                    pay(item.due_on + dt.timedelta(days=rng.randint(2, 12)), owed - half)
                elif roll < 0.30 and number + 1 < stop:  # skips a month, pays both next time
                    carry = owed
                else:
                    pay(
                        item.due_on + dt.timedelta(days=rng.choice((-5, -3, -2, -1, 0, 0, 1, 2, 4, 7, 12))),
                        owed,
                    )
            else:
                lag = max(0, min(75, lag + rng.randint(-15, 18)))
                day = item.due_on + dt.timedelta(days=lag)
                if day > as_of:
                    break
                if roll < 0.3:  # pays part of it, the rest later
                    part = round_down(int(owed * rng.uniform(0.3, 0.7)))
                    pay(day, part)
                    if roll < 0.15:
                        pay(day + dt.timedelta(days=rng.randint(7, 20)), owed - part)
                    else:
                        carry = owed - part
                else:
                    pay(day, owed)
        written_off_on = None
        if profile == "deep":
            for _ in range(rng.randint(0, 3)):  # a little now and then, nothing for months since
                day = state["last"] + dt.timedelta(days=rng.randint(30, 120))
                if day < as_of - dt.timedelta(days=100):
                    pay(day, rng.choice((500_000, 1_000_000, 2_000_000)))
        elif profile == "write_off" and state["outstanding"] > 0:
            stopped = max(state["last"], schedule[min(stop, len(schedule) - 1)].due_on)
            candidate = stopped + dt.timedelta(days=rng.randint(180, 420))
            if candidate < as_of:
                written_off_on = candidate
        return payments, written_off_on

    # -------------------------------------------------------------- money: the journal in date order

    def money(self) -> None:
        rng = self.rng
        self.donors: list[tuple[int, str]] = []  # (id, kind)
        for _ in range(rng.randint(6, 14)):
            self.new_donor()
        # Same-day order: money in before money out; a loan's write-off after its last receipt.
        P_DONATION, P_REPAYMENT, P_DISBURSEMENT, P_DISBURSEMENT_REVERSAL, P_WRITE_OFF = range(5)
        events: list[tuple] = []
        seq = itertools.count()
        for day, donor, amount in self.plan_donations():
            events.append((day, P_DONATION, next(seq), "donation", (donor, amount, None, False)))
            if rng.random() < 0.01:  # entered twice by mistake, reversed within two days
                events.append((day, P_DONATION, next(seq), "donation", (donor, amount, None, True)))
        for loan in self.loans:
            if loan.disbursed_on is None:
                continue
            if loan.false_start:
                started, reversed_on = loan.false_start
                events.append((started, P_DISBURSEMENT, next(seq), "disbursement", loan))
                events.append(
                    (reversed_on, P_DISBURSEMENT_REVERSAL, next(seq), "disbursement_reversal", loan)
                )
            events.append((loan.disbursed_on, P_DISBURSEMENT, next(seq), "disbursement", loan))
            for day, amount, wrong in loan.payments:
                if wrong:
                    events.append((day, P_REPAYMENT, next(seq), "wrong_repayment", (loan, wrong)))
                events.append((day, P_REPAYMENT, next(seq), "repayment", (loan, amount)))
            if loan.written_off_on:
                events.append((loan.written_off_on, P_WRITE_OFF, next(seq), "write_off", loan))
        events.sort(key=lambda event: event[:3])

        self.cash = 0
        self.legs: dict[int, list[tuple[str, int, int | None]]] = {}
        self.counters: dict[tuple[str, int], int] = defaultdict(int)
        self.donations: list[DonationState] = []
        self.live_fundings: list[tuple[int, LoanPlan, int]] = []  # (donation id, loan, amount)
        self.to_reverse: list[tuple[dt.date, int, dict]] = []
        for loan in self.loans:
            loan.repaid = 0
            loan.fundings = []
            if loan.disbursed_on is not None:
                loan.status = "approved"
            loan.row = None
        for day, _priority, _seq, kind, payload in events:
            # Duplicate donations are reversed before anything later is posted.
            while self.to_reverse and self.to_reverse[0][0] <= day:
                self.reverse_donation(*self.to_reverse.pop(0))
            if kind == "donation":
                donor, amount, earmark, duplicate = payload
                row = self.post_donation(day, donor, amount, earmark, duplicate)
                if duplicate:
                    back_on = min(self.as_of, day + dt.timedelta(days=rng.randint(0, 2)))
                    self.to_reverse.append((back_on, row["transaction_id"], row))
                    self.to_reverse.sort(key=lambda item: item[0])
            elif kind == "disbursement":
                self.disburse(day, payload)
            elif kind == "disbursement_reversal":
                self.reverse_disbursement(day, payload)
            elif kind == "wrong_repayment":  # a typo in the amount, reversed at once and entered again
                loan, amount = payload
                row = self.repay(day, loan, amount)
                row["reversal_id"] = self.reverse(
                    day, row["transaction_id"], "repayment", row["receipt_no"], "Ghi sai số tiền, nhập lại"
                )
                loan.repaid -= amount
                loan.status = "active"
            elif kind == "repayment":
                self.repay(day, *payload)
            elif kind == "write_off":
                self.write_off(day, payload)
        for item in self.to_reverse:
            self.reverse_donation(*item)
        for (series, year), last in sorted(self.counters.items()):
            self.emit(
                "document_counter", {"fund_id": self.fund_id, "series": series, "year": year, "last": last}
            )
        money = self.totals.money
        money["cash"] += self.cash
        for loan in self.loans:
            self.totals.loans_by_status[loan.status] += 1
            if loan.status in ("active", "repaid", "written_off"):
                unpaid = loan.principal - loan.repaid
                outstanding = 0 if loan.status == "written_off" else unpaid
                money["disbursed"] += loan.principal
                money["repaid"] += loan.repaid
                money["outstanding"] += outstanding
                if loan.status == "written_off":
                    money["written_off"] += unpaid
                if outstanding > 0:
                    arrears = ledger.arrears(
                        [(item.due_on, item.amount_due) for item in loan.schedule], loan.repaid, self.as_of
                    )
                    bucket = ledger.aging_bucket(arrears.days_overdue) or "current"
                    self.totals.aging[bucket] += outstanding

    def new_donor(self, kind: str | None = None, day: dt.date | None = None) -> tuple[int, str]:
        rng = self.rng
        kind = kind or rng.choices(("business", "individual", "organisation"), (40, 45, 15))[0]
        anonymous = False
        if kind == "business":
            name = rng.choice(BUSINESS_FORMS).format(n=commune_name(rng, "north"))
        elif kind == "organisation":
            name = rng.choice(ORGANISATIONS).format(u=self.unit, h=rng.choice(self.hamlets), c=self.place)
        elif rng.random() < 0.08:
            name, anonymous = "Nhà hảo tâm", True
        else:
            name = person_name(rng, "female" if rng.random() < 0.35 else "male", self.kind)
        donor_id = self.ids.take("donor")
        self.emit(
            "donor",
            {
                "id": donor_id,
                "fund_id": self.fund_id,
                "name": name,
                "sort_key": vietnamese_sort_key(name, given_name_first=kind == "individual"),
                "kind": kind,
                "phone": "" if anonymous else phone(rng),
                "address": "" if anonymous else f"{rng.choice(self.hamlets)}, {self.commune}",
                "anonymous": anonymous,
                "created_at": at_time(day or self.founded, donor_id),
            },
        )
        self.donors.append((donor_id, kind))
        return donor_id, kind

    def donation_amount(self, kind: str) -> int:
        rng = self.rng
        if kind == "business":
            return rng.randint(5, 30) * 1_000_000
        if kind == "organisation":
            return rng.randint(2, 20) * 500_000
        return rng.randint(1, 10) * 500_000

    def plan_donations(self) -> list[tuple[dt.date, tuple[int, str], int]]:
        """The founding campaign, then the Tết and Great Unity Day (18 November) drives every year and
        the odd gift in between. Top-ups when a loan needs more cash come on the day (see disburse)."""
        rng = self.rng
        days = [
            day_between(rng, self.founded, self.founded + dt.timedelta(days=60))
            for _ in range(rng.randint(5, 10))
        ]
        for year in range(self.founded.year, self.as_of.year + 1):
            days += [
                day_between(rng, dt.date(year, 1, 10), dt.date(year, 2, 20)) for _ in range(rng.randint(1, 4))
            ]
            days += [
                day_between(rng, dt.date(year, 11, 1), dt.date(year, 11, 20))
                for _ in range(rng.randint(1, 4))
            ]
            days += [
                day_between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31)) for _ in range(rng.randint(0, 3))
            ]
        planned = []
        for day in sorted(d for d in days if self.founded <= d <= self.as_of):
            # A new benefactor, or one who gave before (or who pledged at the founding).
            donor = rng.choice(self.donors) if rng.random() < 0.55 else self.new_donor(day=day)
            planned.append((day, donor, self.donation_amount(donor[1])))
        return planned

    def next_number(self, series: str, day: dt.date) -> str:
        self.counters[(series, day.year)] += 1
        return f"{series}-{day.year}-{self.counters[(series, day.year)]:04d}"

    def post(
        self,
        day: dt.date,
        event: str,
        legs: list[tuple[str, int, int | None]],
        *,
        document_no: str = "",
        description: str = "",
        reverses: int | None = None,
        reason: str = "",
    ) -> int:
        assert sum(amount for _, amount, _ in legs) == 0, legs
        transaction_id = self.ids.take("journal_transaction")
        if reverses is None and event != "write_off":
            self.legs[transaction_id] = legs
        self.emit(
            "journal_transaction",
            {
                "id": transaction_id,
                "fund_id": self.fund_id,
                "event": event,
                "posted_on": day,
                "document_no": document_no,
                "description": description,
                "reverses_id": reverses,
                "reason": reason,
                "created_by_id": self.treasurer_user if event != "write_off" else self.chair_user,
                "created_at": at_time(day, transaction_id),
            },
        )
        for account, amount, loan_id in legs:
            self.emit(
                "journal_line",
                {
                    "id": self.ids.take("journal_line"),
                    "transaction_id": transaction_id,
                    "fund_id": self.fund_id,
                    "account": account,
                    "event": event,
                    "posted_on": day,
                    "amount": amount,
                    "loan_id": loan_id,
                },
            )
            if account == "cash":
                self.cash += amount
                assert self.cash >= 0, (self.fund_id, day, self.cash)
        return transaction_id

    def reverse(self, day: dt.date, original: int, event: str, document_no: str, reason: str) -> int:
        """Mirror entries of a posted transaction, linked to it (journal.reverse)."""
        legs = [(account, -amount, loan_id) for account, amount, loan_id in self.legs.pop(original)]
        return self.post(
            day,
            event,
            legs,
            document_no=document_no,
            description=f"reversal of {document_no or event}",
            reverses=original,
            reason=reason,
        )

    def post_donation(self, day, donor, amount, earmark_loan, duplicate) -> dict:
        rng = self.rng
        receipt = self.next_number("PT", day)
        transaction_id = self.post(
            day,
            "donation",
            [("cash", amount, None), ("capital", -amount, None)],
            document_no=receipt,
            description="donation",
        )
        donor_id, kind = donor
        donation_id = self.ids.take("donation")
        note = ""
        if earmark_loan:
            note = "Ủng hộ cho khoản vay sản xuất"
        elif day.month in (1, 2) and rng.random() < 0.3:
            note = f"Ủng hộ nhân dịp Tết Nguyên đán {day.year}"
        elif day.month == 11 and rng.random() < 0.3:
            note = "Ủng hộ nhân Ngày hội Đại đoàn kết toàn dân tộc"
        row = {
            "id": donation_id,
            "fund_id": self.fund_id,
            "donor_id": donor_id,
            "amount": amount,
            "received_on": day,
            "method": "bank"
            if (kind == "business" and rng.random() < 0.7) or rng.random() < 0.15
            else "cash",
            "receipt_no": receipt,
            "note": note,
            "earmark_person_id": None,
            "earmark_loan_id": earmark_loan,
            "transaction_id": transaction_id,
            "reversal_id": None,
            "created_at": at_time(day, donation_id),
        }
        self.emit("donation", row)
        self.donations.append(DonationState(donation_id, amount, earmark_loan, duplicate))
        self.totals.money["donated"] += amount
        return row

    def reverse_donation(self, day: dt.date, transaction_id: int, row: dict) -> None:
        row["reversal_id"] = self.reverse(
            day, transaction_id, "donation", row["receipt_no"], "Ghi trùng phiếu thu"
        )
        self.donations = [d for d in self.donations if d.id != row["id"]]
        self.totals.money["donated"] -= row["amount"]

    def available(self) -> dict[int, int]:
        """balances.donation_available, on the plans (duplicates waiting to be reversed excluded)."""
        available = {d.id: d.amount for d in self.donations if not d.to_be_reversed}
        by_loan: dict[int, list[tuple[int, int]]] = {}  # in the order the fundings were made
        loans: dict[int, LoanPlan] = {}
        for donation_id, loan, funded in self.live_fundings:
            by_loan.setdefault(id(loan), []).append((donation_id, funded))
            loans[id(loan)] = loan
        for key, fundings in by_loan.items():
            loan = loans[key]
            shares = ledger.returned_shares([funded for _d, funded in fundings], loan.principal, loan.repaid)
            for (donation_id, funded), back in zip(fundings, shares, strict=True):
                if donation_id in available:
                    available[donation_id] -= funded - back
        return available

    def disburse(self, day: dt.date, loan: LoanPlan) -> None:
        available = self.available()
        short = loan.principal - sum(available.values())
        if short > 0:  # a benefactor tops the fund up for this loan
            rng = self.rng
            donor = self.new_donor(rng.choice(("business", "business", "organisation", "individual")), day)
            amount = -(-short // 1_000_000) * 1_000_000 + rng.randint(0, 10) * 1_000_000
            earmark = loan.id if rng.random() < 0.3 else None
            self.post_donation(day, donor, amount, earmark, False)
            available = self.available()
        voucher = self.next_number("PC", day)
        transaction_id = self.post(
            day,
            "disbursement",
            [("receivable", loan.principal, loan.id), ("cash", -loan.principal, loan.id)],
            document_no=voucher,
            description=f"loan {loan.id}",
        )
        earmarked = {d.id for d in self.donations if d.earmark_loan == loan.id}
        sources = [ledger.Source(i, amount, i in earmarked) for i, amount in available.items()]
        fundings = []
        for donation_id, amount in ledger.allocate(loan.principal, sources):
            row = {
                "id": self.ids.take("funding"),
                "fund_id": self.fund_id,
                "loan_id": loan.id,
                "donation_id": donation_id,
                "amount": amount,
                "void": False,
            }
            self.emit("funding", row)
            fundings.append(row)
            self.live_fundings.append((donation_id, loan, amount))
        installments = []
        for item in ledger.build_schedule(loan.principal, loan.term, loan.grace, day):
            row = {
                "id": self.ids.take("installment"),
                "fund_id": self.fund_id,
                "loan_id": loan.id,
                "number": item.number,
                "due_on": item.due_on,
                "amount_due": item.amount_due,
                "superseded": False,
                "version": 1,
                "valid_from": None,
                "valid_until": None,
            }
            self.emit("installment", row)
            installments.append(row)
        loan.fundings = fundings
        loan.row = {"voucher_no": voucher, "disbursement_id": transaction_id, "installments": installments}
        loan.status = "active"

    def reverse_disbursement(self, day: dt.date, loan: LoanPlan) -> None:
        self.reverse(
            day,
            loan.row["disbursement_id"],
            "disbursement",
            loan.row["voucher_no"],
            "Ghi sai ngày giải ngân, lập lại phiếu chi",
        )
        for row in loan.row["installments"]:
            row["superseded"] = True
        for row in loan.fundings:
            row["void"] = True
        self.live_fundings = [f for f in self.live_fundings if f[1] is not loan]
        loan.row = None
        loan.status = "approved"

    def repay(self, day: dt.date, loan: LoanPlan, amount: int) -> dict:
        outstanding = loan.principal - loan.repaid
        assert loan.status == "active" and 0 < amount <= outstanding, (loan.id, amount, outstanding)
        receipt = self.next_number("PT", day)
        transaction_id = self.post(
            day,
            "repayment",
            [("cash", amount, loan.id), ("receivable", -amount, loan.id)],
            document_no=receipt,
            description=f"loan {loan.id}",
        )
        repayment_id = self.ids.take("repayment")
        row = {
            "id": repayment_id,
            "fund_id": self.fund_id,
            "loan_id": loan.id,
            "amount": amount,
            "paid_on": day,
            "method": "bank" if self.rng.random() < 0.12 else "cash",
            "receipt_no": receipt,
            "transaction_id": transaction_id,
            "reversal_id": None,
            "created_at": at_time(day, repayment_id),
        }
        self.emit("repayment", row)
        loan.repaid += amount
        if loan.repaid == loan.principal:
            loan.status = "repaid"
        return row

    def write_off(self, day: dt.date, loan: LoanPlan) -> None:
        outstanding = loan.principal - loan.repaid
        assert loan.status == "active" and outstanding > 0
        self.post(
            day,
            "write_off",
            [("written_off", outstanding, loan.id), ("receivable", -outstanding, loan.id)],
            description=f"loan {loan.id}",
            reason=WRITE_OFF_REASONS.get(loan.person.status, WRITE_OFF_REASONS["supported"]),
        )
        loan.status = "written_off"

    def loan_row(self, loan: LoanPlan) -> None:
        rng = self.rng
        disbursed = loan.row is not None
        person = loan.person
        write_off_reason = ""
        if loan.status == "written_off":
            write_off_reason = WRITE_OFF_REASONS.get(person.status, WRITE_OFF_REASONS["supported"])
        decided = loan.decided_on
        self.emit(
            "loan",
            {
                "id": loan.id,
                "fund_id": self.fund_id,
                "person_id": person.id,
                "principal": loan.principal,
                "purpose": rng.choice(PURPOSES["common"] + PURPOSES[self.kind]),
                "applied_on": loan.applied_on,
                "term_months": loan.term,
                "grace_months": loan.grace,
                "status": loan.status,
                "entered_by_id": self.treasurer_user,
                "decided_by_id": self.chair_user if decided else None,
                "decided_on": decided,
                "minutes_ref": f"Biên bản họp Tổ ngày {decided:%d/%m/%Y}" if decided else "",
                "approved_amount": loan.principal if decided and loan.status != "rejected" else None,
                "rejection_reason": rng.choice(REJECTION_REASONS) if loan.status == "rejected" else "",
                "disbursed_on": loan.disbursed_on if disbursed else None,
                "disbursed_by_id": self.treasurer_user if disbursed else None,
                "voucher_no": loan.row["voucher_no"] if disbursed else "",
                "disbursement_id": loan.row["disbursement_id"] if disbursed else None,
                "written_off_on": loan.written_off_on if loan.status == "written_off" else None,
                "write_off_reason": write_off_reason,
                "created_at": at_time(loan.applied_on, loan.id),
            },
        )

    # -------------------------------------------------------------- casework

    def decide_statuses(self) -> None:
        """Where each case stands today, consistent with the person's loans."""
        rng = self.rng
        as_of = self.as_of
        for person in self.people:
            disbursed = [loan for loan in person.loans if loan.disbursed_on is not None]
            pending = any(
                loan.status in ("requested", "approved") for loan in person.loans if not loan.disbursed_on
            )
            written_off = [loan for loan in disbursed if loan.written_off_on]
            owing = [
                loan
                for loan in disbursed
                if not loan.written_off_on and sum(a for _, a, _ in loan.payments) < loan.principal
            ]
            status, closed_on = "supported", None
            if pending or owing:
                pass
            elif written_off:
                loan = written_off[-1]
                status = rng.choices(("moved", "paused", "deceased", "supported"), (35, 30, 10, 25))[0]
                if status != "supported":
                    after = loan.payments[-1][0] if loan.payments else loan.disbursed_on
                    closed_on = day_between(rng, after + DAY, loan.written_off_on - DAY)
            elif disbursed:
                paid_off = max(loan.payments[-1][0] for loan in disbursed)
                if paid_off <= as_of - dt.timedelta(days=60) and rng.random() < 0.6:
                    status = "settled"
                    closed_on = min(as_of - DAY, paid_off + dt.timedelta(days=rng.randint(30, 180)))
            else:
                age = (as_of - person.opened).days
                applied = max((loan.applied_on for loan in person.loans), default=person.opened)
                if age > 300 and rng.random() < 0.55:
                    status = rng.choices(("settled", "moved", "paused", "deceased"), (75, 13, 9, 3))[0]
                    closed_on = person.opened + dt.timedelta(days=rng.randint(180, min(age, 900)))
                    closed_on = max(closed_on, applied + dt.timedelta(days=30))
                    if closed_on >= as_of:
                        status, closed_on = "supported", None
            person.status, person.closed_on = status, closed_on
            self.totals.people_by_status[status] += 1

    def active_members(self, day: dt.date, exclude: int | None = None) -> list[MemberPlan]:
        return [
            m
            for m in self.members
            if m.weight > 0
            and m.joined_on <= day
            and (m.left_on is None or m.left_on > day)
            and m.id != exclude
        ]

    def pick_mentor(self, day: dt.date, exclude: int | None = None) -> int | None:
        members = self.active_members(day, exclude) or self.active_members(day)
        if not members:
            return None
        return self.rng.choices(members, [m.weight for m in members])[0].id

    def mentor_chain(self, person: PersonPlan) -> list[list]:
        """[mentor id, assigned on, ended on] from the file's opening: a new mentor when one leaves the
        team (a closed case is left with nobody), and now and then a reassignment."""
        rng = self.rng
        left = {m.id: m.left_on for m in self.members}
        end = person.closed_on or self.as_of
        chain = [[self.pick_mentor(person.opened), person.opened, None, ""]]
        switch = None
        if rng.random() < 0.04 and (end - person.opened).days > 90:
            switch = day_between(rng, person.opened + dt.timedelta(days=60), end - DAY)
        while True:
            mentor, since = chain[-1][0], chain[-1][1]
            leave = left.get(mentor)
            candidates = [d for d in (leave, switch) if d and since < d <= self.as_of]
            if not candidates:
                break
            day = min(candidates)
            closed = person.closed_on is not None and person.closed_on <= day
            if day == switch:
                switch = None
                if closed:
                    continue
                new, note = self.pick_mentor(day, exclude=mentor), "Phân công lại theo địa bàn"
            else:
                new = None if closed else self.pick_mentor(day, exclude=mentor)
                note = "Thành viên phụ trách nghỉ tham gia Tổ"
            chain[-1][2] = day
            chain.append([new, day, None, note])
        return chain

    def casework(self) -> None:
        rng = self.rng
        as_of = self.as_of
        users = {m.id: m.user_id for m in self.members}
        chains = {}
        for person in self.people:
            chains[person.id] = chain = self.mentor_chain(person)
            for mentor, since, until, note in chain:
                assignment_id = self.ids.take("mentor_assignment")
                self.emit(
                    "mentor_assignment",
                    {
                        "id": assignment_id,
                        "fund_id": self.fund_id,
                        "person_id": person.id,
                        "mentor_id": mentor,
                        "assigned_on": since,
                        "ended_on": until,
                        "assigned_by_id": self.chair_user,
                        "note": note,
                        "created_at": at_time(since, assignment_id),
                    },
                )
        # Visits: ~300 a fund; a person's are spread over the time their case is open, the last one
        # placed so that about a fifth of the open cases are overdue today.
        windows = []
        for person in self.people:
            start = person.opened + dt.timedelta(days=rng.randint(3, 21))
            if person.closed_on:
                last = person.closed_on - dt.timedelta(days=int(person.interval * rng.uniform(0, 0.6)))
            else:
                last = as_of - dt.timedelta(days=int(person.interval * rng.uniform(0.05, 1.3)))
            natural = (last - start).days / person.interval + 1 if last >= start else 0.0
            windows.append((person, start, last, natural))
        target = VISITS_PER_FUND * self.scale * rng.uniform(0.85, 1.15)
        factor = min(1.5, target / max(1.0, sum(w[3] for w in windows)))
        planned = []
        for person, start, last, natural in windows:
            count = stochastic_round(rng, natural * factor) if natural else 0
            if natural and count == 0 and rng.random() < 0.5:
                count = 1
            days = []
            if count == 1:
                days = [last]
            elif count > 1:
                step = (last - start).days / (count - 1)
                jitter = int(min(3, step / 4))
                days = [
                    start + dt.timedelta(days=round(j * step) + rng.randint(-jitter, jitter))
                    for j in range(count - 1)
                ] + [last]
            chain = chains[person.id]
            for day in days:
                mentor = next((c[0] for c in reversed(chain) if c[1] <= day), chain[0][0])
                planned.append((day, person, mentor))
            if person.status == "supported":
                person.next_visit_on = (
                    days[-1] + dt.timedelta(days=person.interval)
                    if days
                    else person.opened + dt.timedelta(days=rng.randint(7, 30))
                )
        planned.sort(key=lambda v: (v[0], v[1].id))
        notes = VISIT_NOTES
        kinds = list(VISIT_KIND_WEIGHTS)
        kind_weights = list(VISIT_KIND_WEIGHTS.values())
        for day, person, mentor in planned:
            visit_id = self.ids.take("visit")
            kind = rng.choices(kinds, kind_weights)[0]
            _kind, summary, livelihood, concerns = rng.choice([n for n in notes if n[0] == kind] or notes)
            self.emit(
                "visit",
                {
                    "id": visit_id,
                    "fund_id": self.fund_id,
                    "person_id": person.id,
                    "mentor_id": mentor,
                    "visited_on": day,
                    "kind": kind,
                    "summary": summary,
                    "livelihood": livelihood,
                    "concerns": concerns,
                    "next_visit_on": day + dt.timedelta(days=person.interval),
                    "created_by_id": users.get(mentor) or self.chair_user,
                    "created_at": at_time(day, visit_id),
                },
            )
        for person in self.people:
            self.person_row(person, chains[person.id][-1][0])

    def person_row(self, person: PersonPlan, mentor: int | None) -> None:
        rng = self.rng
        telephone = phone(rng) if rng.random() < 0.85 else ""
        address = rng.choice(self.hamlets)
        released_on = person.opened - dt.timedelta(days=rng.randint(5, 300))
        self.emit(
            "person",
            {
                "id": person.id,
                "fund_id": self.fund_id,
                "full_name": person.name,
                "sort_key": vietnamese_sort_key(person.name),
                "birth_year": released_on.year - rng.randint(19, 55),
                "gender": person.gender,
                "phone": telephone,
                "address": address,
                "released_on": released_on,
                "certificate_type": "amnesty" if rng.random() < 0.12 else "sentence_completed",
                "family_circumstances": rng.choice(FAMILY_CIRCUMSTANCES),
                "needs": rng.choice(NEEDS),
                "consent_recorded_on": person.opened,
                "named_to_donors": rng.random() < (0.35 if person.borrower else 0.1),
                "status": person.status,
                "mentor_id": mentor,
                "visit_interval_days": person.interval,
                "next_visit_on": person.next_visit_on if person.status == "supported" else None,
                # as Person.refresh_search_text
                "search_text": searchable(" ".join(filter(None, (person.name, telephone, address))))[:500],
                "erased_at": None,
                "created_at": at_time(person.opened, person.id),
            },
        )
        if person.closed_on:
            change_id = self.ids.take("person_status_change")
            self.emit(
                "person_status_change",
                {
                    "id": change_id,
                    "fund_id": self.fund_id,
                    "person_id": person.id,
                    "from_status": "supported",
                    "to_status": person.status,
                    "changed_on": person.closed_on,
                    "reason": rng.choice(CLOSE_REASONS[person.status]),
                    "changed_by_id": self.chair_user,
                    "created_at": at_time(person.closed_on, change_id),
                },
            )

    def reviews_and_closes(self) -> None:
        """Half-year and year-end reviews (sơ kết, tổng kết): most funds close their books a few weeks
        after each period, some keep a to-do list."""
        rng = self.rng
        closes_books = rng.random() < 0.7
        for year in range(self.founded.year, self.as_of.year + 1):
            for end, label in ((dt.date(year, 6, 30), f"{year}-H1"), (dt.date(year, 12, 31), str(year))):
                if end < self.founded or end + dt.timedelta(days=40) > self.as_of:
                    continue
                done_on = end + dt.timedelta(days=rng.randint(10, 40))
                year_half = label.endswith("H1")
                if closes_books and rng.random() < 0.85:
                    close_id = self.ids.take("period_close")
                    self.emit(
                        "period_close",
                        {
                            "id": close_id,
                            "fund_id": self.fund_id,
                            "closed_through": end,
                            "closed_by_id": self.chair_user,
                            "closed_at": at_time(done_on, close_id),
                            "note": "Khóa sổ sau hội nghị " + ("sơ kết" if year_half else "tổng kết"),
                        },
                    )
                if rng.random() < 0.5:
                    note_id = self.ids.take("review_note")
                    self.emit(
                        "review_note",
                        {
                            "id": note_id,
                            "fund_id": self.fund_id,
                            "period": label,
                            "text": "\n".join(rng.sample(REVIEW_TODOS, rng.randint(2, 4))),
                            "updated_by_id": self.chair_user,
                            "updated_at": at_time(done_on, note_id),
                        },
                    )


# ------------------------------------------------------------------------------------ the run


def province_order(n_funds: int) -> list[tuple[str, str]]:
    """(province, kind) for each fund: seats in proportion to the communes, taken round-robin so
    that the first funds cover every province."""
    seats = apportion(n_funds, [n for _, n, _ in PROVINCES])
    order = []
    while len(order) < n_funds:
        for i, (name, _n, kind) in enumerate(PROVINCES):
            if seats[i]:
                seats[i] -= 1
                order.append((name, kind))
    return order


def flush(out: dict[str, list[dict]]) -> None:
    for table in TABLES:
        rows = out.get(table.name)
        if rows:
            db.session.execute(table.insert(), rows)
    db.session.commit()
    out.clear()


def move_sequences(ids: Ids, started_at: dict[str, int]) -> None:
    """PostgreSQL: the serial sequences past the ids written here, so the app's next row fits."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite's rowid follows max(id) by itself
    for name, next_id in ids.next.items():
        if next_id > started_at[name]:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                {"table": f'"{name}"', "value": next_id - 1},
            )
    db.session.commit()


def generate(
    n_funds: int,
    seed: int,
    *,
    as_of: dt.date | None = None,
    password: str | None = DEFAULT_PASSWORD,
    batch_rows: int = 50_000,
    echo: Callable[[str], None] = print,
) -> Totals:
    """Write `n_funds` funds; logins (password `password`, None for none) for the first fund of
    each province. Commits per batch of about `batch_rows` rows."""
    from tracker import accounts, clock

    as_of = as_of or clock.today()
    started = time.perf_counter()
    totals = Totals()
    ids = Ids()
    started_at = dict(ids.next)
    password_hash = accounts.hash_password(password) if password else None  # once: it is slow
    names = random.Random(seed)
    taken = {
        (commune, province) for commune, province in db.session.execute(select(Fund.commune, Fund.province))
    }
    with_logins: set[str] = set()
    out: dict[str, list[dict]] = defaultdict(list)
    last_report = started
    pending = 0
    for index, (province, kind) in enumerate(province_order(n_funds)):
        # Ward or commune from the fund's index alone, so a name collision (re-rolled below) never
        # changes what the fund holds.
        ward = random.Random(seed * 1_000_003 + index + 7).random() < (0.45 if province in CITIES else 0.17)
        unit = "phường" if ward else "xã"
        for attempt in itertools.count():
            commune = commune_name(names, kind) + (f" {attempt // 50 + 1}" if attempt >= 50 else "")
            if (f"{unit} {commune}", province) not in taken:
                break
        taken.add((f"{unit} {commune}", province))
        builder = FundBuilder(
            seed=seed,
            index=index,
            ids=ids,
            out=out,
            totals=totals,
            as_of=as_of,
            province=province,
            kind=kind,
            commune=commune,
            ward=ward,
            password_hash=password_hash if province not in with_logins else None,
        )
        builder.build()
        if password_hash:
            with_logins.add(province)
        pending = sum(len(rows) for rows in out.values())
        last = index == n_funds - 1
        if pending >= batch_rows or last:
            flush(out)
            now = time.perf_counter()
            if now - last_report >= 5 or last:
                last_report = now
                rows = totals.row_count
                echo(
                    f"{totals.funds:>6,}/{n_funds:,} funds  {rows:>12,} rows  "
                    f"{rows / (now - started):>9,.0f} rows/s  {now - started:7.1f} s"
                )
    move_sequences(ids, started_at)
    refresh_statistics()
    totals.seconds = time.perf_counter() - started
    return totals


def refresh_statistics() -> None:
    """After a bulk load, what autovacuum would do later: the planner's statistics and, on PostgreSQL,
    the visibility map that lets the covering indexes answer sums without reading the table."""
    statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(statement)


def describe(totals: Totals, password: str | None = DEFAULT_PASSWORD) -> list[str]:
    """The summary printed at the end of a run."""
    n = max(1, totals.funds)
    rows, money = totals.rows, totals.money
    lines = [
        f"{totals.funds:,} funds, {totals.row_count:,} rows in {totals.seconds:.1f} s "
        f"({totals.row_count / max(totals.seconds, 1e-9):,.0f} rows/s)",
        "per fund (DESIGN §7 country ÷ 3,321: people 60, loans 30, repayments 452, visits 301): "
        f"people {rows['person'] / n:.1f}, loans {rows['loan'] / n:.1f}, "
        f"repayments {rows['repayment'] / n:.1f}, visits {rows['visit'] / n:.1f}",
        "rows: " + ", ".join(f"{name} {count:,}" for name, count in sorted(rows.items())),
        "money (₫): " + ", ".join(f"{name} {money[name]:,}" for name in sorted(money)),
        "loans: "
        + ", ".join(f"{status} {count:,}" for status, count in sorted(totals.loans_by_status.items())),
        "people: "
        + ", ".join(f"{status} {count:,}" for status, count in sorted(totals.people_by_status.items())),
    ]
    outstanding = sum(totals.aging.values())
    if outstanding:
        at_risk = sum(amount for bucket, amount in totals.aging.items() if bucket not in ("current", "1-30"))
        lines.append(
            "outstanding by days overdue: "
            + ", ".join(
                f"{b} {totals.aging[b] / outstanding:.0%}"
                for b in ["current"] + [x[0] for x in ledger.AGING_BUCKETS]
            )
            + f"; PAR30 {at_risk / outstanding:.1%}"
        )
    if totals.logins:
        lines.append(
            f"{len(totals.logins)} logins ({totals.logins[0]} … {totals.logins[-1]}: q<fund id>.chair, "
            f".treasurer, .member, .viewer in the first fund of each province), password {password}"
        )
    return lines

"""A loan's papers, prefilled: the application (đơn đề nghị vay vốn), the agreement (giấy cam kết vay
vốn), the minutes of the committee's review (biên bản xét duyệt cho vay) and the handover record
(biên bản bàn giao vốn).

Each paper is built here once, as data (paragraphs made of runs, a table, rows of signature blocks),
and drawn twice from that data: as an A4 page (templates/loans/paper.html) and as a Word file
(tracker.docx_papers). Both therefore say the same words.

The papers are written in Vietnamese whatever the interface's language: they are the commune's
official documents, signed and filed in Vietnamese (as the phiếu thu and phiếu chi are), so their text
lives here and not in the translation catalogue. No offence details anywhere (DESIGN §3): the papers
speak of a borrower, never of a sentence. What the app does not know (the CCCD number, where the
meeting was held, signatures) is a dotted line to fill in by hand.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from tracker import provinces
from tracker.extensions import db
from tracker.formatting import amount_in_words, format_money
from tracker.models import CommitteeMember, Fund, Loan
from tracker.money import ledger, schedules

# -------------------------------------------------------------------------------- the shape of a paper


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph. style: "" plain, "value" (what the app filled in, bold), "blank" (dots
    to fill in by hand), "words" (an amount in words, italic), "strong" (bold wording)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Para:
    """A paragraph. kind: "" body text, "heading" (a numbered part, bold), "item" (a dash item),
    "basis" (a "Căn cứ ..." line, italic)."""

    runs: tuple[Run, ...]
    kind: str = ""

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Table:
    """A bordered table; `numeric` are the columns aligned right (money)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...] = ()
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Signature:
    """A signature block: who signs (`above` is the line before it, e.g. "TM. TỔ QUẢN LÝ QUỸ"), the
    usual note, lines of text to fill in above the signature, and the name the app knows."""

    title: str
    name: str = ""
    above: str = ""
    note: str = "(Ký, ghi rõ họ tên)"
    lines: tuple[Para, ...] = ()


@dataclass
class Paper:
    kind: str
    title: str
    subtitle: str
    # The issuing body's two lines (Decree 30/2020/NĐ-CP: the body above, in plain capitals; the
    # issuer, bold). None for the application: a citizen's đơn has no issuer, only the national
    # title, centred.
    issuer: tuple[str, str] | None
    number: str  # "Số: ..." under the issuer; "" for none
    place_date: str
    addressee: Para | None
    body: list[Para | Table] = field(default_factory=list)
    signatures: list[list[Signature]] = field(default_factory=list)


NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN = "(Ký, ghi rõ họ tên)"

PAPERS = ("application", "agreement", "minutes", "handover")
APPROVED = ("approved", "active", "repaid", "written_off")  # the statuses a loan has once approved

# ------------------------------------------------------------------------------------------ helpers


def blank(width: int = 30) -> Run:
    return Run("." * width, "blank")


def value(text, width: int = 30) -> Run:
    """What the app knows, or a dotted line to fill in when it does not."""
    text = "" if text is None else str(text).strip()
    return Run(text, "value") if text else blank(width)


def date_words(day: dt.date | None) -> str:
    """'ngày 07 tháng 12 năm 2026', or the same with dots to fill in."""
    if day is None:
        return "ngày ...... tháng ...... năm .........."
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def money_runs(amount: int) -> tuple[Run, ...]:
    """'50.000.000 ₫ (Bằng chữ: Năm mươi triệu đồng)'."""
    return (
        Run(format_money(amount), "value"),
        Run(" (Bằng chữ: "),
        Run(amount_in_words(amount), "words"),
        Run(")"),
    )


def para(*parts, kind: str = "") -> Para:
    """A paragraph from strings (plain) and Runs."""
    runs = []
    for part in parts:
        if isinstance(part, Run):
            runs.append(part)
        elif isinstance(part, tuple):
            runs.extend(part)
        elif part:
            runs.append(Run(part))
    return Para(tuple(runs), kind)


def honorific(gender: str | None) -> str:
    return {"male": "Ông", "female": "Bà"}.get(gender or "", "Ông/Bà")


def full_address(address: str, fund: Fund) -> str:
    """'Thôn Đông, xã Hồng Sơn, tỉnh Lâm Đồng': a hamlet as people type it, completed with the
    fund's commune and province. An address that names a commune (maybe another: a guarantor may
    live elsewhere) is left as it was typed, but for the province when it is the fund's commune."""
    address = (address or "").strip()
    lowered = address.lower()
    names_ours = bool(fund.place) and fund.place.lower() in lowered
    if any(word in lowered for word in ("xã ", "phường ", "thị trấn ", "đặc khu ")) and not names_ours:
        return address
    parts = [address] if address else []
    if parts and fund.commune and not names_ours:
        parts.append(fund.commune)
    province = provinces.full_name(fund.province)
    if parts and province and fund.province.lower() not in lowered:
        parts.append(province)
    return ", ".join(parts)


def issuer_of(fund: Fund) -> tuple[str, str]:
    """('ỦY BAN MTTQ VIỆT NAM XÃ HỒNG SƠN', 'TỔ QUẢN LÝ QUỸ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG ...'): the
    Front's committee the fund belongs to, and the team that manages it."""
    # the commune's name kept on one line: "ỦY BAN MTTQ VIỆT NAM / XÃ HỒNG SƠN", never "... XÃ / HỒNG SƠN"
    commune = (fund.commune or "").upper().replace(" ", "\u00a0")
    above = " ".join(filter(None, ("ỦY BAN MTTQ VIỆT NAM", commune)))
    return above, f"TỔ QUẢN LÝ {fund_name_without_place(fund).upper()}"


def fund_name_without_place(fund: Fund) -> str:
    """'Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng': the fund's name without the commune at
    its end, which the line above the issuer already says."""
    name = fund.name.strip()
    if fund.commune and name.lower().endswith(" " + fund.commune.lower()):
        name = name[: -len(fund.commune) - 1].rstrip(" ,-")
    return name


def team_of(fund: Fund) -> str:
    """'Tổ quản lý Quỹ giúp đỡ ... xã Hồng Sơn' (in running text)."""
    return f"Tổ quản lý {fund.name.strip()}"


def place_date(fund: Fund, day: dt.date | None) -> str:
    place = fund.place or "......................"
    return f"{place}, {date_words(day)}"


def term_runs(loan: Loan) -> tuple[Run, ...]:
    """'12 tháng (kể cả 1 tháng ân hạn), trả dần trong 11 kỳ hằng tháng'."""
    count = loan.term_months - loan.grace_months
    runs = [Run(f"{loan.term_months} tháng", "value")]
    if loan.grace_months:
        runs += [Run(" (kể cả "), Run(f"{loan.grace_months} tháng", "value"), Run(" ân hạn)")]
    runs += [Run(", trả dần trong "), Run(f"{count} kỳ", "value"), Run(" hằng tháng")]
    return tuple(runs)


def borrower_lines(loan: Loan, fund: Fund, lead: str) -> list[Para]:
    person = loan.person
    return [
        para(
            lead,
            value(person.full_name),
            "   Năm sinh: ",
            value(person.birth_year, 10),
        ),
        para("Số CCCD: ", blank(24), "   Ngày cấp: ", blank(12), "   Nơi cấp: ", blank(18)),
        para("Nơi cư trú: ", value(full_address(person.address, fund), 60)),
        para("Số điện thoại: ", value(person.phone, 20)),
    ]


def guarantor_lines(loan: Loan, fund: Fund, lead: str) -> list[Para]:
    return [
        para(
            lead,
            value(loan.guarantor_name),
            "   Quan hệ với người vay: ",
            value(loan.guarantor_relation, 16),
        ),
        para("Số CCCD: ", blank(24), "   Số điện thoại: ", value(loan.guarantor_phone, 20)),
        para("Nơi cư trú: ", value(full_address(loan.guarantor_address, fund), 60)),
    ]


def person_name(user) -> str:
    return (user.full_name or "").strip() if user is not None else ""


def agreed_installments(loan: Loan) -> list:
    """The schedule set at the disbursement (the first version): what the agreement records. A later
    reschedule or pause is a decision of its own, with its own minutes."""
    if not loan.disbursed_on:
        return []
    found = schedules.versions(loan)
    return list(found[0].installments) if found else list(loan.installments)


def schedule_table(installments) -> Table:
    """The installments, two to a row past 12 so that a 36-month loan still fits on the page."""
    cells = [(str(i.number), f"{i.due_on:%d/%m/%Y}", format_money(i.amount_due)) for i in installments]
    total = sum(i.amount_due for i in installments)
    headers = ("Kỳ", "Hạn trả", "Số tiền")
    if len(cells) <= 12:
        return Table(headers, tuple(cells), ("Cộng", "", format_money(total)), frozenset({2}))
    half = -(-len(cells) // 2)
    left, right = cells[:half], cells[half:]
    rows = tuple(a + (right[n] if n < len(right) else ("", "", "")) for n, a in enumerate(left))
    return Table(headers * 2, rows, ("Cộng", "", "", "", "", format_money(total)), frozenset({2, 5}))


def team_size(fund: Fund, day: dt.date | None) -> int | None:
    """How many members the team had on the day of the meeting (joined by then, not yet left);
    None without a day or a member on record."""
    if day is None:
        return None
    count = db.session.scalar(
        select(func.count(CommitteeMember.id)).where(
            CommitteeMember.fund_id == fund.id,
            or_(CommitteeMember.joined_on.is_(None), CommitteeMember.joined_on <= day),
            or_(CommitteeMember.left_on.is_(None), CommitteeMember.left_on > day),
        )
    )
    return count or None


def decided(loan: Loan) -> bool:
    return loan.decided_on is not None and loan.status != "requested"


# --------------------------------------------------------------------------------------- the papers


def available(kind: str, loan: Loan) -> bool:
    """Whether the paper makes sense for the loan now. The application and the minutes always do:
    before the decision the minutes are the form the committee fills in at its meeting, with the
    application's facts already written. The agreement needs an approval (it states the amount
    approved); the handover a disbursement (it cites the phiếu chi, and cash handed over without one
    in the books is what the app must not invite)."""
    if kind in ("application", "minutes"):
        return True
    if kind == "agreement":
        return loan.status in APPROVED  # loan.lent: the amount approved
    if kind == "handover":
        return bool(loan.voucher_no) and loan.disbursed_on is not None
    return False


def build(kind: str, loan: Loan, fund: Fund) -> Paper:
    return {
        "application": application,
        "agreement": agreement,
        "minutes": minutes,
        "handover": handover,
    }[kind](loan, fund)


def application(loan: Loan, fund: Fund) -> Paper:
    person = loan.person
    paper = Paper(
        kind="application",
        title="ĐƠN ĐỀ NGHỊ VAY VỐN",
        subtitle="(Vay vốn không lãi)",
        issuer=None,
        number="",
        place_date=place_date(fund, loan.applied_on),
        addressee=para("Kính gửi: ", Run(team_of(fund), "strong")),
    )
    paper.body += borrower_lines(loan, fund, "Tôi tên là: ")
    paper.body += [
        para(
            "Tôi làm đơn này đề nghị ",
            team_of(fund),
            " xem xét cho tôi vay vốn không lãi như sau:",
        ),
        para("1. Số tiền đề nghị vay: ", money_runs(loan.principal), "."),
        para("2. Mục đích sử dụng vốn: ", value(loan.purpose, 60), "."),
        para("3. Thời hạn vay: ", term_runs(loan), "."),
        para("4. Người bảo lãnh (đại diện hộ gia đình):"),
    ]
    paper.body += guarantor_lines(loan, fund, "Họ và tên: ")
    paper.body.append(
        para(
            "Tôi cam kết sử dụng vốn vay đúng mục đích, trả nợ đầy đủ, đúng hạn theo lịch trả nợ và "
            "chấp hành các quy định của Quỹ. Người bảo lãnh cùng tôi cam kết trả thay số nợ còn lại "
            "nếu tôi không trả được."
        )
    )
    paper.body.append(para("Tôi xin chân thành cảm ơn!"))
    paper.signatures = [
        [
            Signature("NGƯỜI BẢO LÃNH", name=loan.guarantor_name),
            Signature("NGƯỜI LÀM ĐƠN", name=person.full_name),
        ],
        [
            Signature(
                "XÁC NHẬN CỦA TRƯỞNG THÔN",
                name=loan.hamlet_head_name,
                lines=(
                    para(
                        "Xác nhận ",
                        honorific(person.gender).lower(),
                        " ",
                        value(person.full_name),
                        " cư trú tại ",
                        value(person.address, 24),
                        ".",
                    ),
                ),
            )
        ],
    ]
    return paper


def agreement(loan: Loan, fund: Fund) -> Paper:
    person = loan.person
    chair = person_name(loan.decided_by)
    paper = Paper(
        kind="agreement",
        title="GIẤY CAM KẾT VAY VỐN",
        subtitle="(Vay vốn không lãi)",
        issuer=issuer_of(fund),
        number="Số: ........../CK",
        place_date=place_date(fund, loan.disbursed_on),
        addressee=None,
    )
    if fund.founding_decision:
        paper.body.append(
            para(f"Căn cứ {fund.founding_decision} về việc thành lập {fund.name};", kind="basis")
        )
    if loan.minutes_ref.lower().startswith("biên bản"):  # "Biên bản họp Tổ ngày 05/02/2026"
        paper.body.append(para("Căn cứ ", Run(loan.minutes_ref, "value"), ";", kind="basis"))
    else:
        paper.body.append(
            para(
                "Căn cứ Biên bản xét duyệt cho vay số ",
                value(loan.minutes_ref, 20),
                " ",
                date_words(loan.decided_on),
                ";",
                kind="basis",
            )
        )
    paper.body += [
        para("Chúng tôi gồm:"),
        para(Run("Bên cho vay: ", "strong"), team_of(fund)),
        para("Đại diện: ", value(chair), "   Chức vụ: Tổ trưởng"),
        para(Run("Người vay: ", "strong"), honorific(person.gender), " ", value(person.full_name)),
        *borrower_lines(loan, fund, "Họ và tên: ")[1:],
        para(Run("Người bảo lãnh (đại diện hộ gia đình): ", "strong")),
        *guarantor_lines(loan, fund, "Họ và tên: "),
        para("Cùng thống nhất cam kết như sau:"),
        para("Điều 1. Số tiền vay và mục đích", kind="heading"),
        para("Số tiền được duyệt cho vay: ", money_runs(loan.lent), ", không lãi."),
        para("Mục đích sử dụng vốn: ", value(loan.purpose, 60), "."),
        para("Điều 2. Thời hạn và lịch trả nợ", kind="heading"),
        para("Thời hạn vay: ", term_runs(loan), ", kể từ ngày nhận tiền."),
    ]
    installments = agreed_installments(loan)
    if installments:
        paper.body.append(para("Lịch trả nợ:"))
        paper.body.append(schedule_table(installments))
    else:
        count = loan.term_months - loan.grace_months
        amounts = ledger.split_evenly(loan.lent, count)
        each = [Run("mỗi kỳ "), Run(format_money(amounts[0]), "value")]
        if amounts[-1] != amounts[0]:
            each += [Run(", kỳ cuối "), Run(format_money(amounts[-1]), "value")]
        paper.body.append(
            para(
                "Trả dần trong ",
                Run(f"{count} kỳ", "value"),
                " hằng tháng, ",
                tuple(each),
                f"; kỳ đầu vào tháng thứ {loan.grace_months + 1} kể từ ngày nhận tiền. "
                "Ngày trả của từng kỳ ghi trong lịch trả nợ lập khi giao vốn.",
            )
        )
    paper.body += [
        para("Tiền trả nợ nộp cho Thủ quỹ của Tổ và được nhận phiếu thu."),
        para("Điều 3. Trách nhiệm của người vay", kind="heading"),
        para(
            "- Sử dụng vốn đúng mục đích; trả nợ đầy đủ, đúng hạn; tạo điều kiện để thành viên Tổ "
            "thăm hỏi, giúp đỡ trong việc làm ăn.",
            kind="item",
        ),
        para(
            "- Khi gặp khó khăn chưa trả được nợ đúng hạn, báo ngay cho Tổ để Tổ xem xét gia hạn nợ "
            "hoặc điều chỉnh kỳ hạn.",
            kind="item",
        ),
        para("Điều 4. Cam kết của người bảo lãnh", kind="heading"),
        para(
            "Người bảo lãnh cam kết đôn đốc người vay sử dụng vốn đúng mục đích, trả nợ đúng hạn; "
            "trường hợp người vay không trả được nợ, người bảo lãnh trả thay số nợ còn lại cho Quỹ."
        ),
        para("Điều 5. Trách nhiệm của Tổ quản lý Quỹ", kind="heading"),
        para(
            "Giao đủ số tiền vay theo phiếu chi; theo dõi, hướng dẫn, giúp đỡ người vay sử dụng vốn "
            "có hiệu quả; thu nợ theo lịch trả nợ và cấp phiếu thu cho mỗi lần trả."
        ),
        para(
            "Giấy cam kết này lập thành 03 bản có giá trị như nhau: người vay giữ 01 bản, người bảo "
            "lãnh giữ 01 bản, Tổ quản lý Quỹ giữ 01 bản."
        ),
    ]
    paper.signatures = [
        [
            Signature("NGƯỜI VAY", name=person.full_name),
            Signature("NGƯỜI BẢO LÃNH", name=loan.guarantor_name),
        ],
        [
            Signature("XÁC NHẬN CỦA TRƯỞNG THÔN", name=loan.hamlet_head_name),
            Signature("TỔ TRƯỞNG", name=chair, above="TM. TỔ QUẢN LÝ QUỸ"),
        ],
    ]
    return paper


def minutes(loan: Loan, fund: Fund) -> Paper:
    person = loan.person
    known = decided(loan)
    chair = person_name(loan.decided_by) if known else ""
    paper = Paper(
        kind="minutes",
        title="BIÊN BẢN XÉT DUYỆT CHO VAY",
        subtitle=f"(Xét đơn đề nghị vay vốn của {honorific(person.gender).lower()} {person.full_name})",
        issuer=issuer_of(fund),
        number="Số: ........../BB",
        place_date=place_date(fund, loan.decided_on if known else None),
        addressee=None,
    )
    if known and loan.minutes_ref:
        paper.body.append(para("Số hiệu biên bản: ", value(loan.minutes_ref)))
    attendees = loan.attendees if known else None
    votes_for = loan.votes_for if known else None
    votes_against = loan.votes_against if known else None
    paper.body += [
        para(
            "Hôm nay, ",
            date_words(loan.decided_on if known else None),
            ", tại ",
            blank(40),
            ", ",
            team_of(fund),
            " họp xét đơn đề nghị vay vốn.",
        ),
        para("I. THÀNH PHẦN", kind="heading"),
        para("- Chủ trì: ", value(chair), "   Chức vụ: Tổ trưởng", kind="item"),
        para("- Thư ký: ", blank(30), "   Chức vụ: ", blank(20), kind="item"),
        para(
            "- Số thành viên dự họp: ",
            value(attendees, 6),
            " / tổng số ",
            value(team_size(fund, loan.decided_on) if known else None, 6),
            " thành viên của Tổ.",
            kind="item",
        ),
        para("II. NỘI DUNG", kind="heading"),
        para(
            "1. Người đề nghị vay: ",
            honorific(person.gender),
            " ",
            value(person.full_name),
            ", năm sinh ",
            value(person.birth_year, 10),
            "; nơi cư trú: ",
            value(full_address(person.address, fund), 40),
            "; đơn đề nghị ",
            date_words(loan.applied_on),
            ".",
        ),
        para("2. Số tiền đề nghị vay: ", money_runs(loan.principal), "."),
        para("3. Mục đích sử dụng vốn: ", value(loan.purpose, 60), "; thời hạn vay: ", term_runs(loan), "."),
        para(
            "4. Người bảo lãnh (đại diện hộ gia đình): ",
            value(loan.guarantor_name),
            ", quan hệ với người vay: ",
            value(loan.guarantor_relation, 16),
            "; điện thoại: ",
            value(loan.guarantor_phone, 16),
            "; nơi cư trú: ",
            value(full_address(loan.guarantor_address, fund), 40),
            ".",
        ),
        para("5. Ý kiến của các thành viên: ", blank(120)),
        para("III. KẾT QUẢ BIỂU QUYẾT", kind="heading"),
        para(
            "Tán thành: ",
            value(votes_for, 6),
            " thành viên;   Không tán thành: ",
            value(votes_against, 6),
            " thành viên (trên tổng số ",
            value(attendees, 6),
            " thành viên dự họp).",
        ),
        para("IV. KẾT LUẬN", kind="heading"),
    ]
    if known and loan.status == "rejected":
        paper.body.append(
            para(
                "Tổ quản lý Quỹ không chấp thuận đơn đề nghị vay vốn. Lý do: ",
                value(loan.rejection_reason, 60),
                ".",
            )
        )
    elif known:
        paper.body.append(
            para(
                "Tổ quản lý Quỹ thống nhất cho ",
                honorific(person.gender).lower(),
                " ",
                Run(person.full_name, "value"),
                " vay số tiền ",
                money_runs(loan.lent),
                ", không lãi; thời hạn vay ",
                term_runs(loan),
                "; mục đích: ",
                value(loan.purpose, 40),
                ".",
            )
        )
    else:
        paper.body += [
            para(
                "Tổ quản lý Quỹ thống nhất: □ cho vay số tiền ",
                blank(20),
                " đồng (Bằng chữ: ",
                blank(50),
                ")   □ không cho vay. Lý do: ",
                blank(40),
            ),
            para(blank(110)),
        ]
    paper.body.append(
        para("Biên bản kết thúc lúc ...... giờ ...... cùng ngày, được các thành viên dự họp thông qua.")
    )
    paper.signatures = [[Signature("THƯ KÝ"), Signature("CHỦ TRÌ", name=chair)]]
    return paper


def handover(loan: Loan, fund: Fund) -> Paper:
    person = loan.person
    treasurer = person_name(loan.disbursed_by)
    installments = agreed_installments(loan)
    paper = Paper(
        kind="handover",
        title="BIÊN BẢN BÀN GIAO VỐN",
        subtitle="(Giao vốn vay không lãi)",
        issuer=issuer_of(fund),
        number="Số: ........../BB-BG",
        place_date=place_date(fund, loan.disbursed_on),
        addressee=None,
    )
    paper.body += [
        para("Hôm nay, ", date_words(loan.disbursed_on), ", tại ", blank(50), ", chúng tôi gồm:"),
        para(Run("Bên giao: ", "strong"), team_of(fund)),
        para("Đại diện: ", value(treasurer), "   Chức vụ: Thủ quỹ"),
        para(Run("Bên nhận (người vay): ", "strong"), honorific(person.gender), " ", value(person.full_name)),
        *borrower_lines(loan, fund, "Họ và tên: ")[1:],
        para(Run("Người chứng kiến (người bảo lãnh): ", "strong")),
        *guarantor_lines(loan, fund, "Họ và tên: "),
        para("Cùng thống nhất bàn giao vốn như sau:"),
        para(
            "1. Bên giao đã giao cho bên nhận số tiền: ",
            money_runs(loan.lent),
            ", theo Phiếu chi số ",
            value(loan.voucher_no, 12),
            " ",
            date_words(loan.disbursed_on),
            ".",
        ),
        para(
            "2. Đây là khoản vay không lãi theo Giấy cam kết vay vốn đã ký, để sử dụng vào mục đích: ",
            value(loan.purpose, 60),
            ".",
        ),
    ]
    if installments:
        paper.body.append(
            para(
                "3. Bên nhận trả nợ trong ",
                Run(f"{len(installments)} kỳ", "value"),
                " hằng tháng, kỳ đầu ngày ",
                Run(f"{installments[0].due_on:%d/%m/%Y}", "value"),
                ", kỳ cuối ngày ",
                Run(f"{installments[-1].due_on:%d/%m/%Y}", "value"),
                ", theo lịch trả nợ trong Giấy cam kết vay vốn.",
            )
        )
    paper.body += [
        para("Bên nhận đã nhận đủ số tiền nói trên và cam kết sử dụng vốn đúng mục đích, trả nợ đúng hạn."),
        para("Biên bản lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản."),
    ]
    paper.signatures = [
        [
            Signature("BÊN NHẬN", name=person.full_name),
            Signature("NGƯỜI CHỨNG KIẾN", name=loan.guarantor_name),
            Signature("THỦ QUỸ", name=treasurer, above="BÊN GIAO"),
        ]
    ]
    return paper


def texts(paper: Paper) -> list[str]:
    """Every line of the paper as plain text, header first (what tests compare across formats)."""
    lines = [NATION, MOTTO, paper.place_date, paper.title, paper.subtitle]
    if paper.issuer:
        lines[:0] = list(paper.issuer)
    if paper.addressee:
        lines.append(paper.addressee.text)
    for block in paper.body:
        if isinstance(block, Table):
            lines += [cell for row in (block.headers, *block.rows, block.footer) for cell in row]
        else:
            lines.append(block.text)
    for row in paper.signatures:
        for signature in row:
            lines += [signature.above, signature.title, signature.name]
            lines += [line.text for line in signature.lines]
    return [line for line in lines if line]

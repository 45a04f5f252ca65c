"""One word for one thing (GLOSSARY.md): the rejected variants stay out of the Vietnamese interface.

The Vietnamese a user reads comes from the vi catalogue and from the few literal Vietnamese strings in
templates and code (official headings, demo and generated data). Each rejected variant names the word
that won, so a failure says what to write instead.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
VI_CATALOGUE = ROOT / "tracker" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

# (pattern, what to write instead); case-insensitive.
REJECTED = [
    # "xét duyệt" is the reviewing; the paper of that meeting keeps its name ("Biên bản xét duyệt cho vay").
    (r"(?<!biên bản )xét duyệt", "Duyệt (button 'Duyệt cho vay', status 'Đã duyệt')"),
    (r"người giúp đỡ", "Thành viên phụ trách (the mentor; the person helped is 'Người được giúp đỡ')"),
    (r"tái phạm", "nothing: a re-offence is a court's finding, not a status of this fund"),
    (r"tình trạng", "trạng thái"),
    (r"trễ", "quá hạn"),
    (r"mượn", "vay"),
    (r"ẩn danh", "giấu tên"),
    (r"số dư quỹ|tiền trong quỹ|quỹ hiện có", "Tồn quỹ"),
    (r"tiền vào|thu chi\b|thu và chi", "Thu, chi"),
    (r"đối tượng", "Hồ sơ or Nội dung (the police say 'đối tượng' of suspects)"),
    # Vietnamese writes a decimal comma and no space before the percent sign: 13,8%.
    # (Not "1 %}" of a template tag, nor "n % 9" of code.)
    (r"\d\.\d+ ?%(?![ }\w(])|\d %(?![ }\w(])", "13,8%"),
]

# An Excel number format ("0.0%") is a code, not text: Excel writes it 6,6% in the reader's locale.
EXCEL_FORMAT = re.compile(r'^[A-Z_]+_FORMAT = "')

# The acronym stays only in the aging report's note (GLOSSARY: PAR30).
PAR30_ALLOWED = {
    "PAR30 (outstanding of loans more than 30 days overdue ÷ all outstanding)",
    "PAR30 is the share of outstanding in loans more than 30 days overdue, as microfinance reports it; "
    "the debt groups are the State Bank's classification of loans by days overdue.",
}

# The words that won, where they are used.
EXPECTED = {
    "Approve": "Duyệt cho vay",
    "Approved": "Đã duyệt",
    "Waiting for decision": "Chờ duyệt",
    "Mentor": "Thành viên phụ trách",
    "Status": "Trạng thái",
    "Anonymous": "Giấu tên",
    "Cash on hand": "Tồn quỹ",
    "Money in and out per month": "Thu, chi theo tháng",
    "Outstanding more than 30 days overdue": "Dư nợ quá hạn trên 30 ngày",
    "Debt group": "Nhóm nợ",
}


def catalogue_texts() -> list[tuple[str, str]]:
    """(msgid, msgstr) for every live Vietnamese message, each plural form on its own."""
    with VI_CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    texts = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend((msgid, string) for string in strings if string)
    return texts


def source_texts() -> list[tuple[str, str]]:
    """(file, line) for the templates, scripts and code that may carry literal Vietnamese."""
    files = [
        *sorted((ROOT / "tracker" / "templates").rglob("*.html")),
        *sorted((ROOT / "tracker").rglob("*.py")),
        *sorted((ROOT / "tracker" / "static").glob("*.js")),
    ]
    return [
        (f"{path.relative_to(ROOT)}:{number}", line)
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
    ]


@pytest.mark.parametrize("pattern, instead", REJECTED, ids=[p for p, _ in REJECTED])
def test_the_catalogue_keeps_to_the_glossary(pattern, instead):
    found = [(msgid, text) for msgid, text in catalogue_texts() if re.search(pattern, text, re.I)]
    assert not found, f"write {instead!r} instead in: {found}"


@pytest.mark.parametrize("pattern, instead", REJECTED, ids=[p for p, _ in REJECTED])
def test_templates_and_code_keep_to_the_glossary(pattern, instead):
    found = [
        where
        for where, line in source_texts()
        if re.search(pattern, line, re.I) and not EXCEL_FORMAT.search(line)
    ]
    assert not found, f"write {instead!r} instead at: {found}"


def test_par30_is_named_in_plain_words_outside_the_aging_note():
    found = [msgid for msgid, text in catalogue_texts() if "PAR30" in text and msgid not in PAR30_ALLOWED]
    assert not found
    templates = ROOT / "tracker" / "templates"
    assert not [
        path.name
        for path in (*templates.glob("dashboard/*.html"), *templates.glob("province/*.html"))
        if "PAR30" in re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"))
    ]


def test_the_words_that_won_are_the_translations():
    texts = dict(catalogue_texts())
    assert {msgid: texts.get(msgid) for msgid in EXPECTED} == EXPECTED


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("Xét duyệt", REJECTED[0][0]),
        ("Người giúp đỡ: Trần Văn Hùng", REJECTED[1][0]),
        ("Tái phạm", REJECTED[2][0]),
        ("Lọc theo tình trạng", REJECTED[3][0]),
        ("Trễ 5 ngày", REJECTED[4][0]),
        ("cho mượn vốn", REJECTED[5][0]),
        ("Nhà hảo tâm ẩn danh", REJECTED[6][0]),
        ("13.8%", REJECTED[-1][0]),
        ("13,8 %", REJECTED[-1][0]),
    ],
)
def test_each_rejected_variant_is_caught(text, pattern):
    """The patterns above would catch the words this test file exists to keep out."""
    assert re.search(pattern, text, re.I)


@pytest.mark.parametrize(
    "text",
    ["Biên bản xét duyệt cho vay", "Người được giúp đỡ", "Đã duyệt", "13,8%", "Dư nợ quá hạn trên 30 ngày"],
)
def test_the_accepted_words_pass(text):
    assert not [pattern for pattern, _ in REJECTED if re.search(pattern, text, re.I)]

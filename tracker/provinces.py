"""The 34 provinces and cities of Vietnam since 1 July 2025 (no more districts). A fund belongs to
one; a regional login oversees one. Names are matched as people type them: without accents, in
any case, with or without "tỉnh" / "thành phố" in front, so that "lam dong" is Lâm Đồng and a typo
is refused instead of starting a 35th province that no regional login would see."""

from tracker.text import searchable

PROVINCES = (
    "Hà Nội",
    "Huế",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "Thành phố Hồ Chí Minh",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Ninh Bình",
    "Quảng Trị",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Đồng Nai",
    "Tây Ninh",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Cao Bằng",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
)
# The six centrally run cities (the first six above): "thành phố Huế", not "tỉnh Huế", on papers.
CITIES = frozenset(PROVINCES[:6])
PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")


def full_name(name: str) -> str:
    """'tỉnh Lâm Đồng', or 'thành phố Hà Nội' for a city that is a province."""
    name = name.strip()
    if not name or name.lower().startswith(("tỉnh ", "thành phố ")):
        return name
    return f"thành phố {name}" if name in CITIES else f"tỉnh {name}"


def heading(name: str) -> str:
    """The name as a heading or a title starts: 'Tỉnh Lâm Đồng', 'Thành phố Huế'."""
    name = full_name(name)
    return name[:1].upper() + name[1:]


def _key(name: str) -> str:
    key = searchable(name)  # Khánh Hoà and Khánh Hòa, Lam Dong and Lâm Đồng alike
    for prefix in PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


_BY_KEY = {_key(name): name for name in PROVINCES}


def find(text: str | None) -> str | None:
    """The province's name as written in PROVINCES, or None if `text` names none of them."""
    return _BY_KEY.get(_key(text or ""))

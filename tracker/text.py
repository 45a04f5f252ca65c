"""Vietnamese text rules: name order, phone numbers, hidden characters. Plain functions, no Flask."""

import re
import unicodedata

# Dictionary order of the Vietnamese alphabet, with the letters of foreign names slotted in.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Symbols for the encoded key: ASCII digits and capitals only, so byte order and every common
# database collation agree on how two keys compare.
SYMBOLS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WORD_BREAK = "00"


def _letter_and_tone(char: str) -> tuple[str, int]:
    """Split a character into its base letter (keeping ă â ê ô ơ ư đ) and its tone."""
    tone = 0
    kept = []
    for part in unicodedata.normalize("NFD", char.lower()):
        if part in TONE_MARKS:
            tone = TONE_MARKS[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _encode(index: int) -> str:
    return SYMBOLS[index // len(SYMBOLS)] + SYMBOLS[index % len(SYMBOLS)]


def vietnamese_sort_key(full_name: str, given_name_first: bool = True) -> str:
    """A string whose byte order is the Vietnamese order of names.

    Names sort by the given name (the last word), then the family and middle names, comparing
    letters first (a < ă < â < b ... < đ ...) and tones only to break ties.
    """
    words = full_name.split()
    if not words:
        return ""
    ordered = [words[-1], *words[:-1]] if given_name_first else words
    primary: list[str] = []
    tones: list[str] = []
    for word in ordered:
        for char in word:
            letter, tone = _letter_and_tone(char)
            if letter in ALPHABET:
                index = 11 + ALPHABET.index(letter)
            elif letter.isdecimal():  # not isdigit(): '²' is a digit that int() refuses
                index = 1 + int(letter)
            else:
                continue
            primary.append(_encode(index))
            tones.append(str(tone))
        primary.append(WORD_BREAK)
    return "".join(primary) + "0" + "".join(tones)


def sort_by_name(items, name=lambda item: item.full_name):
    return sorted(items, key=lambda item: vietnamese_sort_key(name(item)))


# ASCII digits: \d alone also takes Arabic-Indic and full-width digits, which no phone dials.
PHONE_PATTERN = re.compile(r"^0\d{9}$", re.ASCII)


def normalise_phone(raw: str) -> str | None:
    """'+84 912 345 678' -> '0912345678'; None when it is not a 10-digit Vietnamese number."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if PHONE_PATTERN.match(digits) else None


def searchable(text: str) -> str:
    """'Nguyễn Văn Đức' -> 'nguyen van duc': what search compares, so typing without accents works."""
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    # Control and format characters go too: nobody searches for them, and PostgreSQL refuses a NUL
    # in a query's text (a search for "\x00" was a server error).
    kept = (
        c
        for c in decomposed
        if c.isspace() or not (unicodedata.combining(c) or unicodedata.category(c) in ("Cc", "Cf"))
    )
    return " ".join("".join(kept).split())


# The embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): each turns the text after it
# around, or sets its direction, until its closing character, so what shows on screen is not what is
# stored ("\u202e000.005" shows as "500.000"). Vietnamese never needs them.
DIRECTION_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Hangul fillers: letters that print as nothing, the usual way to make a name look blank.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def has_direction_overrides(text: str) -> bool:
    return DIRECTION_OVERRIDES.search(text or "") is not None


def _hidden(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in BLANK_LETTERS


def has_hidden_characters(text: str) -> bool:
    """True when the text holds a character that prints nothing or moves the text around it: every
    format character (Unicode category Cf: the direction marks, embeddings, overrides and isolates,
    the zero-width spaces and joiners, the word joiner, the BOM, the soft hyphen) or a Hangul
    filler. Combining accents (decomposed Vietnamese) are not hidden: they print."""
    return any(map(_hidden, text or ""))


def without_hidden_characters(text: str) -> str:
    """The text as it reads on screen, for comparing with what was typed: names stored before forms
    refused hidden characters may hold them."""
    return "".join(char for char in text or "" if not _hidden(char))

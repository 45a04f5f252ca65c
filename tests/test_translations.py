"""The Vietnamese catalogue covers every message in the code and templates.

Extraction runs the same `pybabel extract` as `make extract-messages`, into a temporary .pot, so a
string added to the source without a Vietnamese translation fails here before it shows in English
on a Vietnamese screen.
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from tracker.web.forms import Form

ROOT = Path(__file__).resolve().parent.parent
VI_CATALOGUE = ROOT / "tracker" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PYBABEL = Path(sys.executable).with_name("pybabel")
WTFORMS_MESSAGES = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
# WTForms raises these only for a mistake in our code (EqualTo naming a field the form lacks, a
# SelectField left without choices), never for what a person typed.
WTFORMS_PROGRAMMING_ERRORS = {"Invalid field name '%s'.", "Choices cannot be None."}

# A printf-style named placeholder: %(name)s, %(num)d, %(amount).2f ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages the source uses now, whatever the committed messages.pot says."""
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    subprocess.run(
        [
            str(PYBABEL),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def vietnamese() -> Catalog:
    with VI_CATALOGUE.open("rb") as f:
        return read_po(f, locale="vi")


def key(message: Message) -> str:
    """The lookup key of a catalogue: the singular msgid, also for plural entries."""
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def strings(value) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [value]


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def test_catalogue_header(vietnamese):
    assert not vietnamese.fuzzy, "the header of the vi catalogue is marked fuzzy"
    assert vietnamese.num_plurals == 1
    assert vietnamese.plural_expr == "0"


def test_every_message_has_a_vietnamese_translation(extracted, vietnamese):
    assert len(extracted) > 0, "pybabel extracted nothing: check babel.cfg and the command"
    missing = []
    for source in extracted:
        if not source.id:
            continue
        message = vietnamese.get(key(source))
        if message is None:
            missing.append(f"{key(source)!r} (not in the catalogue)")
        elif message.fuzzy:
            missing.append(f"{key(source)!r} (fuzzy)")
        elif not all(text.strip() for text in strings(message.string)):
            missing.append(f"{key(source)!r} (empty)")
        elif isinstance(source.id, tuple | list) != isinstance(message.id, tuple | list):
            missing.append(f"{key(source)!r} (plural in one place, singular in the other)")
    where = VI_CATALOGUE.relative_to(ROOT)
    assert not missing, (
        f"{len(missing)} message(s) lack a Vietnamese translation in {where}; "
        "run `make extract-messages` and fill them in:\n" + "\n".join(missing)
    )


def test_placeholders_match(vietnamese):
    wrong = []
    for message in vietnamese:
        if not message.id:
            continue
        expected = Counter()
        for source in strings(message.id):
            expected |= placeholders(source)  # singular and plural: the one vi form serves both
        for text in strings(message.string):
            if not text:
                continue
            if placeholders(text) != expected:
                wrong.append(f"{key(message)!r} -> {text!r}")
            elif expected:  # gettext formats only when given variables
                try:
                    text % {name: 1 for name in expected}
                except (KeyError, TypeError, ValueError) as error:
                    wrong.append(f"{key(message)!r} -> {text!r} ({error})")
    listing = "\n".join(wrong)
    assert not wrong, f"placeholders differ between msgid and Vietnamese msgstr:\n{listing}"


def test_every_message_of_wtforms_is_said_in_vietnamese(app, vietnamese):
    """WTForms writes its own message where a validator or a field has none of ours (a Length
    without one, a number field given letters, a choice not in the list); it has no Vietnamese,
    so each must come out of our catalogue, including any a new WTForms adds."""
    with WTFORMS_MESSAGES.open("rb") as f:
        wtforms_catalogue = read_po(f)
    ours = {text for message in vietnamese if message.id for text in strings(message.string) if text}

    class Probe(Form):
        name = wtforms.StringField()

    english = []
    with app.test_request_context():
        field = Probe(formdata=None, meta={"csrf": False}).name
        for message in wtforms_catalogue:
            if not message.id or key(message) in WTFORMS_PROGRAMMING_ERRORS:
                continue
            if isinstance(message.id, tuple | list):
                said = [field.ngettext(*message.id, n) for n in (1, 2)]
            else:
                said = [field.gettext(message.id)]
            if any(text not in ours for text in said):
                english.append(f"{key(message)!r} -> {said}")
    assert not english, "WTForms messages not said in Vietnamese:\n" + "\n".join(english)

"""The words for every stored code (a role, a status, a kind, a method), in one place: a code reads
the same on every screen, paper and export. Lazy strings, translated when shown."""

from __future__ import annotations

from tracker.i18n import lazy_gettext as _l

ROLES = {
    "chair": _l("Chair"),
    "treasurer": _l("Treasurer"),
    "member": _l("Member"),
    "viewer": _l("Viewer"),
    "regional": _l("Province steering committee"),
}
LOAN_STATUSES = {
    "requested": _l("Waiting for decision"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "active": _l("Being repaid"),
    "repaid": _l("Fully repaid"),
    "written_off": _l("Written off"),
}
PERSON_STATUSES = {
    "supported": _l("Being supported"),
    "settled": _l("Settled"),
    # The stored code of the status DESIGN §3 retires: a re-offence is a court's finding and
    # criminal-record data, so the screen says only that support is paused ("paused" in DESIGN).
    # Renaming the code needs a migration that rebuilds the person table's CHECK constraint.
    "reoffended": _l("Support paused"),
    "moved": _l("Moved away"),
    "deceased": _l("Deceased"),
}
PAYMENT_METHODS = {"cash": _l("Cash"), "bank": _l("Bank transfer")}
DONOR_KINDS = {
    "business": _l("Business"),
    "individual": _l("Benefactor"),
    "organisation": _l("Organisation"),
}
GENDERS = {"male": _l("Male"), "female": _l("Female"), "other": _l("Other")}
CERTIFICATES = {
    "sentence_completed": _l("Certificate of sentence completion"),
    "amnesty": _l("Certificate of amnesty"),
}
VISIT_KINDS = {
    "home": _l("At home"),
    "phone": _l("By phone"),
    "workplace": _l("At the workplace"),
    "meeting": _l("At a meeting"),
}
# What the current user saw of a person's data, by the action kept in person_access.
ACCESSES = {
    "view": _l("Opened the file"),
    "export": _l("Exported the data"),
    "loan": _l("Opened a loan's page"),
    "voucher": _l("Opened a receipt or voucher"),
    "visit_form": _l("Opened the visit form"),
    "report": _l("Named in the report of outstanding loans"),
    "report_export": _l("Named in an exported report of outstanding loans"),
    "donor_letter": _l("Named in a donor's thank-you letter"),
}
NOT_RECORDED = _l("Not recorded")
ANONYMOUS_DONOR = _l("Anonymous donor")


def donor_name(donor) -> str:
    """The name to show for a donor: anonymous donors are not named on lists and receipts (only the
    treasurer, who records their money, sees the name, on the donors' own pages)."""
    return str(ANONYMOUS_DONOR) if donor.anonymous else donor.name


def label(words: dict, code: str | None) -> str:
    """The words for a code; an unknown code as it is (an empty one as nothing)."""
    return str(words.get(code, code or ""))


def choices(words: dict, *, blank: bool = False) -> list[tuple[str, object]]:
    """(code, words) for a form's select, in the table's order; `blank`: "Not recorded" first."""
    return [("", NOT_RECORDED)] * blank + list(words.items())


def template_globals() -> dict:
    """The labels as templates call them: role_label(role), loan_status_label(status), ..."""
    tables = {
        "role": ROLES,
        "loan_status": LOAN_STATUSES,
        "person_status": PERSON_STATUSES,
        "method": PAYMENT_METHODS,
        "donor_kind": DONOR_KINDS,
        "gender": GENDERS,
        "certificate": CERTIFICATES,
        "visit_kind": VISIT_KINDS,
        "access": ACCESSES,
    }
    found = {
        f"{name}_label": (lambda code, words=words: label(words, code)) for name, words in tables.items()
    }
    return {**found, "donor_label": donor_name}

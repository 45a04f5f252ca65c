"""What an import would create, or created, in words: "sẽ tạo 12 người được giúp đỡ, 40 khoản
đóng góp… tổng 123.000.000 ₫". The page and the command say the same."""

from tracker.formatting import format_money
from tracker.i18n import gettext as _
from tracker.i18n import ngettext
from tracker.importing.apply import Outcome

COUNTS = {
    "members": lambda n: ngettext("%(num)d team member", "%(num)d team members", n),
    "people": lambda n: ngettext("%(num)d person helped", "%(num)d people helped", n),
    "donors": lambda n: ngettext("%(num)d donor", "%(num)d donors", n),
    "donations": lambda n: ngettext("%(num)d donation", "%(num)d donations", n),
    "loans": lambda n: ngettext("%(num)d loan", "%(num)d loans", n),
    "repayments": lambda n: ngettext("%(num)d repayment", "%(num)d repayments", n),
    "visits": lambda n: ngettext("%(num)d visit", "%(num)d visits", n),
}


def counted(counter) -> str:
    return ", ".join(words(counter[sheet]) for sheet, words in COUNTS.items() if counter[sheet])


def lines(outcome: Outcome, imported: bool) -> list[str]:
    if outcome.errors:
        return [
            _(
                "%(count)s errors: nothing was imported. Correct the file and check it again.",
                count=len(outcome.errors),
            )
        ]
    result = []
    created = counted(outcome.created)
    if created:
        result.append(
            _("Imported: %(rows)s.", rows=created) if imported else _("Will create: %(rows)s.", rows=created)
        )
        result.append(
            _(
                "Donations %(donated)s, lent %(lent)s, repaid %(repaid)s.",
                donated=format_money(outcome.donated),
                lent=format_money(outcome.lent),
                repaid=format_money(outcome.repaid),
            )
        )
    else:
        result.append(_("Nothing new to import."))
    skipped = counted(outcome.skipped)
    if skipped:
        result.append(_("Already imported before, skipped: %(rows)s.", rows=skipped))
    return result

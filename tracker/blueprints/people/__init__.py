"""People helped (Người được giúp đỡ): search, the file, status and mentor changes.

Members see only the people assigned to them, treasurers those with a loan; every lookup goes
through access.get_person_or_404. Every opening of a file is logged (audit.log_access).
"""

from tracker.blueprints.people import referrals  # noqa: F401 (its routes join bp)
from tracker.blueprints.people.routes import bp

__all__ = ["bp"]

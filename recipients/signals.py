"""
What the address book announces to the apps that use it. It never imports
them: `letters` connects its receivers in `LettersConfig.ready()`.
"""

from __future__ import annotations

from django.dispatch import Signal

# Who holds an office changed (a new holder, a vacancy, a corrected or removed
# term). Sent only by `recipients.holders.announce_holder_change`, inside the
# transaction of the change, with `change` (a HolderChange) and `by` (the user,
# or None). A receiver may return an object with `letters` (the letters that
# follow the change) and `told` (the people it e-mailed); the announcement
# gathers them on the HolderChange, for the page to say what happened.
holder_changed = Signal()

"""Signals of the registry for the apps built on it.

``history_changed(sender, person)`` is sent after a person's dated state, births or
pregnancies changed through the services (not by the bulk loaders, whose data the
nightly rebuilds pick up). The services app rebuilds the person's follow-up schedule.
"""

from django.dispatch import Signal

history_changed = Signal()

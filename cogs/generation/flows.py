"""The paths a member walks: /imagine, /blend, /describe, /edit and the presses on a job's buttons.

`Flows` puts the parts together; each is a module of its own: `starting` (how any job starts, what they all
share), `commanded` (the slash commands), `edits` (/edit), `presses` (the buttons) and `finished` (/show, ✉️).
"""

from __future__ import annotations

from cogs.generation.commanded import Commands
from cogs.generation.edits import Edits
from cogs.generation.finished import Finished
from cogs.generation.presses import Presses
from cogs.generation.starting import UNKNOWN_JOB


class Flows(Commands, Edits, Presses, Finished):
    """Every path of the generation feature, on one set of services (see `starting.FlowsBase`)."""


__all__ = ["UNKNOWN_JOB", "Flows"]

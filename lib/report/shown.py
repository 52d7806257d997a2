"""What a notebook shows where none of its runs has finished at its profile (run_all.sh --no-train while
the training queue works): a note in place of each table and figure, not an error."""

import functools

from IPython.display import Markdown, display

NOTHING_YET = (
    "*Nothing to show yet: no run of this notebook has finished at this profile (the runs still to come are "
    "named above).*"
)


def needs_runs(show):
    """For a function of a list of runs: the note instead, when the list is empty."""

    @functools.wraps(show)
    def shown(results, *args, **kwargs):
        if not results:
            display(Markdown(NOTHING_YET))
            return None
        return show(results, *args, **kwargs)

    return shown


def first_run(show):
    """For a function of one run, called with the list: its first run, or the note when there is none."""

    @functools.wraps(show)
    def shown(results, *args, **kwargs):
        if isinstance(results, (list, tuple)):
            if not results:
                display(Markdown(NOTHING_YET))
                return None
            results = results[0]
        return show(results, *args, **kwargs)

    return shown

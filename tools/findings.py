"""Written readings of results: what a run showed that its numbers alone do not say.

A reading is prose, written after looking at a committed record; the numbers it refers to are shown by
the generated tables next to it, never typed here. Each names the profile of the record it reads.
tools/make_notebooks.py puts a version's reading under its notebook's "What this run showed".
"""

# version -> reading of its committed record
VERSIONS = {}

# notebook name -> reading, for notebooks that are not one version's
NOTEBOOKS = {}

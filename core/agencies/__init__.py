"""Agencies (cơ quan) of the centre as data: their national codes, parents, processing units
and the procedures of the catalogue each is competent for.

`codes.py` checks an agency's code, `registry.py` adds and edits agencies and their
competence, `units.py` their processing units. Every change is audited; the caller commits.
"""

"""Internal processes (quy trình nội bộ) of the agencies: how a dossier goes from step to step
after reception.

`definition.py` defines a process (its steps, their roles, units and allowances, summing to
the procedure's legal time) as a new version; `timing.py` turns a step's allowance into a
due time with the centre's calendar. Every function flushes and audits; the caller commits.
"""

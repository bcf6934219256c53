"""Notices to citizens: what is told (`texts.py`), to whom and on which channel they agreed
(`consent.py`), the durable outbox (`outbox.py`) and the events of tickets, dossiers and
bookings that queue them (`events.py`).

A notice is written in the transaction of the event it tells of and sent after the commit
by the worker (notices/worker.py, `flask --app wsgi worker`): a gateway that is down never
slows a tap, a call or a reception. The domain never talks to a gateway.
"""

"""Booked appointments: which slots a service offers (`slots.py`), booking, cancelling and
moving them (`booking.py`), checking in at the kiosk for a booked ticket (`check_in.py`)."""

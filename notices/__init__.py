"""The notices adapter: the senders that talk to an SMTP server and to HTTP gateways (SMS,
Zalo), and the worker that sends the outbox (core/notices/outbox.py) after the commit."""

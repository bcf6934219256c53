"""Accounts: staff users, devices and their keys, printer addresses."""

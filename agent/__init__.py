"""The print agent that runs on a kiosk PC (also usable as a standalone script)."""

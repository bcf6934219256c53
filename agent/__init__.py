"""The print agent that runs on a kiosk PC (also a standalone script), and the printer
connections it shares with the server's print worker."""

"""Ticket printing: slips rendered as ESC/POS bytes, durable print jobs and their printers."""

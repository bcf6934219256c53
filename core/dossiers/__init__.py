"""Dossiers (hồ sơ): procedures, the working-day calendar, reception, states, forms,
settings, the history import and personal data."""

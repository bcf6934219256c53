"""What every web surface shares: role checks."""

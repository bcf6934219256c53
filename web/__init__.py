"""What every web surface shares: role checks, and the one way a page commits."""

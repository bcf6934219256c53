"""Demo data: the demo desk and its generated history."""

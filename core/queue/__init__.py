"""The queue: services and their hours, counters, tickets and their numbers, calling,
the board, speech and ratings."""

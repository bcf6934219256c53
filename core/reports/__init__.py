"""Reports: periods, per-day summaries, the reform report, queue statistics, their tables
and documents, and the live view."""

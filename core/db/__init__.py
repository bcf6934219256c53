"""The database mechanics: transactions and the SQLite writer's turn, faults, bulk insert,
SQL time arithmetic and column types."""

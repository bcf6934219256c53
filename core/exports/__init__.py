"""Files built in the background: their job rows, who may see them, how long they stay."""

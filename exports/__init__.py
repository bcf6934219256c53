"""Files built away from the web requests: the dossier register streamed to XLSX or PDF
(`register_files.py`) and the worker that builds what the pages asked for (`worker.py`)."""

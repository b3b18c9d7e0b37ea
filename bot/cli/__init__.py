"""The operator's commands beside `run`: `doctor`, `imagine`/`action` and `ledger` (see `bot/__main__.py`)."""

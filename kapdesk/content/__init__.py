"""Reading and validating every file under ``resources/``: one problem collector, one
TOML reader, shared checks and one module per file kind (see ``kinds.py``)."""

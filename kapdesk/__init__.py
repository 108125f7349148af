"""kapdesk: an offline reference and decision aid for ketamine-assisted psychotherapy."""

__version__ = "0.1.0"

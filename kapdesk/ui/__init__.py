"""The Qt GUI: thin pages that turn clicks into core calls and show the results."""

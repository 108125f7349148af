"""Decision aids: pure functions over knowledge-base objects and rules data."""

"""The knowledge base: content loader, SQLite build, read API and search."""

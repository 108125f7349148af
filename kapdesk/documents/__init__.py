"""PDF documents built with reportlab. Import lazily: reportlab is slow to import."""

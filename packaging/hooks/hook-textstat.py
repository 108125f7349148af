"""PyInstaller hook: textstat reads its per-language easy-word lists from package data."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("textstat")

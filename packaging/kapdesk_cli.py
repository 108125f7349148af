"""PyInstaller entry for the console executable ``kapdesk`` (the CLI; ``gui`` opens the app)."""

from kapdesk.launch import main

raise SystemExit(main())

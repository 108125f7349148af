from kapdesk.ui.app import main

raise SystemExit(main())

from kapdesk.launch import main

raise SystemExit(main())

from newsarchiver.cli import main

raise SystemExit(main())

"""``python -m sogni_cli``: same as the ``sogni`` command."""

from .main import main

raise SystemExit(main())

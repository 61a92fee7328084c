"""`python -m claim_risk.training.adapt`: the adapt loop's command line."""

from .loop import main

raise SystemExit(main())

"""`python -m claim_risk.training.adapt`: the adapt loop's command line."""

from claim_risk.training.adapt.loop import main

raise SystemExit(main())

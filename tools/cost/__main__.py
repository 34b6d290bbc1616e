"""``python -m tools.cost [cdk.out] [docs/cost.md]``: write docs/cost.md."""

from tools.cost.report import main

main()

"""State changes of the reports app: rollups (rollups.py), exports (exports.py),
subscriptions (subscriptions.py)."""

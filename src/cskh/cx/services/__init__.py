"""State changes of the cx app, by topic: surveys, rollups, follow-ups, churn, retention,
referrals."""

"""State changes of the social app, by topic: ``intake`` (mentions in), ``sources`` (Facebook
feed webhook, RSS/Atom, vendor exports), ``cases`` (customer link, case), ``replies`` (the
response workflow), ``crisis`` (alerts)."""

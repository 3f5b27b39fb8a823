"""Social listening and reputation: public mentions (Facebook page feed, RSS/Atom, vendor
imports), their understanding, duplicate clusters, the social queue and public replies,
crisis alerts and the dashboard."""

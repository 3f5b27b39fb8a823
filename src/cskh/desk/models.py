# The desk owns no tables: live push events moved to cskh.core (core.LiveEvent).

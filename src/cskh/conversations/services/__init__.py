"""State changes of conversations, by topic: intake (inbound messages, cases), identity
(linking senders to customers), replies (outbound, notes, closing), clocks (due times, business
hours), webhooks (store then process), mail (e-mail in and out), presence (who is looking)."""

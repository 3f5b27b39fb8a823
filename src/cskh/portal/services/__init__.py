"""Portal services: sign-in by one-time code (auth), the customer's requests (requests),
photo uploads (uploads), outage subscriptions (outages)."""

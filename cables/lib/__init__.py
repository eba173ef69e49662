"""Shared plumbing under every slice: archive version, stored summaries, HTTP caching, rate limits, charts, forked workers, inert JSON."""

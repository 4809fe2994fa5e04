"""Web research: one guarded way to fetch a URL, and pluggable web search providers.

``fetcher.SafeFetcher`` is the only code that should download a page the user (or a search
result) names: it refuses private addresses, other schemes, oversized or slow answers, and
honours robots.txt. ``search`` turns a query into result links through Tavily, Exa, Serper
or a SearXNG instance; the links it returns are untrusted and must be fetched safely.
"""

"""Research: load sources, chunk them, embed them, and find evidence with citations."""

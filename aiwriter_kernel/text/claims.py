"""What every claim rule shares: how short a sentence may be and still claim something, and
why a claim with nothing retrieved for it gets no verdict.

The fact checker (which claims to check) and the citation review (which sentences need a
source) both use ``MIN_CLAIM_WORDS``, so they agree on what is too short to be a claim.
"""

from __future__ import annotations

from aiwriter_kernel.text.words import terms

MIN_CLAIM_WORDS = 4
NO_KEY_TERMS = "the claim has no key terms to look up"
NO_SOURCE_SENTENCE = "no retrieved source sentence to compare it with"


def unsourced_reason(claim: str) -> str:
    """Why ``claim`` has no evidence when no passage was retrieved for it."""
    return NO_SOURCE_SENTENCE if terms(claim) else NO_KEY_TERMS

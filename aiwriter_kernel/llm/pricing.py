"""Cost estimates from one price table (``data/prices.json``), so prices change in one place."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

PRICES_PATH = Path(__file__).resolve().parent.parent / "data" / "prices.json"
PER_TOKENS = 1_000_000


@cache
def price_table() -> dict[str, dict[str, dict[str, float]]]:
    table = json.loads(PRICES_PATH.read_text(encoding="utf-8"))
    return {provider: models for provider, models in table.items() if not provider.startswith("_")}


def _price(provider: str, model: str) -> dict[str, float] | None:
    models = price_table().get(provider, {})
    if model in models:
        return models[model]
    # Dated snapshots ("gpt-4o-mini-2024-07-18") cost what their base model costs.
    for name in sorted(models, key=len, reverse=True):
        if name != "*" and model.startswith(name + "-"):
            return models[name]
    return models.get("*")


def estimate_cost(
    provider: str, model: str, prompt_tokens: int | None, completion_tokens: int | None
) -> float | None:
    """Dollars for one call, or None when the model's price or the token counts are unknown."""
    price = _price(provider, model)
    if price is None or prompt_tokens is None or completion_tokens is None:
        return None
    return (prompt_tokens * price["input"] + completion_tokens * price["output"]) / PER_TOKENS

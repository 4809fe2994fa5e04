"""Alembic migrations of the store; a package so ``env.py`` ships with aiwriter."""

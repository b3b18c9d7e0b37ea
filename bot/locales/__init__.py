"""Translations of the texts the bot shows on Discord, one module per language."""

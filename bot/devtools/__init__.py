"""Tools for developing the bot (tests, benchmarks); nothing here runs in production."""

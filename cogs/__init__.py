"""The bot's Discord features, each a discord.py extension loaded by name (`EXTENSIONS`).

Each package has `async def setup(bot)`; it reaches the core only through `bot.client.host.Host`.
Imports run one way: cogs → bot.client → bot.core; nothing in `bot` imports a cog.
"""

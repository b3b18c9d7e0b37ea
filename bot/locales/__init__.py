"""The texts the bot shows on Discord: Fluent catalogs, one folder per language (`en-US/*.ftl`, `zh-CN/*.ftl`)."""

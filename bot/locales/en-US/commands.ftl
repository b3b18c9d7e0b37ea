# Slash commands as Discord lists them (bot/client/translator.py). The en-US values are exactly what the
# code writes in its decorators (the translator finds a key by its English text); zh-CN gives Discord the
# translations. Keys: cmd-<name> (a name), cmd-<name>-desc, cmd-mjadmin-<sub>-desc, opt-<command>-<option>-desc
# (opt-<option>-desc when several commands share it), choice-<value>.

## Command, group and subcommand names: lowercase, 1-32 letters, digits, - or _, no spaces (Discord's rule).

cmd-imagine = imagine
cmd-blend = blend
cmd-describe = describe
cmd-shorten = shorten
cmd-edit = edit
cmd-show = show
cmd-quota = quota
cmd-history = history
cmd-job = job
cmd-mjadmin = mjadmin
cmd-set = set
cmd-factor = factor
cmd-tier = tier
cmd-untier = untier
cmd-unlimited = unlimited
cmd-grant = grant
cmd-revoke = revoke
cmd-reset = reset
cmd-block = block
cmd-unblock = unblock
cmd-channel = channel
cmd-banword = banword
cmd-export = export
cmd-showcase = showcase
cmd-gallery = gallery
cmd-stats = stats
cmd-prefer = prefer
cmd-suffix = suffix
cmd-settings = settings

## /imagine, /blend, /describe, /shorten, /show (cogs/generation/commands.py).

cmd-imagine-desc = Create four images from a text prompt
opt-imagine-prompt-desc = What to draw, with any Midjourney parameters (up to 1500 characters)
opt-imagine-image-desc = A reference image (PNG, JPEG, WebP or GIF)
opt-imagine-image2-desc = A second reference image
opt-imagine-image3-desc = A third reference image
opt-mode-desc = Fast, Relax or Turbo (default: the server's setting)
opt-bot-desc = Midjourney or Niji
cmd-blend-desc = Blend 2 to 5 images into a new one
opt-blend-image1-desc = First image
opt-blend-image2-desc = Second image
opt-blend-image3-desc = Third image
opt-blend-image4-desc = Fourth image
opt-blend-image5-desc = Fifth image
opt-blend-dimensions-desc = Shape of the result (default square)
cmd-describe-desc = Four prompts that describe an image
opt-describe-image-desc = The image to describe
cmd-shorten-desc = Shorter versions of a prompt, to pick one and imagine it
opt-shorten-prompt-desc = The prompt to shorten
cmd-show-desc = Show a finished job again, with its buttons
cmd-edit-desc = Repaint your image from a prompt, whole or in parts
opt-edit-image-desc = The image to edit (PNG, JPEG, WebP or GIF)
opt-edit-prompt-desc = What the image should become (up to 1500 characters)
opt-edit-area-desc = The whole image (default), or parts you pick on a 3×3 grid
choice-fast = Fast
choice-relax = Relax
choice-turbo = Turbo
choice-midjourney = Midjourney
choice-niji = Niji
choice-portrait = Portrait (2:3)
choice-square = Square (1:1)
choice-landscape = Landscape (3:2)
choice-whole = Whole image
choice-parts = Pick parts on a grid

## /quota, /history, /job (bot/client/credits/member.py); the job number of /show too.

cmd-quota-desc = Your credits left today, bonus credits and jobs
cmd-history-desc = Your recent jobs
cmd-job-desc = One job: prompt, where it came from, status and cost
opt-job-id-desc = The job number (see /history)

## /mjadmin (bot/client/credits/admin.py).

cmd-mjadmin-desc = Manage the image bot on this server
cmd-mjadmin-show-desc = Show this server's settings
cmd-mjadmin-set-desc = Set a limit, cost, time zone or default
opt-mjadmin-value-desc = A number (0 = no limit, `default` = the bot's default), or the listed words
cmd-mjadmin-factor-desc = Set a factor of the cost table (mode, --q, --hd, --sref)
opt-mjadmin-factor-value-desc = An exact ratio such as 2, 0.5 or 1/4 (0 = free), or `default`
cmd-mjadmin-tier-desc = Give a role its own daily credits and running limit
opt-mjadmin-daily-desc = Credits a day (0 = no limit)
opt-mjadmin-running-desc = Jobs at once (0 = no limit)
cmd-mjadmin-untier-desc = Remove a role's tier
cmd-mjadmin-unlimited-desc = Let a role's members generate without a daily limit
cmd-mjadmin-grant-desc = Give a member bonus credits (they never expire)
cmd-mjadmin-revoke-desc = Take back bonus credits
cmd-mjadmin-reset-desc = Give a member today's credits back
cmd-mjadmin-block-desc = Stop a member from using the bot here
cmd-mjadmin-unblock-desc = Let a blocked member use the bot again
cmd-mjadmin-channel-desc = Allow or disallow the bot in a channel (none listed: all)
cmd-mjadmin-banword-desc = Add or remove a word refused in prompts
cmd-mjadmin-export-desc = This server's credit ledger as a CSV file
cmd-mjadmin-stats-desc = Jobs, credits and failures today and this month, with a chart

## The settings /mjadmin set offers (choice names).

choice-daily-credits = daily_credits
choice-user-running = user_running
choice-user-waiting = user_waiting
choice-server-running = server_running
choice-cost-grid = cost_grid
choice-cost-upscale = cost_upscale
choice-cost-hd-upscale = cost_hd_upscale
choice-cost-describe = cost_describe
choice-cost-video = cost_video
choice-cost-edit = cost_edit
choice-timezone = timezone
choice-press-policy = press_policy (anyone | owner)
choice-default-mode = default_mode (fast | relax | turbo | none)
choice-default-bot = default_bot (midjourney | niji | none)
choice-default-version = default_version (8.1 | 8 | 7 | 6.1 | none)
choice-moderation-strikes = moderation_strikes (0 = off)
choice-refund-cancelled = refund_cancelled (on | off)
choice-video = video (on | off)
choice-factor-fast = factor_fast
choice-factor-relax = factor_relax
choice-factor-turbo = factor_turbo
choice-factor-q-quarter = factor_q_quarter
choice-factor-q-half = factor_q_half
choice-factor-q2 = factor_q2
choice-factor-q4 = factor_q4
choice-factor-hd = factor_hd
choice-factor-sref = factor_sref
choice-factor-moodboard = factor_moodboard

## /prefer suffix and /settings (bot/client/preferences/commands.py).

cmd-prefer-desc = Your own defaults on this server
cmd-prefer-suffix-desc = Text added to the end of every prompt you /imagine
opt-prefer-value-desc = The suffix, e.g. --ar 16:9 --style raw (leave it out to clear it)
cmd-settings-desc = Your defaults on this server: mode, bot, Remix and suffix
choice-translate-prompts = translate_prompts (on | off)

## /gallery and /mjadmin showcase (bot/client/gallery/feature.py, bot/client/credits/admin.py).

cmd-gallery-desc = A private link to this server's images on the web
cmd-mjadmin-showcase-desc = The channel where ⭐ posts finished images (none: off)

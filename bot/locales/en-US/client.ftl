# What the Discord layer tells a member (bot/client). Keys are what the code writes
# (`Text("quota-bonus", bonus=3)`); the zh-CN catalog has the same keys with the same variables.
# Midjourney's own button names (Vary (Region), Remix) stay in English inside sentences, as the
# buttons themselves do. Numbers select plurals: `{ $cost -> [one] … *[other] … }`; a limit of 0 means
# "no limit" and selects `[0]`.

## The answer of last resort (bot/client/errors.py); the log line carries the same id.

error-unexpected = Something went wrong on the bot's side. Please try again; if it keeps happening, tell a server admin. (error { $id })

## /imagine, /blend, /describe, /shorten, /show and the presses on a job's buttons (cogs/generation/starting.py, commanded.py, presses.py, finished.py).

job-unknown = This button belongs to a job the bot no longer knows.
job-owner-only = On this server only the member who started a job can use its buttons.
job-video-off = Video is turned off on this server. Nothing was charged.
job-started = 🎨 Your job has started: { $link }
job-not-posted-here = The bot could not post this job's message here. Nothing was charged.
job-not-posted = The bot could not post this job's message. Nothing was charged.
job-action-unavailable = This action is not available in this bot.
job-shown-again = Job #{ $id } is shown again: { $link }
job-nothing-to-show = Job #{ $id } has no finished image to show.
job-title-describe = Describe
job-title-shorten = Shorten
job-title-edit = Edit
blend-title = Blend of { $count } images ({ $shape ->
        [portrait] portrait
        [landscape] landscape
       *[square] square
    })
input-blend-count = /blend takes { $min } to { $max } images; you gave { $count }.
input-too-large = `{ $filename }` is larger than the { $limit } MB limit for images.
input-not-image = `{ $filename }` is not an image ({ $content_type }). Attach a PNG, JPEG or WebP.
input-not-downloaded = `{ $filename }` could not be downloaded from Discord. Try again.
# A refusal ($reason: the core's Text) with the prompt handed back under it.
input-refused = ❌ { $reason } Nothing was submitted.
input-your-prompt = Your prompt:
input-prompt-attached = Your prompt is attached so you can edit it.
remix-refused = ❌ { $reason } Press Remix prompt again to change it.
remix-not-waiting = This job is no longer waiting for a prompt.
remix-owner-only = Only the member who started this job can remix it.
region-repainting = 🖌️ Repainting the chosen parts…
region-unreadable = The image to repaint could not be read. Please try again.
dm-sent = ✉️ Sent to your direct messages.
dm-not-fetched = The image could not be fetched right now. Please try again later.
dm-closed = Your direct messages are closed to this bot. Allow direct messages from this server's members (Privacy Settings) and press ✉️ again.
dm-seed = Seed: `{ $seed }`
cancel-not-allowed = Only the member who started this job, or a server admin, can cancel it.
cancel-too-late = This job can no longer be cancelled: it is being submitted or has ended.

## A job's public message (cogs/generation/render.py): **prompt** - title by <@member> (status).

job-message-by = { $title } by { $user }
job-message-queued = (Queued)
job-message-queued-at = (Queued, position { $position })
job-message-starting = (Waiting to start)
job-message-remix = (Waiting for your Remix prompt)
job-message-mirroring = (Waiting for the same upscale, already on its way)
job-message-failed = The job failed.
job-message-cancelled = Cancelled.
# Under a finished image: the prompt the API says it used, when it differs from the member's (a translation).
job-message-prompt-used = Prompt used: { $prompt }

## A message posted just before the bot stopped, its job never recorded (cogs/generation/posted_messages.py).

job-restarted-unrecorded = The bot restarted before this job started. Nothing was charged; please try again.

## Buttons, menus and dialogs (cogs/generation: cancel.py, remix.py, send_to_me.py, region.py, modals.py).

button-cancel = Cancel
button-remix = Remix prompt
button-send-to-me = Send to me
button-repaint = Repaint
button-edit-prompt = Edit prompt…
button-newer = ◀ Newer
button-older = Older ▶
region-help = 🖌️ **Vary (Region)** — choose the parts of the image to repaint (the image split in a 3×3 grid).
region-chosen = Chosen: { $chosen }.
region-nothing-yet = nothing yet
region-placeholder = Choose the parts to repaint
region-top-left = Top left
region-top-middle = Top middle
region-top-right = Top right
region-middle-left = Middle left
region-centre = Centre
region-middle-right = Middle right
region-bottom-left = Bottom left
region-bottom-middle = Bottom middle
region-bottom-right = Bottom right
edit-region-help = ✏️ **/edit** — choose the parts of your image to repaint (the image split in a 3×3 grid).
button-edit-go = Edit these parts
edit-starting = ✏️ Editing the chosen parts…
edit-expired = This /edit is no longer waiting (15 minutes passed, or the bot restarted). Please run /edit again.
dialog-remix = Remix
dialog-vary-region = Vary (Region)
dialog-custom-zoom = Custom Zoom
dialog-prompt = Prompt
dialog-zoom = Zoom out (1.0 to 2.0)
dialog-zoom-invalid = ❌ The zoom must be a number from 1.0 to 2.0, not `{ $value }`. Nothing was submitted.

## /quota (bot/client/credits/member.py).

quota-left = **Credits left today:** { $left } of { $daily }
quota-left-unlimited = **Credits left today:** unlimited
quota-bonus = **Bonus credits:** { $bonus }
# A limit of 0: none, so no "of".
quota-jobs = **Jobs running:** { $running_limit ->
        [0] { $running }
       *[other] { $running } of { $running_limit }
    } · **waiting:** { $waiting_limit ->
        [0] { $waiting }
       *[other] { $waiting } of { $waiting_limit }
    }
# $reset: a Unix time, shown by Discord in the reader's clock.
quota-reset = **Daily credits come back** <t:{ $reset }:t> (<t:{ $reset }:R>)
quota-prices = **Prices:** a job costs its action's credits × these factors (mode, then `--q`, and on V8 `--hd`, `--sref`, moodboards `--profile`), rounded up: { $factors }
job-price = 💳 This job costs { $cost ->
        [one] { $cost } credit
       *[other] { $cost } credits
    } ({ $base } × { $factors }).

## /history (bot/client/credits/member.py). $refunded is yes or no.

history-empty = You have no jobs yet.
history-no-more = No more jobs.
history-title = **Your jobs** (page { $page })
history-line = { $icon } **#{ $id }** { $action } · { $refunded ->
        [yes] { $cost } refunded
       *[no] { $cost ->
            [one] { $cost } credit
           *[other] { $cost } credits
        }
    } · { $prompt }
history-not-yours = These pages are someone else's.

## /job (bot/client/credits/member.py); /show refuses with job-none too.

job-none = You have no job #{ $id } on this server.
job-heading = **Job #{ $id }** · { $action }
job-heading-titled = **Job #{ $id }** · { $action } · { $title }
job-owner = **By** <@{ $user_id }> · { $icon } { $status }
job-owner-running = **By** <@{ $user_id }> · { $icon } { $status } ({ $progress }%)
job-cost = **Cost:** { $refunded ->
        [yes] { $cost } refunded
       *[no] { $cost ->
            [one] { $cost } credit
           *[other] { $cost } credits
        }
    }
job-prompt = **Prompt:** { $prompt }
job-made-from = **Made from:** { $chain }
job-error = **Error:** { $error }

## A job's kind, as /history and /job show it: `action-` and the JobAction value, `_` as `-` (bot/core/models.py).

action-imagine = imagine
action-upscale = upscale
action-variation = variation
action-reroll = reroll
action-upscale-hd = upscale_hd
action-vary-subtle = vary_subtle
action-vary-strong = vary_strong
action-vary-region = vary_region
action-zoom = zoom
action-custom-zoom = custom_zoom
action-pan = pan
action-bookmark = bookmark
action-blend = blend
action-describe = describe
action-describe-pick = describe_pick
action-shorten = shorten
action-video = video
action-video-extend = video_extend
action-video-upscale = video_upscale
action-edit = edit
action-other = other

## A job's state, as /job shows it: `status-` and the JobStatus value, `_` as `-`.

status-waiting = waiting
status-submitting = submitting
status-queued = queued
status-running = running
status-needs-input = needs_input
status-mirroring = mirroring
status-succeeded = succeeded
status-failed = failed
status-cancelled = cancelled

## What /mjadmin set refuses (bot/client/credits/admin.py, `apply_setting`), shown after "❌ ".

admin-number-or-default = `{ $name }` takes a whole number (0 means no limit), or `default`.
admin-number-off = `{ $name }` takes a whole number (0 means off).
admin-negative = `{ $name }` cannot be negative.
admin-bad-timezone = `{ $value }` is not a time zone; use a name such as `UTC` or `Asia/Shanghai`.
admin-bad-press-policy = `press_policy` is `anyone` (the presser pays) or `owner` (only the job's owner).
admin-bad-default-mode = `default_mode` is `fast`, `relax`, `turbo` or `none`.
admin-bad-default-bot = `default_bot` is `midjourney`, `niji` or `none`.
admin-bad-default-version = `default_version` is one of { $versions }, or `none`.
admin-bad-refund-cancelled = `refund_cancelled` is `on` (cancelled jobs are refunded) or `off`.
admin-bad-video = `video` is `on` (Animate and the video buttons are offered) or `off`.
admin-bad-translate-prompts = `translate_prompts` is `on` (the API is asked to translate prompts) or `off`.
admin-unknown-setting = Unknown setting `{ $name }`.

## /mjadmin show: the server's settings (bot/client/credits/admin.py, `describe_config`).

admin-settings = **Server settings**
admin-settings-limits = Daily credits: { $daily_credits } · running per member: { $user_running } · waiting per member: { $user_waiting } · running in the server: { $server_running }
# A limit: $value is a number (0: none) or admin-no-limit.
admin-no-limit = no limit
admin-default-value = { $value } (default)
admin-settings-costs = Costs: { $costs } · factors (credits = cost × mode × parameters, rounded up): { $factors }
admin-providers = Image APIs (new jobs go to the first answering): { $providers }
admin-provider-up = `{ $name }` ✅ answering
admin-provider-down = `{ $name }` ⛔ skipped until <t:{ $until }:T> ({ $reason })
admin-bad-factor = `{ $name }` takes an exact ratio from 0 to 100, such as 2, 0.5 or 1/4, or `default`.
admin-settings-defaults = Time zone: { $timezone } · buttons: { $press_policy } · mode: { $mode } · bot: { $bot } · version: { $version }
admin-api-default = API default
admin-settings-tiers = Role tiers: { $tiers }
# One role's tier in that list; 0 is no limit.
admin-tier-entry = { $role } { $daily ->
        [0] ∞
       *[other] { $daily }
    }/day, { $running ->
        [0] ∞
       *[other] { $running }
    } running
admin-settings-unlimited = Unlimited roles: { $roles }
admin-settings-channels = Channels: { $channels }
admin-settings-banned = Banned words: { $words }
admin-settings-blocked = Blocked members: { $members }
admin-settings-strikes = Moderation strikes before a day's block: { $strikes ->
        [0] off
       *[other] { $strikes }
    }
# $refund is on or off.
admin-settings-refund = Cancelled jobs refunded: { $refund ->
        [on] on
       *[off] off
    }
# $video is on or off.
admin-settings-video = Video (Animate, Extend, video U1–U4): { $video ->
        [on] on
       *[off] off
    }
# $translate is on or off.
admin-settings-translate = Prompts translated by the API: { $translate ->
        [on] on
       *[off] off
    }
admin-settings-strikes-today = Strikes today: { $strikes }
admin-none = none
admin-all = all

## /mjadmin answers (bot/client/credits/admin.py).

admin-no-permission = ❌ /mjadmin needs the Manage Server permission.
admin-limits-negative = ❌ Limits cannot be negative.
admin-give-word = ❌ Give a word.
admin-set = ✅ `{ $setting }` is now `{ $value }`.
# 0 is no limit.
admin-tier = ✅ { $role }: { $daily ->
        [0] unlimited credits
        [one] { $daily } credit
       *[other] { $daily } credits
    } a day, { $running ->
        [0] unlimited jobs
        [one] { $running } job
       *[other] { $running } jobs
    } at once.
admin-untier = ✅ { $role } has no tier now.
admin-unlimited-on = ✅ { $role } is now unlimited.
admin-unlimited-off = ✅ { $role } is no longer unlimited.
admin-granted = ✅ Granted { $amount ->
        [one] { $amount } bonus credit
       *[other] { $amount } bonus credits
    } to { $member }; they have { $total } now.
admin-bonus-now = ✅ { $member } has { $total ->
        [one] { $total } bonus credit
       *[other] { $total } bonus credits
    } now.
admin-reset = ✅ { $member } got { $restored ->
        [one] { $restored } credit
       *[other] { $restored } credits
    } back for today, and today's strikes are cleared.
admin-blocked = ✅ { $member } is blocked.
admin-unblocked = ✅ { $member } is no longer blocked.
admin-channel-allowed = ✅ { $channel } is allowed.
admin-channel-unlisted = ✅ { $channel } is no longer listed.
admin-word-banned = ✅ `{ $word }` is banned.
admin-word-allowed = ✅ `{ $word }` is allowed again.
admin-export = The credit ledger of this server:
admin-usage = **Usage**

## A member's own defaults: /prefer suffix and /settings (bot/client/preferences).
prefer-suffix-set = ✅ Your suffix is now `{ $suffix }`: it is added to the end of every prompt you /imagine on this server.
prefer-suffix-cleared = ✅ Your suffix is cleared: your prompts go as you write them.
prefer-suffix-refused = ❌ { $reason } Your suffix was not changed.
settings-title = **Your settings on this server** (a command's own mode or bot option still wins)
settings-mode = **Mode:** { $mode }
settings-bot = **Bot:** { $bot }
settings-version = **Version:** { $version }
settings-remix-on = **Remix:** on (variations, re-rolls and pans ask for your prompt first)
settings-remix-off = **Remix:** off
settings-suffix = **Suffix:** `{ $suffix }`
settings-suffix-none = **Suffix:** none
settings-server-default = Server default ({ $value })
settings-mode-placeholder = Mode
settings-bot-placeholder = Bot
settings-version-placeholder = Midjourney version
settings-not-yours = These are another member's settings. Open your own with /settings.
button-remix-on = Turn Remix on
button-remix-off = Turn Remix off
button-suffix = Suffix…
dialog-suffix = Your suffix
dialog-suffix-field = Added to every /imagine (empty: none)
feature-off = This feature is turned off on this server.

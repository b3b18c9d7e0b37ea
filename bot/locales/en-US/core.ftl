# What the core and the image services' dialects tell a member (bot/core). Keys are what the code
# writes (`Text("prompt-empty")`); the zh-CN catalog has the same keys with the same variables.

## Text kept as it was written: an upstream's own label, or an English sentence of a ledger older than keys.
verbatim = { $text }

## A member's limits and this server's rules (bot/core/accounts.py, standing.py, quota.py): shown after "❌ ".
wait = { $hours ->
        [0] { $minutes } min
       *[other] { $hours } h { $minutes } min
    }
refusal-blocked = You are blocked from using this bot in this server.
refusal-restarting = The bot is restarting and takes no new jobs for now. Nothing was charged; please try again in a minute.
refusal-channels = This bot works only in { $channels } on this server.
refusal-credits-used = You have used your { $daily } credits for today and this costs { $cost }. Your credits come back at { $time } { $timezone } (in { $wait }).
refusal-credits-short = This costs { $cost ->
        [one] { $cost } credit
       *[other] { $cost } credits
    } and you have { $left } left today. Your credits come back at { $time } { $timezone } (in { $wait }).
refusal-slots-full = You already have { $running } jobs running and { $waiting } waiting, the most allowed. A slot frees as soon as one of them finishes.
refusal-strikes-blocked = You are blocked for the rest of the day after { $strikes } prompts refused by moderation; you can use the bot again at { $time } { $timezone } (in { $wait }).
refusal-banned-word = Your prompt contains a word this server does not allow: `{ $word }`.
refusal-and-strike = { $reason } Strike { $strikes } of { $limit } today.
refusal-and-blocked = { $reason } { $blocked }

## A prompt refused before anything is paid (bot/core/prompts.py).
prompt-empty = The prompt is empty. Describe the image you want.
prompt-too-long = The prompt is { $length } characters long; the limit is { $limit }.
prompt-stacked-marks = The prompt has too many stacked accent marks. Remove them and try again.
prompt-only-parameters = The prompt has only parameters. Describe the image you want before them.
prompt-unknown-parameter = `--{ $name }` is not a Midjourney parameter the bot knows. Check its spelling.
prompt-invalid-parameter = `--{ $name } { $value }` is not valid: `--{ $name }` takes { $takes }.
version-no-quality = Midjourney { $version } does not take `--q`: it draws at full quality (add `--hd` for 2048 px). Remove `--q`, or add `--v 7` to use it.
version-only-v7 = `--{ $name }` works only on Midjourney V7, and this prompt goes to { $version }. Add `--v 7`, or remove `--{ $name }`.
version-hd-v8 = `--hd` (native 2048 px) needs Midjourney V8 or later, and this prompt goes to { $version }. Add `--v 8.1`, or remove `--hd`.
version-turbo-fast = ⚡ Midjourney { $version } has no Turbo mode: this job goes at Fast.
param-takes-ratio = whole numbers W:H, at most { $ratio }:1 either way
param-takes-whole = a whole number from { $low } to { $high }
param-takes-number = a number from { $low } to { $high }
param-takes-quality = 0.25, 0.5, 1, 2 or 4
param-takes-one-of = one of { $values }
param-takes-niji = 4, 5, 6 or 7
param-takes-style = a style name such as raw
param-takes-exclusions = the things to leave out
param-takes-link = an image link
param-takes-link-or-code = an image link or a style code
param-takes-style-version = a style version
param-takes-profile = a profile code

## Attached images refused by their bytes, and result downloads (bot/core/images.py).
image-too-big = `{ $filename }` is { $size }; the limit is { $limit }.
image-too-many-pixels = `{ $filename }` has too many pixels to be used.
image-unreadable = `{ $filename }` is not an image the bot can read (PNG, JPEG, WebP or GIF).
image-wrong-format = `{ $filename }` is a { $format } image; use PNG, JPEG, WebP or GIF.
result-not-image = The image service's result is not an image.
result-not-video = The image service's result is not an MP4 video.
result-download-failed = The finished image could not be downloaded from the image service.
result-too-large = The finished image is too large to download.
result-link-refused = The image service's result points at an address the bot does not fetch from; a server admin should check the image service.

## What an upstream's own reason means, whichever dialect or language it came in (bot/core/reasons.py).
upstream-moderation = Midjourney's moderation refused this prompt. Try different wording.
upstream-at-limit = The image service is at its limit right now. Try again soon.
upstream-no-channel = The API reseller has no channel for { $model ->
        [none] this request
       *[other] { $model }
    }: a server admin should check the reseller's settings.
upstream-no-account = The image service has no Midjourney account free right now. Try again later.
upstream-account-lost = The image service's Midjourney account became unavailable during the job. Try again later.
upstream-failed-retry = The image service failed the job (its account may be out of fast hours). Try again later.
upstream-account-blocked = The image service's account is blocked for a while after refused prompts. Try again later.
upstream-account-standing = The image service's Midjourney account cannot work right now (its subscription or standing): a server admin should check it.
upstream-timed-out = The image service gave up on this job (it timed out upstream). Try again.
upstream-out-of-credit = The image service account has run out of credit. A server admin needs to top it up.
upstream-failed-no-reason = The image service could not finish this job and gave no reason.
upstream-failed-said = The image service could not finish this job. It said: “{ $reason }”
upstream-refused-said = The image service refused the request. It said: “{ $reason }”

## The image service's answers, in either dialect (bot/core/providers/proxy.py, acedata.py).
upstream-unreadable = The image service sent an answer the bot could not read.
upstream-unreadable-list = The image service sent a task list the bot could not read.
upstream-empty = The image service sent an empty answer.
upstream-no-task-id = The image service accepted the request but sent no task id.
upstream-refused = The image service refused the request.
upstream-refused-code = The image service refused the request (code { $code }).
upstream-refused-status = The image service refused the request (HTTP { $status }).
upstream-cannot-take = The image service could not take the job.
upstream-filter = Your prompt was refused by the image service's filter{ $word ->
        [none] {""}
       *[other] {" "}(banned word: { $word })
    }.
upstream-queue-full = The image service's queue is full. Try again in a minute.
upstream-parent-gone = The image service no longer knows the original job (it may have expired).
upstream-parent-gone-imagine = The image service no longer knows the original job (it may have expired). Start a new /imagine.
upstream-system-error = The image service had a system error. Try again later.
upstream-internal-error = The image service had an internal error{ $status ->
        [0] {""}
       *[other] {" "}(HTTP { $status })
    }. Try again later.
upstream-no-task-list = The image service keeps no task list.
upstream-no-answer-in-time = The image service did not answer in time. Try again in a moment.
upstream-job-timed-out = The image service timed out on this job. Try again in a moment.
upstream-unreachable = The image service cannot be reached right now. Try again later.
upstream-redirected = The image service sent the request on to another address, which the bot does not follow with its key; a server admin should check MJ_API_BASE.
upstream-rate-limited = The image service is rate limiting the bot. Try again in a minute.
upstream-web-page = The image service answered with a web page instead of the API: a server admin needs to check MJ_API_BASE.
upstream-no-endpoint = The image service does not offer this endpoint. A server admin needs to check MJ_API_BASE.
upstream-key-refused = The image service refused the bot's API key. A server admin needs to check MJ_API_KEY.
upstream-key-expired = The bot's API key for the image service has expired. A server admin needs to check MJ_API_KEY.
upstream-key-missing = The image service got no API key from the bot. A server admin needs to check MJ_API_KEY.
upstream-account-disabled = The image service has disabled the bot's account. A server admin needs to check MJ_API_KEY.
upstream-needs-image-links = This image service needs images it can download, and one of the images has no link.
blend-count = A blend needs 2 to 5 images.

## What a job is called in its message, from the button that made it (bot/core/buttons.py).
title-image = Image #{ $n }
title-variations = Variations of image #{ $n }
title-reroll = Re-roll
title-upscale = { $redo ->
        [yes] Redo Upscale
       *[no] Upscale
    } ({ $kind ->
        [subtle] Subtle
        [creative] Creative
       *[other] { $kind }
    })
title-vary-subtle = Variations (Subtle)
title-vary-strong = Variations (Strong)
title-vary-region = Variations (Region)
title-zoom-out = Zoom Out { $factor }
title-zoom-out-value = Zoom Out ({ $value })
title-make-square = Make Square
title-custom-zoom = Custom Zoom
title-pan = { $direction ->
        [left] Pan Left
        [right] Pan Right
        [up] Pan Up
       *[down] Pan Down
    }
title-favourite = Favourite
# $motion is high or low.
title-animate = { $motion ->
        [high] Animate (High motion)
       *[low] Animate (Low motion)
    }
title-video-extend = { $motion ->
        [high] Extend (High motion)
       *[low] Extend (Low motion)
    }
title-video = Video #{ $n }
title-prompt = Prompt { $n }
title-other = Action

## A job's end, told by the job service (bot/core/jobs.py).
job-restarted-before-start = The bot restarted before this job started. Please try again.
job-restarted-before-submit = The bot restarted before this job reached the image service. Please try again.
job-restarted-while-submitting = The bot restarted while this job was being submitted and cannot tell whether the image service took it. It was refunded; please try again.
job-request-lost = This job lost its request. Please start it again.
edit-unsupported = The image service this bot uses cannot edit images, so /edit is not available here.
job-parent-gone = The job this one started from is gone.
job-shared-upscale-gone = The upscale this was waiting for is gone. Press the button again.
job-shared-upscale-failed = The upscale this was waiting for failed; nothing was charged for it. Press the button again.
job-button-gone = That button no longer works on this job.
job-bookmarked = ❤️ Saved to the favourites of the image service's account.
job-submit-crashed = Something went wrong while submitting this job.
job-lost-upstream = The image service lost track of this job. Please try again.
job-remix-timeout = No Remix prompt was given within { $minutes } minutes.
job-timeout = The job took longer than { $minutes } minutes and was given up. Please try again.
job-no-prompts = The image service described the image but sent no prompts.
job-no-image = The image service finished the job but sent no image.
job-image-undownloadable = The image service finished the job, but its image could not be downloaded. It was refunded.
job-no-video = The image service finished the video job but sent no video.
job-video-undownloadable = The image service finished the job, but its videos could not be downloaded as MP4 files. It was refunded.
job-cancelled = Cancelled.
job-cancelled-refunded = Cancelled; its credits were given back.

## A server's figures for /mjadmin stats and the operator's `ledger stats` (bot/core/usage.py).
usage-line = { $period ->
        [today] Today
       *[month] This month
    }: { $jobs } jobs, { $failed } failed · { $charged } credits charged, { $refunded } refunded, { $spent } spent · { $strikes } moderation strikes
usage-factors = This month by price factor (jobs · credits spent): { $factors }

## A member's suffix (bot/core/preferences.py).
prompt-too-long-suffix = With your suffix (/prefer suffix) the prompt is { $length } characters long; the limit is { $limit }. Shorten the prompt or the suffix.
suffix-too-long = The suffix is { $length } characters long; the limit is { $limit }.
suffix-banned-word = Your suffix contains a word this server does not allow: `{ $word }`.
# A known reason in plain words, then the image service's own (they often tell more).
upstream-explained = { $explanation } It said: “{ $reason }”
# The open-source proxy's buttons (/mj/submit/change) cannot carry a Remix prompt.
remix-not-here = This image service cannot take a Remix prompt for this button, so nothing was charged. Turn Remix off in /settings to press it without one.

"""Simplified Chinese (zh-CN) for everything a Discord member can see from the bot.

`MESSAGES` maps English template lines to Chinese ones, for `bot.i18n.tr`: a `{name}` stands for any
text, and what it captured is itself translated when it matches an entry (so `❌ {reason} Nothing was
submitted.` works for every reason below). Each key is one line exactly as the code writes it; user
prompts, links and code blocks match nothing and stay as they are. When two keys can match the same
line, the one with more literal text wins: keep the specific variants (`... of {limit}`) next to the
general one.

`COMMANDS` gives Discord the Chinese names and descriptions of the slash commands (through
`bot.client.translator.CommandTranslator`): command names, descriptions, option descriptions and
choice names. Names follow Discord's rule: 1-32 letters, digits, `-` or `_`, no spaces.

Midjourney's own button labels (`Vary (Region)`, `Remix`) stay in English inside sentences, as the
buttons themselves do.
"""

# Refusals for a member's limits or this server's rules (bot/core/accounts.py): shown on their own,
# inside "❌ {reason} Nothing was submitted." and after "❌ " when a button press is refused.
_REFUSALS: dict[str, str] = {
    "You are blocked from using this bot in this server.": "你已被禁止在本服务器使用这个机器人。",
    "This bot works only in {channels} on this server.": "在本服务器，这个机器人只能在 {channels} 中使用。",
    (
        "You have used your {daily} credits for today and this costs {cost}. Your credits come back at {time} "
        "{timezone} (in {hours} h {minutes} min)."
    ): (
        "你今天的 {daily} 积分已用完，本次需要 {cost} 积分。积分将于 {time}（{timezone}）恢复，还有 {hours} 小时 "
        "{minutes} 分钟。"
    ),
    (
        "You have used your {daily} credits for today and this costs {cost}. Your credits come back at {time} "
        "{timezone} (in {minutes} min)."
    ): "你今天的 {daily} 积分已用完，本次需要 {cost} 积分。积分将于 {time}（{timezone}）恢复，还有 {minutes} 分钟。",
    (
        "You already have {running} jobs running and {waiting} waiting, the most allowed. A slot frees as soon as "
        "one of them finishes."
    ): "你已有 {running} 个任务在进行、{waiting} 个在排队，已达上限。其中任意一个完成后就会空出名额。",
    (
        "This costs {cost} credits and you have {left} left today. Your credits come back at {time} {timezone} "
        "(in {hours} h {minutes} min)."
    ): (
        "本次需要 {cost} 积分，你今天只剩 {left} 积分。积分将于 {time}（{timezone}）恢复，"
        "还有 {hours} 小时 {minutes} 分钟。"
    ),
    (
        "This costs {cost} credits and you have {left} left today. Your credits come back at {time} {timezone} "
        "(in {minutes} min)."
    ): "本次需要 {cost} 积分，你今天只剩 {left} 积分。积分将于 {time}（{timezone}）恢复，还有 {minutes} 分钟。",
    (
        "You are blocked for the rest of the day after {strikes} prompts refused by moderation; you can use the bot "
        "again at {time} {timezone} (in {hours} h {minutes} min)."
    ): (
        "你今天已有 {strikes} 次提示词被审核拒绝，今天余下时间不能使用机器人；{time}（{timezone}）后可再次使用，"
        "还有 {hours} 小时 {minutes} 分钟。"
    ),
    (
        "You are blocked for the rest of the day after {strikes} prompts refused by moderation; you can use the bot "
        "again at {time} {timezone} (in {minutes} min)."
    ): (
        "你今天已有 {strikes} 次提示词被审核拒绝，今天余下时间不能使用机器人；{time}（{timezone}）后可再次使用，"
        "还有 {minutes} 分钟。"
    ),
    "{reason} Strike {strikes} of {limit} today.": "{reason} 这是你今天第 {strikes} 次违规（上限 {limit} 次）。",
    (
        "{reason} You are blocked for the rest of the day after {strikes} prompts refused by moderation; you can use "
        "the bot again at {time} {timezone} (in {hours} h {minutes} min)."
    ): (
        "{reason} 你今天已有 {strikes} 次提示词被审核拒绝，今天余下时间不能使用机器人；"
        "{time}（{timezone}）后可再次使用，"
        "还有 {hours} 小时 {minutes} 分钟。"
    ),
    (
        "{reason} You are blocked for the rest of the day after {strikes} prompts refused by moderation; you can use "
        "the bot again at {time} {timezone} (in {minutes} min)."
    ): (
        "{reason} 你今天已有 {strikes} 次提示词被审核拒绝，今天余下时间不能使用机器人；"
        "{time}（{timezone}）后可再次使用，"
        "还有 {minutes} 分钟。"
    ),
}

# What /mjadmin set refuses (bot/client/credits/admin.py, `apply_setting`), always shown after "❌ ".
_ADMIN_ERRORS: dict[str, str] = {
    "`{name}` takes a whole number (0 means no limit), or `default`.": (
        "`{name}` 需要一个整数（0 表示不限），或 `default`。"
    ),
    "`{name}` cannot be negative.": "`{name}` 不能为负数。",
    "`{name}` takes a whole number (0 means off).": "`{name}` 需要一个整数（0 表示关闭）。",
    "`{value}` is not a time zone; use a name such as `UTC` or `Asia/Shanghai`.": (
        "`{value}` 不是有效的时区；请使用 `UTC` 或 `Asia/Shanghai` 这样的时区名称。"
    ),
    "`press_policy` is `anyone` (the presser pays) or `owner` (only the job's owner).": (
        "`press_policy` 只能是 `anyone`（谁点按钮谁付费）或 `owner`（仅任务发起人可用）。"
    ),
    "`default_mode` is `fast`, `relax`, `turbo` or `none`.": (
        "`default_mode` 只能是 `fast`、`relax`、`turbo` 或 `none`。"
    ),
    "`default_bot` is `midjourney`, `niji` or `none`.": "`default_bot` 只能是 `midjourney`、`niji` 或 `none`。",
    "Unknown setting `{name}`.": "未知的设置项 `{name}`。",
}

MESSAGES: dict[str, str] = {
    # /imagine, /blend, /describe and button presses (bot/client/generation/flows.py).
    "This button belongs to a job the bot no longer knows.": "这个按钮所属的任务已不在机器人的记录中。",
    "On this server only the member who started a job can use its buttons.": (
        "在本服务器，只有发起任务的成员才能使用它的按钮。"
    ),
    "🎨 Your job has started: {link}": "🎨 你的任务已开始：{link}",
    "The bot could not post this job's message here. Nothing was charged.": (
        "机器人无法在这里发布这个任务的消息。未扣除任何积分。"
    ),
    "❌ {reason} Press Remix prompt again to change it.": "❌ {reason} 请再次点击“Remix 提示词”进行修改。",
    "This action is not available in this bot.": "本机器人不支持这个操作。",
    "This job is no longer waiting for a prompt.": "这个任务已不再等待提示词。",
    "Only the member who started this job can remix it.": "只有发起这个任务的成员才能对它使用 Remix。",
    "🖌️ Repainting the chosen parts…": "🖌️ 正在重绘所选区域…",
    "The image to repaint could not be read. Please try again.": "无法读取要重绘的图片，请重试。",
    "Blend of {count} images (portrait)": "混合 {count} 张图片（竖版）",
    "Blend of {count} images (square)": "混合 {count} 张图片（方形）",
    "Blend of {count} images (landscape)": "混合 {count} 张图片（横版）",
    "/blend takes {min} to {max} images; you gave {count}.": "/混合 需要 {min} 到 {max} 张图片，你提供了 {count} 张。",
    "`{filename}` is larger than the {limit} MB limit for images.": "`{filename}` 超过了图片 {limit} MB 的大小上限。",
    "`{filename}` is not an image ({content_type}). Attach a PNG, JPEG or WebP.": (
        "`{filename}` 不是图片（{content_type}）。请附上 PNG、JPEG 或 WebP 图片。"
    ),
    "`{filename}` could not be downloaded from Discord. Try again.": "无法从 Discord 下载 `{filename}`，请重试。",
    "Your prompt contains a word this server does not allow: `{word}`.": (
        "你的提示词包含本服务器禁止使用的词：`{word}`。"
    ),
    "The prompt is empty. Describe the image you want.": "提示词为空。请描述你想要的图片。",
    "The prompt is {length} characters long; the limit is {limit}.": "提示词长 {length} 个字符，上限为 {limit} 个。",
    "The prompt has too many stacked accent marks. Remove them and try again.": (
        "提示词中叠加的附加符号太多。请删除后重试。"
    ),
    "The prompt has only parameters. Describe the image you want before them.": (
        "提示词里只有参数。请在参数前描述你想要的图片。"
    ),
    "`--{name}` is not a Midjourney parameter the bot knows. Check its spelling.": (
        "`--{name}` 不是机器人认识的 Midjourney 参数。请检查拼写。"
    ),
    "`--{name} {value}` is not valid: `--{name2}` takes {allowed}.": (
        "`--{name} {value}` 无效：`--{name2}` 需要{allowed}。"
    ),
    "`--{name} ` is not valid: `--{name2}` takes {allowed}.": "`--{name} ` 无效：`--{name2}` 需要{allowed}。",
    "a whole number from {low} to {high}": "{low} 到 {high} 之间的整数",
    "a number from {low} to {high}": "{low} 到 {high} 之间的数",
    "whole numbers W:H, at most {ratio}:1 either way": "整数比例 W:H，长宽比不超过 {ratio}:1",
    "0.25, 0.5, 1, 2 or 4": "0.25、0.5、1、2 或 4",
    "4, 5, 6 or 7": "4、5、6 或 7",
    "one of {values}": "以下之一：{values}",
    "a style name such as raw": "风格名称，例如 raw",
    "the things to leave out": "要排除的内容",
    "an image link": "图片链接",
    "an image link or a style code": "图片链接或风格代码",
    "a style version": "风格版本",
    "a profile code": "个性化配置代码",
    "❌ {reason} Nothing was submitted.": "❌ {reason} 未提交任何内容。",
    "Your prompt:": "你的提示词：",
    "Your prompt is attached so you can edit it.": "你的提示词已作为附件发送，方便你修改。",
    "Describe": "描述",
    # A job's public message: its status after the member's mention, and its error (bot/client/render.py).
    "(Waiting to start)": "(等待开始)",
    "(Queued)": "(排队中)",
    "(Queued, position {position})": "(排队中，第 {position} 位)",
    "(Waiting for your Remix prompt)": "(等待你提交 Remix 提示词)",
    "(Waiting for the same upscale, already on its way)": "(等待同一张放大图，它已在生成中)",
    "The job failed.": "任务失败。",
    # What a job is called in its message, from the button that made it (bot/core/buttons.py).
    "Image #{n}": "图片 #{n}",
    "Variations of image #{n}": "图片 #{n} 的变体",
    "Re-roll": "重绘",
    "Upscale (Subtle)": "放大（细微）",
    "Upscale (Creative)": "放大（创意）",
    "Upscale ({factor}x)": "放大（{factor}x）",
    "Redo Upscale (Subtle)": "重新放大（细微）",
    "Redo Upscale (Creative)": "重新放大（创意）",
    "Redo Upscale ({factor}x)": "重新放大（{factor}x）",
    "Variations (Subtle)": "变体（细微）",
    "Variations (Strong)": "变体（强烈）",
    "Variations (Region)": "局部重绘",
    "Zoom Out 2x": "扩图 2x",
    "Zoom Out 1.5x": "扩图 1.5x",
    "Zoom Out ({value})": "扩图（{value}）",
    "Make Square": "扩为方图",
    "Custom Zoom": "自定义扩图",
    "Pan Left": "向左平移",
    "Pan Right": "向右平移",
    "Pan Up": "向上平移",
    "Pan Down": "向下平移",
    "Favourite": "收藏",
    # The Vary (Region) picker and the Remix button (bot/client/generation/region.py, remix.py).
    "🖌️ **Vary (Region)** — choose the parts of the image to repaint (the image split in a 3×3 grid).": (
        "🖌️ **Vary (Region)** — 选择图片中要重绘的区域（图片按 3×3 九宫格划分）。"
    ),
    "Chosen: {chosen}.": "已选：{chosen}。",
    "nothing yet": "尚未选择",
    "Choose the parts to repaint": "选择要重绘的区域",
    "Top left": "左上",
    "Top middle": "正上",
    "Top right": "右上",
    "Middle left": "左中",
    "Centre": "正中",
    "Middle right": "右中",
    "Bottom left": "左下",
    "Bottom middle": "正下",
    "Bottom right": "右下",
    "Repaint": "重绘",
    "Edit prompt…": "修改提示词…",
    "Remix prompt": "Remix 提示词",
    "Cancel": "取消",
    "Send to me": "发给我",
    "Shorten": "精简",
    "✉️ Sent to your direct messages.": "✉️ 已发送到你的私信。",
    "The image could not be fetched right now. Please try again later.": "暂时无法获取这张图片，请稍后再试。",
    (
        "Your direct messages are closed to this bot. Allow direct messages from this server's members"
        " (Privacy Settings) and press ✉️ again."
    ): "你的私信对这个机器人关闭了。请在隐私设置中允许本服务器成员发送私信，然后再按一次 ✉️。",
    "Job #{id} is shown again: {link}": "任务 #{id} 已重新展示：{link}",
    "Job #{id} has no finished image to show.": "任务 #{id} 没有可展示的完成图片。",
    "Cancelled.": "已取消。",
    "Cancelled; its credits were given back.": "已取消，积分已退回。",
    "Only the member who started this job, or a server admin, can cancel it.": (
        "只有发起这个任务的成员或服务器管理员可以取消它。"
    ),
    "This job can no longer be cancelled: it is being submitted or has ended.": (
        "这个任务已无法取消：它正在提交或已经结束。"
    ),
    "`refund_cancelled` is `on` (cancelled jobs are refunded) or `off`.": (
        "`refund_cancelled` 只能是 `on`（取消的任务退回积分）或 `off`。"
    ),
    # Dialogs (bot/client/modals.py); their titles are the buttons' names.
    "Remix": "Remix：修改提示词",
    "Vary (Region)": "局部重绘",
    "Prompt": "提示词",
    "Zoom out (1.0 to 2.0)": "扩图倍数（1.0 到 2.0）",
    "❌ The zoom must be a number from 1.0 to 2.0, not `{value}`. Nothing was submitted.": (
        "❌ 扩图倍数必须是 1.0 到 2.0 之间的数字，而不是 `{value}`。未提交任何内容。"
    ),
    # The answer of last resort (bot/client/errors.py).
    "Something went wrong on the bot's side. Please try again; if it keeps happening, tell a server admin.": (
        "机器人这边出了点问题。请重试；如果问题持续出现，请告诉服务器管理员。"
    ),
    (
        "Something went wrong on the bot's side. Please try again; if it keeps happening, tell a server admin."
        " (error {id})"
    ): "机器人这边出了点问题。请重试；如果问题持续出现，请告诉服务器管理员（错误编号 {id}）。",
    # A job's end, told by the job service (bot/core/jobs.py).
    "The bot restarted before the image service confirmed this job. Please try again.": (
        "绘图服务确认这个任务之前，机器人重启了。请重试。"
    ),
    "This job lost its request. Please start it again.": "这个任务的请求已丢失。请重新发起。",
    "The bot restarted before this job started. Please try again.": "这个任务开始之前，机器人重启了。请重试。",
    "The bot restarted before this job started. Nothing was charged; please try again.": (
        "这个任务开始之前，机器人重启了。没有扣费，请重试。"
    ),
    "The bot could not post this job's message. Nothing was charged.": "机器人无法发布这个任务的消息。未扣除任何积分。",
    "No Remix prompt was given within {minutes} minutes.": "{minutes} 分钟内没有提交 Remix 提示词，任务已结束。",
    "The upscale this was waiting for failed; nothing was charged for it. Press the button again.": (
        "它所等待的那张放大图失败了；这次没有扣除积分。请再次点击按钮。"
    ),
    "The upscale this was waiting for is gone. Press the button again.": (
        "它所等待的那张放大图已不存在。请再次点击按钮。"
    ),
    "The job this one started from is gone.": "这个任务所基于的原任务已不存在。",
    "That button no longer works on this job.": "这个按钮对该任务已失效。",
    "❤️ Saved to the favourites of the image service's account.": "❤️ 已收藏到绘图服务账号的收藏夹。",
    "Something went wrong while submitting this job.": "提交这个任务时出错了。",
    "The image service lost track of this job. Please try again.": "绘图服务丢失了这个任务。请重试。",
    "The job took longer than {minutes} minutes and was given up. Please try again.": (
        "任务超过 {minutes} 分钟仍未完成，已放弃。请重试。"
    ),
    "The image service described the image but sent no prompts.": "绘图服务完成了图片描述，但没有返回提示词。",
    "The image service finished the job but sent no image.": "绘图服务完成了任务，但没有返回图片。",
    # Attached images refused by their bytes, and result downloads (bot/core/images.py).
    "`{filename}` is {size}; the limit is {limit}.": "`{filename}` 大小为 {size}，上限为 {limit}。",
    "`{filename}` has too many pixels to be used.": "`{filename}` 像素过多，无法使用。",
    "`{filename}` is not an image the bot can read (PNG, JPEG, WebP or GIF).": (
        "`{filename}` 不是机器人能读取的图片（支持 PNG、JPEG、WebP 或 GIF）。"
    ),
    "`{filename}` is a unknown image; use PNG, JPEG, WebP or GIF.": (
        "无法识别 `{filename}` 的图片格式；请使用 PNG、JPEG、WebP 或 GIF。"
    ),
    "`{filename}` is a {format} image; use PNG, JPEG, WebP or GIF.": (
        "`{filename}` 是 {format} 格式的图片；请使用 PNG、JPEG、WebP 或 GIF。"
    ),
    "The finished image could not be downloaded from the image service.": "无法从绘图服务下载生成的图片。",
    "The finished image is too large to download.": "生成的图片太大，无法下载。",
    # The image service's answers (bot/core/providers/proxy.py and acedata.py).
    "Midjourney's moderation refused this prompt. Try different wording.": (
        "Midjourney 的内容审核拒绝了这个提示词。请换一种说法。"
    ),
    "The image service gave up on this job (it timed out upstream). Try again.": (
        "绘图服务放弃了这个任务（上游超时）。请重试。"
    ),
    "The image service could not finish this job. It said: “{reason}”": (
        "绘图服务未能完成这个任务。它的原话：“{reason}”"
    ),
    "The image service refused the request. It said: “{reason}”": "绘图服务拒绝了请求。它的原话：“{reason}”",
    "The image service refused the request.": "绘图服务拒绝了请求。",
    "The image service could not take the job.": "绘图服务无法接收这个任务。",
    "The API reseller has no channel for {model}: a server admin should check the reseller's settings.": (
        "API 中转商没有可用于 {model} 的渠道：请服务器管理员检查中转商的设置。"
    ),
    "The image service has no Midjourney account free right now. Try again later.": (
        "绘图服务目前没有空闲的 Midjourney 账号。请稍后再试。"
    ),
    "The image service's Midjourney account became unavailable during the job. Try again later.": (
        "任务进行中，绘图服务的 Midjourney 账号变得不可用。请稍后再试。"
    ),
    "The image service failed the job (its account may be out of fast hours). Try again later.": (
        "绘图服务未能完成任务（它的账号可能已用完快速时长）。请稍后再试。"
    ),
    "The image service's account is blocked for a while after refused prompts. Try again later.": (
        "绘图服务的账号因提示词被拒而暂时被封锁。请稍后再试。"
    ),
    (
        "The image service's Midjourney account cannot work right now (its subscription or standing):"
        " a server admin should check it."
    ): "绘图服务的 Midjourney 账号目前无法工作（订阅或账号状态问题）：请服务器管理员检查。",
    "The image service answered with a web page instead of the API: a server admin needs to check MJ_API_BASE.": (
        "绘图服务返回的是网页而不是 API 响应：请服务器管理员检查 MJ_API_BASE。"
    ),
    "the task failed upstream": "任务在上游失败",
    "The image service could not finish this job and gave no reason.": "绘图服务未能完成这个任务，也没有说明原因。",
    "The image service sent an answer the bot could not read.": "绘图服务返回了机器人无法读取的响应。",
    "The image service sent a task list the bot could not read.": "绘图服务返回了机器人无法读取的任务列表。",
    "The image service sent an empty answer.": "绘图服务返回了空响应。",
    "The image service accepted the request but sent no task id.": "绘图服务接受了请求，但没有返回任务 ID。",
    "The image service is at its limit right now. Try again soon.": "绘图服务目前已满负荷。请稍后再试。",
    "The image service's queue is full. Try again in a minute.": "绘图服务的队列已满。请一分钟后再试。",
    "The image service is rate limiting the bot. Try again in a minute.": (
        "绘图服务正在限制机器人的请求频率。请一分钟后再试。"
    ),
    "The image service refused the request: {reason}": "绘图服务拒绝了请求：{reason}",
    "The image service refused the request (code {code}): {reason}": "绘图服务拒绝了请求（代码 {code}）：{reason}",
    "The image service refused the request (HTTP {status}).": "绘图服务拒绝了请求（HTTP {status}）。",
    "The image service refused the request (no reason given).": "绘图服务拒绝了请求（未说明原因）。",
    "The image service refused the request ({code}).": "绘图服务拒绝了请求（{code}）。",
    "Your prompt was refused by the image service's filter (banned word: {word}).": (
        "你的提示词被绘图服务的过滤器拒绝了（违禁词：{word}）。"
    ),
    "Your prompt was refused by the image service's filter.": "你的提示词被绘图服务的过滤器拒绝了。",
    "The image service no longer knows the original job (it may have expired). Start a new /imagine.": (
        "绘图服务已找不到原任务（可能已过期）。请重新使用 /想象。"
    ),
    "The image service no longer knows the original job (it may have expired).": (
        "绘图服务已找不到原任务（可能已过期）。"
    ),
    "The image service had a system error. Try again later.": "绘图服务出现系统错误。请稍后再试。",
    "The image service had an internal error (HTTP {status}). Try again later.": (
        "绘图服务出现内部错误（HTTP {status}）。请稍后再试。"
    ),
    "The image service had an internal error. Try again later.": "绘图服务出现内部错误。请稍后再试。",
    "The image service timed out on this job. Try again in a moment.": "绘图服务处理这个任务时超时。请稍后再试。",
    "The image service did not answer in time. Try again in a moment.": "绘图服务未及时响应。请稍后再试。",
    "The image service cannot be reached right now. Try again later.": "目前无法连接绘图服务。请稍后再试。",
    "The image service refused the bot's API key. A server admin needs to check MJ_API_KEY.": (
        "绘图服务拒绝了机器人的 API 密钥。需要服务器管理员检查 MJ_API_KEY。"
    ),
    "The bot's API key for the image service has expired. A server admin needs to check MJ_API_KEY.": (
        "机器人在绘图服务的 API 密钥已过期。需要服务器管理员检查 MJ_API_KEY。"
    ),
    "The image service got no API key from the bot. A server admin needs to check MJ_API_KEY.": (
        "绘图服务没有收到机器人的 API 密钥。需要服务器管理员检查 MJ_API_KEY。"
    ),
    "The image service has disabled the bot's account. A server admin needs to check MJ_API_KEY.": (
        "绘图服务已停用机器人的账号。需要服务器管理员检查 MJ_API_KEY。"
    ),
    "The image service does not offer this endpoint. A server admin needs to check MJ_API_BASE.": (
        "绘图服务不提供这个接口。需要服务器管理员检查 MJ_API_BASE。"
    ),
    "The image service account has run out of credit. A server admin needs to top it up.": (
        "绘图服务账号的余额已用完。需要服务器管理员充值。"
    ),
    "A blend needs 2 to 5 images.": "混合需要 2 到 5 张图片。",
    "This image service has no confirmation step for this button.": "这个绘图服务不支持此按钮的确认步骤。",
    "This image service needs images it can download, and one of the images has no link.": (
        "这个绘图服务需要能下载的图片，但其中一张图片没有链接。"
    ),
    # /quota (bot/client/credits/member.py).
    "**Credits left today:** unlimited": "**今日剩余积分：** 不限",
    "**Credits left today:** {left} of {daily}": "**今日剩余积分：** {left} / {daily}",
    "**Bonus credits:** {bonus}": "**奖励积分：** {bonus}",
    "**Jobs running:** {running} · **waiting:** {waiting}": "**进行中的任务：** {running} · **排队中：** {waiting}",
    "**Jobs running:** {running} of {running_limit} · **waiting:** {waiting}": (
        "**进行中的任务：** {running} / {running_limit} · **排队中：** {waiting}"
    ),
    "**Jobs running:** {running} · **waiting:** {waiting} of {waiting_limit}": (
        "**进行中的任务：** {running} · **排队中：** {waiting} / {waiting_limit}"
    ),
    "**Jobs running:** {running} of {running_limit} · **waiting:** {waiting} of {waiting_limit}": (
        "**进行中的任务：** {running} / {running_limit} · **排队中：** {waiting} / {waiting_limit}"
    ),
    "**Daily credits come back** <t:{reset_at}:t> (<t:{reset_in}:R>)": (
        "**每日积分恢复于** <t:{reset_at}:t>（<t:{reset_in}:R>）"
    ),
    # /history (bot/client/credits/member.py).
    "You have no jobs yet.": "你还没有任何任务。",
    "No more jobs.": "没有更多任务了。",
    "**Your jobs** (page {page})": "**你的任务**（第 {page} 页）",
    "{icon} **#{id}** {action} · {cost} credits · {prompt}": "{icon} **#{id}** {action} · {cost} 积分 · {prompt}",
    "{icon} **#{id}** {action} · {cost} credit · {prompt}": "{icon} **#{id}** {action} · {cost} 积分 · {prompt}",
    "{icon} **#{id}** {action} · {cost} refunded · {prompt}": (
        "{icon} **#{id}** {action} · 已退还 {cost} 积分 · {prompt}"
    ),
    "◀ Newer": "◀ 较新",
    "Older ▶": "较早 ▶",
    "These pages are someone else's.": "这些页面属于其他成员。",
    # /job (bot/client/credits/member.py).
    "You have no job #{id} on this server.": "你在本服务器没有编号为 #{id} 的任务。",
    "**Job #{id}** · {action}": "**任务 #{id}** · {action}",
    "**Job #{id}** · {action} · {title}": "**任务 #{id}** · {action} · {title}",
    "**By** <@{user_id}> · {icon} {status}": "**发起人** <@{user_id}> · {icon} {status}",
    "**By** <@{user_id}> · {icon} {status} ({progress}%)": "**发起人** <@{user_id}> · {icon} {status}（{progress}%）",
    "**Cost:** {cost} credits": "**花费：** {cost} 积分",
    "**Cost:** {cost} credit": "**花费：** {cost} 积分",
    "**Cost:** {cost} refunded": "**花费：** {cost} 积分（已退还）",
    "**Prompt:** {prompt}": "**提示词：** {prompt}",
    "**Made from:** {chain}": "**来源：** {chain}",
    "**Error:** {error}": "**错误：** {error}",
    # A job's kind and state, as /history and /job show them (`JobAction` and `JobStatus` values).
    "imagine": "想象",
    "upscale": "放大",
    "variation": "变体",
    "reroll": "重绘",
    "upscale_hd": "高清放大",
    "vary_subtle": "细微变体",
    "vary_strong": "强烈变体",
    "vary_region": "局部重绘",
    "zoom": "扩图",
    "custom_zoom": "自定义扩图",
    "pan": "平移",
    "bookmark": "收藏",
    "blend": "混合",
    "describe": "描述",
    "describe_pick": "按描述生成",
    "other": "其他",
    "waiting": "排队中",
    "submitting": "提交中",
    "queued": "等待开始",
    "running": "进行中",
    "needs_input": "等待输入",
    "succeeded": "已完成",
    "failed": "失败",
    # /mjadmin show: the server's settings (bot/client/credits/admin.py, describe_config).
    "**Server settings**": "**服务器设置**",
    (
        "Daily credits: {daily_credits} · running per member: {user_running} · waiting per member: {user_waiting} "
        "· running in the server: {server_running}"
    ): (
        "每日积分：{daily_credits} · 每位成员同时进行：{user_running} · 每位成员排队：{user_waiting} · "
        "全服务器同时进行：{server_running}"
    ),
    "no limit": "不限",
    "{value} (default)": "{value}（默认）",
    "Costs: {costs}": "花费：{costs}",
    "Time zone: {timezone} · buttons: {press_policy} · mode: {mode} · bot: {bot}": (
        "时区：{timezone} · 按钮：{press_policy} · 模式：{mode} · 模型：{bot}"
    ),
    "API default": "API 默认",
    "Role tiers: {tiers}": "角色档位：{tiers}",
    "Unlimited roles: {roles}": "不限额角色：{roles}",
    "Channels: {channels}": "可用频道：{channels}",
    "Banned words: {words}": "屏蔽词：{words}",
    "Blocked members: {members}": "已封禁成员：{members}",
    "Moderation strikes before a day's block: {strikes}": "当日封禁前允许的审核违规次数：{strikes}",
    "Moderation strikes before a day's block: off": "当日封禁前允许的审核违规次数：关闭",
    "Cancelled jobs refunded: on": "取消的任务退回积分：开",
    "Cancelled jobs refunded: off": "取消的任务退回积分：关",
    "Strikes today: {strikes}": "今日违规：{strikes}",
    "none": "无",
    "all": "全部",
    # /mjadmin answers (bot/client/credits/admin.py).
    "❌ /mjadmin needs the Manage Server permission.": "❌ /绘图管理 需要“管理服务器”权限。",
    "❌ Limits cannot be negative.": "❌ 限额不能为负数。",
    "❌ Give a word.": "❌ 请提供一个词。",
    "✅ `{setting}` is now `{value}`.": "✅ `{setting}` 已设为 `{value}`。",
    "✅ {role}: unlimited credits a day, unlimited jobs at once.": "✅ {role}：每日积分不限，同时进行的任务数不限。",
    "✅ {role}: unlimited credits a day, {running} jobs at once.": (
        "✅ {role}：每日积分不限，最多同时进行 {running} 个任务。"
    ),
    "✅ {role}: {daily} credits a day, unlimited jobs at once.": "✅ {role}：每日 {daily} 积分，同时进行的任务数不限。",
    "✅ {role}: {daily} credits a day, {running} jobs at once.": (
        "✅ {role}：每日 {daily} 积分，最多同时进行 {running} 个任务。"
    ),
    "✅ {role} has no tier now.": "✅ {role} 的档位已移除。",
    "✅ {role} is now unlimited.": "✅ {role} 现在不受每日额度限制。",
    "✅ {role} is no longer unlimited.": "✅ {role} 不再免除每日额度限制。",
    "✅ Granted {amount} bonus credits to {member}; they have {total} now.": (
        "✅ 已向 {member} 赠送 {amount} 奖励积分，对方现有 {total} 奖励积分。"
    ),
    "✅ {member} has {total} bonus credits now.": "✅ {member} 现有 {total} 奖励积分。",
    "✅ {member} got {restored} credits back for today, and today's strikes are cleared.": (
        "✅ 已为 {member} 恢复今日的 {restored} 积分，并清除了今日的违规记录。"
    ),
    "✅ {member} is blocked.": "✅ 已封禁 {member}。",
    "✅ {member} is no longer blocked.": "✅ 已解封 {member}。",
    "✅ {channel} is allowed.": "✅ 已允许在 {channel} 使用机器人。",
    "✅ {channel} is no longer listed.": "✅ 已将 {channel} 移出允许列表。",
    "✅ `{word}` is banned.": "✅ 已屏蔽 `{word}`。",
    "✅ `{word}` is allowed again.": "✅ 已解除屏蔽 `{word}`。",
    "The credit ledger of this server:": "本服务器的积分账本：",
    "**Usage**": "**用量**",
    (
        "Today: {jobs} jobs, {failed} failed · {charged} credits charged, {refunded} refunded, {spent} spent"
        " · {strikes} moderation strikes"
    ): (
        "今天：{jobs} 个任务，{failed} 个失败 · 扣除 {charged} 积分，退还 {refunded}，实际消耗 {spent}"
        " · {strikes} 次审核违规"
    ),
    (
        "This month: {jobs} jobs, {failed} failed · {charged} credits charged, {refunded} refunded, {spent} spent"
        " · {strikes} moderation strikes"
    ): (
        "本月：{jobs} 个任务，{failed} 个失败 · 扣除 {charged} 积分，退还 {refunded}，实际消耗 {spent}"
        " · {strikes} 次审核违规"
    ),
    # The refusals and /mjadmin errors above, alone and after the ❌ the code puts before them.
    **_REFUSALS,
    **{f"❌ {en}": f"❌ {zh}" for en, zh in _REFUSALS.items()},
    **{f"❌ {en}": f"❌ {zh}" for en, zh in _ADMIN_ERRORS.items()},
}

COMMANDS: dict[str, str] = {
    # Command, group and subcommand names (lowercase-safe, no spaces).
    "imagine": "想象",
    "blend": "混合",
    "describe": "描述",
    "quota": "额度",
    "history": "历史",
    "job": "任务",
    "mjadmin": "绘图管理",
    "show": "查看",
    "set": "设置",
    "tier": "档位",
    "untier": "取消档位",
    "unlimited": "不限额",
    "grant": "赠送",
    "revoke": "收回",
    "reset": "重置",
    "block": "封禁",
    "unblock": "解封",
    "channel": "频道",
    "banword": "屏蔽词",
    "export": "导出",
    "stats": "统计",
    # /imagine, /blend, /describe (bot/client/generation/commands.py).
    "Create four images from a text prompt": "根据文字提示词生成四张图片",
    "What to draw, with any Midjourney parameters (up to 1500 characters)": (
        "要画的内容，可附带 Midjourney 参数（最多 1500 个字符）"
    ),
    "A reference image (PNG, JPEG, WebP or GIF)": "参考图（PNG、JPEG、WebP 或 GIF）",
    "A second reference image": "第二张参考图",
    "A third reference image": "第三张参考图",
    "Fast, Relax or Turbo (default: the server's setting)": "快速、慢速或极速模式（默认：服务器设置）",
    "Midjourney or Niji": "Midjourney 或 Niji",
    "Blend 2 to 5 images into a new one": "将 2 到 5 张图片混合成一张新图",
    "First image": "第一张图片",
    "Second image": "第二张图片",
    "Third image": "第三张图片",
    "Fourth image": "第四张图片",
    "Fifth image": "第五张图片",
    "Shape of the result (default square)": "生成图片的比例（默认方形）",
    "Four prompts that describe an image": "用四条提示词描述一张图片",
    "The image to describe": "要描述的图片",
    "Fast": "快速 (Fast)",
    "Relax": "慢速 (Relax)",
    "Turbo": "极速 (Turbo)",
    "Midjourney": "Midjourney",
    "Niji": "Niji（动漫风格）",
    "Portrait (2:3)": "竖版 (2:3)",
    "Square (1:1)": "方形 (1:1)",
    "Landscape (3:2)": "横版 (3:2)",
    # /quota, /history, /job (bot/client/credits/member.py).
    "Your credits left today, bonus credits and jobs": "你今天剩余的积分、奖励积分和任务",
    "Your recent jobs": "你最近的任务",
    "One job: prompt, where it came from, status and cost": "单个任务的提示词、来源、状态和花费",
    "Show a finished job again, with its buttons": "重新展示一个已完成的任务及其按钮",
    "shorten": "精简",
    "Shorter versions of a prompt, to pick one and imagine it": "把提示词精简成几个短版本，选一个来生成",
    "The prompt to shorten": "要精简的提示词",
    "The job number (see /history)": "任务编号（见 /历史）",
    # /mjadmin (bot/client/credits/admin.py).
    "Manage the image bot on this server": "管理本服务器的绘图机器人",
    "Show this server's settings": "查看本服务器的设置",
    "Set a limit, cost, time zone or default": "设置限额、花费、时区或默认值",
    "A number (0 = no limit, `default` = the bot's default), or the listed words": (
        "一个数字（0 = 不限，`default` = 机器人默认值），或选项中列出的词"
    ),
    "Give a role its own daily credits and running limit": "为角色单独设置每日积分和同时进行的任务上限",
    "Credits a day (0 = no limit)": "每日积分（0 = 不限）",
    "Jobs at once (0 = no limit)": "同时进行的任务数（0 = 不限）",
    "Remove a role's tier": "移除角色的档位",
    "Let a role's members generate without a daily limit": "让某个角色的成员不受每日额度限制",
    "Give a member bonus credits (they never expire)": "给成员赠送奖励积分（永不过期）",
    "Take back bonus credits": "收回奖励积分",
    "Give a member today's credits back": "恢复成员今天已用掉的积分",
    "Stop a member from using the bot here": "禁止成员在本服务器使用机器人",
    "Let a blocked member use the bot again": "允许被封禁的成员重新使用机器人",
    "Allow or disallow the bot in a channel (none listed: all)": (
        "允许或禁止在某个频道使用机器人（未列出任何频道时：全部可用）"
    ),
    "Add or remove a word refused in prompts": "添加或移除提示词中的屏蔽词",
    "This server's credit ledger as a CSV file": "导出本服务器的积分账本（CSV 文件）",
    "Jobs, credits and failures today and this month, with a chart": "今天和本月的任务、积分与失败统计，附图表",
    "daily_credits": "每日积分 daily_credits",
    "user_running": "每位成员同时进行 user_running",
    "user_waiting": "每位成员排队 user_waiting",
    "server_running": "全服务器同时进行 server_running",
    "cost_grid": "四宫格花费 cost_grid",
    "cost_upscale": "放大花费 cost_upscale",
    "cost_hd_upscale": "高清放大花费 cost_hd_upscale",
    "cost_describe": "描述花费 cost_describe",
    "timezone": "时区 timezone",
    "press_policy (anyone | owner)": "按钮权限 press_policy (anyone | owner)",
    "default_mode (fast | relax | turbo | none)": "默认模式 default_mode (fast | relax | turbo | none)",
    "default_bot (midjourney | niji | none)": "默认模型 default_bot (midjourney | niji | none)",
    "moderation_strikes (0 = off)": "审核违规上限 moderation_strikes (0 = 关闭)",
    "refund_cancelled (on | off)": "取消退款 refund_cancelled (on | off)",
}

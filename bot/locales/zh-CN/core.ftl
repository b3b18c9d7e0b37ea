# 核心与绘图服务各方言告诉成员的话（bot/core）。键与 en-US 目录相同，变量相同。

## 原样显示的文字：上游自己的标签，或旧账本中的英文句子。
verbatim = { $text }

## 成员的限额与本服务器的规则（bot/core/accounts.py、standing.py、quota.py）：显示在 “❌ ” 之后。
wait = { $hours ->
        [0] { $minutes } 分钟
       *[other] { $hours } 小时 { $minutes } 分钟
    }
refusal-blocked = 你已被禁止在本服务器使用这个机器人。
refusal-restarting = 机器人正在重启，暂时不接新任务。没有扣费，请一分钟后再试。
refusal-channels = 在本服务器，这个机器人只能在 { $channels } 中使用。
refusal-credits-used = 你今天的 { $daily } 积分已用完，本次需要 { $cost } 积分。积分将于 { $time }（{ $timezone }）恢复，还有 { $wait }。
refusal-credits-short = 本次需要 { $cost } 积分，你今天只剩 { $left } 积分。积分将于 { $time }（{ $timezone }）恢复，还有 { $wait }。
refusal-slots-full = 你已有 { $running } 个任务在进行、{ $waiting } 个在排队，已达上限。其中任意一个完成后就会空出名额。
refusal-strikes-blocked = 你今天已有 { $strikes } 次提示词被审核拒绝，今天余下时间不能使用机器人；{ $time }（{ $timezone }）后可再次使用，还有 { $wait }。
refusal-banned-word = 你的提示词包含本服务器禁止使用的词：`{ $word }`。
refusal-and-strike = { $reason } 这是你今天第 { $strikes } 次违规（上限 { $limit } 次）。
refusal-and-blocked = { $reason } { $blocked }

## 付费之前就被拒绝的提示词（bot/core/prompts.py）。
prompt-empty = 提示词为空。请描述你想要的图片。
prompt-too-long = 提示词长 { $length } 个字符，上限为 { $limit } 个。
prompt-stacked-marks = 提示词中叠加的附加符号太多。请删除后重试。
prompt-only-parameters = 提示词里只有参数。请在参数前描述你想要的图片。
prompt-unknown-parameter = `--{ $name }` 不是机器人认识的 Midjourney 参数。请检查拼写。
prompt-invalid-parameter = `--{ $name } { $value }` 无效：`--{ $name }` 需要{ $takes }。
version-no-quality = Midjourney { $version } 不支持 `--q`：它总是以完整质量绘制（加 `--hd` 可得 2048 像素）。请去掉 `--q`，或加上 `--v 7` 再使用它。
version-only-v7 = `--{ $name }` 只适用于 Midjourney V7，而此提示词会发往 { $version }。请加上 `--v 7`，或去掉 `--{ $name }`。
version-hd-v8 = `--hd`（原生 2048 像素）需要 Midjourney V8 或更新版本，而此提示词会发往 { $version }。请加上 `--v 8.1`，或去掉 `--hd`。
version-turbo-fast = ⚡ Midjourney { $version } 没有极速（Turbo）模式：此任务以快速（Fast）模式进行。
param-takes-ratio = 整数比例 W:H，长宽比不超过 { $ratio }:1
param-takes-whole = { $low } 到 { $high } 之间的整数
param-takes-number = { $low } 到 { $high } 之间的数
param-takes-quality = 0.25、0.5、1、2 或 4
param-takes-one-of = 以下之一：{ $values }
param-takes-niji = 4、5、6 或 7
param-takes-style = 风格名称，例如 raw
param-takes-exclusions = 要排除的内容
param-takes-link = 图片链接
param-takes-link-or-code = 图片链接或风格代码
param-takes-style-version = 风格版本
param-takes-profile = 个性化配置代码

## 按字节检查被拒的附件图片，以及结果图片的下载（bot/core/images.py）。
image-too-big = `{ $filename }` 大小为 { $size }，上限为 { $limit }。
image-too-many-pixels = `{ $filename }` 像素过多，无法使用。
image-unreadable = `{ $filename }` 不是机器人能读取的图片（支持 PNG、JPEG、WebP 或 GIF）。
image-wrong-format = `{ $filename }` 是 { $format } 格式的图片；请使用 PNG、JPEG、WebP 或 GIF。
result-not-image = 绘图服务返回的结果不是图片。
result-not-video = 绘图服务返回的结果不是 MP4 视频。
result-download-failed = 无法从绘图服务下载生成的图片。
result-too-large = 生成的图片太大，无法下载。
result-link-refused = 绘图服务返回的结果指向机器人不会访问的地址；请服务器管理员检查绘图服务。

## 上游自己给出的原因是什么意思，无论来自哪种方言或语言（bot/core/reasons.py）。
upstream-moderation = Midjourney 的内容审核拒绝了这个提示词。请换一种说法。
upstream-at-limit = 绘图服务目前已满负荷。请稍后再试。
upstream-no-channel = API 中转商没有可用于 { $model ->
        [none] 这个请求
       *[other] { $model }
    } 的渠道：请服务器管理员检查中转商的设置。
upstream-no-account = 绘图服务目前没有空闲的 Midjourney 账号。请稍后再试。
upstream-account-lost = 任务进行中，绘图服务的 Midjourney 账号变得不可用。请稍后再试。
upstream-failed-retry = 绘图服务未能完成任务（它的账号可能已用完快速时长）。请稍后再试。
upstream-account-blocked = 绘图服务的账号因提示词被拒而暂时被封锁。请稍后再试。
upstream-account-standing = 绘图服务的 Midjourney 账号目前无法工作（订阅或账号状态问题）：请服务器管理员检查。
upstream-timed-out = 绘图服务放弃了这个任务（上游超时）。请重试。
upstream-out-of-credit = 绘图服务账号的余额已用完。需要服务器管理员充值。
upstream-failed-no-reason = 绘图服务未能完成这个任务，也没有说明原因。
upstream-failed-said = 绘图服务未能完成这个任务。它的原话：“{ $reason }”
upstream-refused-said = 绘图服务拒绝了请求。它的原话：“{ $reason }”

## 绘图服务的回应，两种方言皆同（bot/core/providers/proxy.py、acedata.py）。
upstream-unreadable = 绘图服务返回了机器人无法读取的响应。
upstream-unreadable-list = 绘图服务返回了机器人无法读取的任务列表。
upstream-empty = 绘图服务返回了空响应。
upstream-no-task-id = 绘图服务接受了请求，但没有返回任务 ID。
upstream-refused = 绘图服务拒绝了请求。
upstream-refused-code = 绘图服务拒绝了请求（代码 { $code }）。
upstream-refused-status = 绘图服务拒绝了请求（HTTP { $status }）。
upstream-cannot-take = 绘图服务无法接收这个任务。
upstream-filter = 你的提示词被绘图服务的过滤器拒绝了{ $word ->
        [none] {""}
       *[other] （违禁词：{ $word }）
    }。
upstream-queue-full = 绘图服务的队列已满。请一分钟后再试。
upstream-parent-gone = 绘图服务已找不到原任务（可能已过期）。
upstream-parent-gone-imagine = 绘图服务已找不到原任务（可能已过期）。请重新使用 /想象。
upstream-system-error = 绘图服务出现系统错误。请稍后再试。
upstream-internal-error = 绘图服务出现内部错误{ $status ->
        [0] {""}
       *[other] （HTTP { $status }）
    }。请稍后再试。
upstream-no-task-list = 绘图服务不保留任务列表。
upstream-no-answer-in-time = 绘图服务未及时响应。请稍后再试。
upstream-job-timed-out = 绘图服务处理这个任务时超时。请稍后再试。
upstream-unreachable = 目前无法连接绘图服务。请稍后再试。
upstream-redirected = 绘图服务把请求转向了另一个地址，机器人不会带着密钥跟过去；请服务器管理员检查 MJ_API_BASE。
upstream-rate-limited = 绘图服务正在限制机器人的请求频率。请一分钟后再试。
upstream-web-page = 绘图服务返回的是网页而不是 API 响应：请服务器管理员检查 MJ_API_BASE。
upstream-no-endpoint = 绘图服务不提供这个接口。需要服务器管理员检查 MJ_API_BASE。
upstream-key-refused = 绘图服务拒绝了机器人的 API 密钥。需要服务器管理员检查 MJ_API_KEY。
upstream-key-expired = 机器人在绘图服务的 API 密钥已过期。需要服务器管理员检查 MJ_API_KEY。
upstream-key-missing = 绘图服务没有收到机器人的 API 密钥。需要服务器管理员检查 MJ_API_KEY。
upstream-account-disabled = 绘图服务已停用机器人的账号。需要服务器管理员检查 MJ_API_KEY。
upstream-needs-image-links = 这个绘图服务需要能下载的图片，但其中一张图片没有链接。
blend-count = 混合需要 2 到 5 张图片。

## 任务在消息中的名称，取自生成它的按钮（bot/core/buttons.py）。
title-image = 图片 #{ $n }
title-variations = 图片 #{ $n } 的变体
title-reroll = 重绘
title-upscale = { $redo ->
        [yes] 重新放大
       *[no] 放大
    }（{ $kind ->
        [subtle] 细微
        [creative] 创意
       *[other] { $kind }
    }）
title-vary-subtle = 变体（细微）
title-vary-strong = 变体（强烈）
title-vary-region = 局部重绘
title-zoom-out = 扩图 { $factor }
title-zoom-out-value = 扩图（{ $value }）
title-make-square = 扩为方图
title-custom-zoom = 自定义扩图
title-pan = { $direction ->
        [left] 向左平移
        [right] 向右平移
        [up] 向上平移
       *[down] 向下平移
    }
title-favourite = 收藏
# $motion 为 high 或 low。
title-animate = { $motion ->
        [high] 生成视频（高动态）
       *[low] 生成视频（低动态）
    }
title-video-extend = { $motion ->
        [high] 延长视频（高动态）
       *[low] 延长视频（低动态）
    }
title-video = 视频 #{ $n }
title-prompt = 提示词 { $n }
title-other = 操作

## 任务的结束，由任务服务告知（bot/core/jobs.py）。
job-restarted-before-start = 这个任务开始之前，机器人重启了。请重试。
job-restarted-before-submit = 这个任务到达绘图服务之前，机器人重启了。请重试。
job-restarted-while-submitting = 提交这个任务时机器人重启了，无法确定绘图服务是否已接收。积分已退回，请重试。
job-request-lost = 这个任务的请求已丢失。请重新发起。
edit-unsupported = 本机器人使用的图像服务不支持编辑图片，因此这里无法使用 /edit。
job-parent-gone = 这个任务所基于的原任务已不存在。
job-shared-upscale-gone = 它所等待的那张放大图已不存在。请再次点击按钮。
job-shared-upscale-failed = 它所等待的那张放大图失败了；这次没有扣除积分。请再次点击按钮。
job-button-gone = 这个按钮对该任务已失效。
job-bookmarked = ❤️ 已收藏到绘图服务账号的收藏夹。
job-submit-crashed = 提交这个任务时出错了。
job-lost-upstream = 绘图服务丢失了这个任务。请重试。
job-remix-timeout = { $minutes } 分钟内没有提交 Remix 提示词，任务已结束。
job-timeout = 任务超过 { $minutes } 分钟仍未完成，已放弃。请重试。
job-no-prompts = 绘图服务完成了图片描述，但没有返回提示词。
job-no-image = 绘图服务完成了任务，但没有返回图片。
job-image-undownloadable = 绘图服务完成了任务，但无法下载它的图片。积分已退回。
job-no-video = 绘图服务完成了视频任务，但没有返回视频。
job-video-undownloadable = 绘图服务完成了任务，但无法把它的视频下载为 MP4 文件。积分已退回。
job-cancelled = 已取消。
job-cancelled-refunded = 已取消，积分已退回。

## /mjadmin stats 与运维命令 `ledger stats` 中的服务器数据（bot/core/usage.py）。
usage-line = { $period ->
        [today] 今天
       *[month] 本月
    }：{ $jobs } 个任务，{ $failed } 个失败 · 扣除 { $charged } 积分，退还 { $refunded }，实际消耗 { $spent } · { $strikes } 次审核违规
usage-factors = 本月按价格系数（任务数 · 实际消耗积分）：{ $factors }

## 成员的提示词后缀（bot/core/preferences.py）。
prompt-too-long-suffix = 加上你的后缀（/prefer suffix）后，提示词长 { $length } 个字符，上限为 { $limit } 个。请缩短提示词或后缀。
suffix-too-long = 后缀长 { $length } 个字符，上限为 { $limit } 个。
suffix-banned-word = 你的后缀包含本服务器禁止使用的词：`{ $word }`。
# A known reason in plain words, then the image service's own (they often tell more).
upstream-explained = { $explanation }它的原话：“{ $reason }”
# The open-source proxy's buttons (/mj/submit/change) cannot carry a Remix prompt.
remix-not-here = 绘图服务无法为这个按钮接收 Remix 提示词，因此没有扣除积分。请在 /settings 中关闭 Remix 后再点击。

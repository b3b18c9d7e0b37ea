# Discord 层告诉成员的话（bot/client）。键与 en-US 目录相同，变量相同。
# Midjourney 自己的按钮名（Vary (Region)、Remix）在句子中保留英文，与按钮本身一致。

## 最后的兜底回答（bot/client/errors.py）；日志行带有相同的编号。

error-unexpected = 机器人这边出了点问题。请重试；如果问题持续出现，请告诉服务器管理员（错误编号 { $id }）。

## /imagine、/blend、/describe、/shorten、/show 以及任务按钮（cogs/generation/starting.py、commanded.py、presses.py、finished.py）。

job-unknown = 这个按钮所属的任务已不在机器人的记录中。
job-owner-only = 在本服务器，只有发起任务的成员才能使用它的按钮。
job-video-off = 本服务器已关闭视频功能。没有扣除积分。
job-started = 🎨 你的任务已开始：{ $link }
job-not-posted-here = 机器人无法在这里发布这个任务的消息。未扣除任何积分。
job-not-posted = 机器人无法发布这个任务的消息。未扣除任何积分。
job-action-unavailable = 本机器人不支持这个操作。
job-shown-again = 任务 #{ $id } 已重新展示：{ $link }
job-nothing-to-show = 任务 #{ $id } 没有可展示的完成图片。
job-title-describe = 描述
job-title-shorten = 精简
job-title-edit = 编辑
blend-title = 混合 { $count } 张图片（{ $shape ->
        [portrait] 竖版
        [landscape] 横版
       *[square] 方形
    }）
input-blend-count = /混合 需要 { $min } 到 { $max } 张图片，你提供了 { $count } 张。
input-too-large = `{ $filename }` 超过了图片 { $limit } MB 的大小上限。
input-not-image = `{ $filename }` 不是图片（{ $content_type }）。请附上 PNG、JPEG 或 WebP 图片。
input-not-downloaded = 无法从 Discord 下载 `{ $filename }`，请重试。
# 拒绝的原因（$reason：核心给出的 Text），下面附上提示词。
input-refused = ❌ { $reason } 未提交任何内容。
input-your-prompt = 你的提示词：
input-prompt-attached = 你的提示词已作为附件发送，方便你修改。
remix-refused = ❌ { $reason } 请再次点击“Remix 提示词”进行修改。
remix-not-waiting = 这个任务已不再等待提示词。
remix-owner-only = 只有发起这个任务的成员才能对它使用 Remix。
region-repainting = 🖌️ 正在重绘所选区域…
region-unreadable = 无法读取要重绘的图片，请重试。
dm-sent = ✉️ 已发送到你的私信。
dm-not-fetched = 暂时无法获取这张图片，请稍后再试。
dm-closed = 你的私信对这个机器人关闭了。请在隐私设置中允许本服务器成员发送私信，然后再按一次 ✉️。
dm-seed = 种子：`{ $seed }`
cancel-not-allowed = 只有发起这个任务的成员或服务器管理员可以取消它。
cancel-too-late = 这个任务已无法取消：它正在提交或已经结束。

## 任务的公开消息（cogs/generation/render.py）：**提示词** - 标题 · <@成员> (状态)。

job-message-by = { $title } · { $user }
job-message-queued = (排队中)
job-message-queued-at = (排队中，第 { $position } 位)
job-message-starting = (等待开始)
job-message-remix = (等待你提交 Remix 提示词)
job-message-mirroring = (等待同一张放大图，它已在生成中)
job-message-failed = 任务失败。
job-message-cancelled = 已取消。
# 图片下方：API 报告的实际使用的提示词（与成员所写的不同时，如翻译后）。
job-message-prompt-used = 实际使用的提示词：{ $prompt }

## 机器人停止前刚发布、任务未记录的消息（cogs/generation/posted_messages.py）。

job-restarted-unrecorded = 这个任务开始之前，机器人重启了。没有扣费，请重试。

## 按钮、菜单和对话框（cogs/generation：cancel.py、remix.py、send_to_me.py、region.py、modals.py）。

button-cancel = 取消
button-remix = Remix 提示词
button-send-to-me = 发给我
button-repaint = 重绘
button-edit-prompt = 修改提示词…
button-newer = ◀ 较新
button-older = 较早 ▶
region-help = 🖌️ **Vary (Region)** — 选择图片中要重绘的区域（图片按 3×3 九宫格划分）。
region-chosen = 已选：{ $chosen }。
region-nothing-yet = 尚未选择
region-placeholder = 选择要重绘的区域
region-top-left = 左上
region-top-middle = 正上
region-top-right = 右上
region-middle-left = 左中
region-centre = 正中
region-middle-right = 右中
region-bottom-left = 左下
region-bottom-middle = 正下
region-bottom-right = 右下
edit-region-help = ✏️ **/edit** — 选择你的图片中要重绘的区域（图片按 3×3 九宫格划分）。
button-edit-go = 编辑这些区域
edit-starting = ✏️ 正在编辑所选区域…
edit-expired = 这次 /edit 已不再等待（已过 15 分钟，或机器人已重启）。请重新运行 /edit。
dialog-remix = Remix：修改提示词
dialog-vary-region = 局部重绘
dialog-custom-zoom = 自定义扩图
dialog-prompt = 提示词
dialog-zoom = 扩图倍数（1.0 到 2.0）
dialog-zoom-invalid = ❌ 扩图倍数必须是 1.0 到 2.0 之间的数字，而不是 `{ $value }`。未提交任何内容。

## /quota（bot/client/credits/member.py）。

quota-left = **今日剩余积分：** { $left } / { $daily }
quota-left-unlimited = **今日剩余积分：** 不限
quota-bonus = **奖励积分：** { $bonus }
# 上限为 0：不限，不显示“/ 上限”。
quota-jobs = **进行中的任务：** { $running_limit ->
        [0] { $running }
       *[other] { $running } / { $running_limit }
    } · **排队中：** { $waiting_limit ->
        [0] { $waiting }
       *[other] { $waiting } / { $waiting_limit }
    }
# $reset：Unix 时间，由 Discord 按读者的时钟显示。
quota-reset = **每日积分恢复于** <t:{ $reset }:t>（<t:{ $reset }:R>）
quota-prices = **价格：** 任务积分 = 该操作的积分 × 以下系数（速度模式，`--q`，以及 V8 上的 `--hd`、`--sref`、情绪板 `--profile`），向上取整：{ $factors }
job-price = 💳 此任务花费 { $cost } 积分（{ $base } × { $factors }）。

## /history（bot/client/credits/member.py）。$refunded 为 yes 或 no。

history-empty = 你还没有任何任务。
history-no-more = 没有更多任务了。
history-title = **你的任务**（第 { $page } 页）
history-line = { $icon } **#{ $id }** { $action } · { $refunded ->
        [yes] 已退还 { $cost } 积分
       *[no] { $cost } 积分
    } · { $prompt }
history-not-yours = 这些页面属于其他成员。

## /job（bot/client/credits/member.py）；/show 也用 job-none 拒绝。

job-none = 你在本服务器没有编号为 #{ $id } 的任务。
job-heading = **任务 #{ $id }** · { $action }
job-heading-titled = **任务 #{ $id }** · { $action } · { $title }
job-owner = **发起人** <@{ $user_id }> · { $icon } { $status }
job-owner-running = **发起人** <@{ $user_id }> · { $icon } { $status }（{ $progress }%）
job-cost = **花费：** { $refunded ->
        [yes] { $cost } 积分（已退还）
       *[no] { $cost } 积分
    }
job-prompt = **提示词：** { $prompt }
job-made-from = **来源：** { $chain }
job-error = **错误：** { $error }

## 任务的类型，见 /history 与 /job：`action-` 加 JobAction 的值，`_` 写作 `-`（bot/core/models.py）。

action-imagine = 想象
action-upscale = 放大
action-variation = 变体
action-reroll = 重绘
action-upscale-hd = 高清放大
action-vary-subtle = 细微变体
action-vary-strong = 强烈变体
action-vary-region = 局部重绘
action-zoom = 扩图
action-custom-zoom = 自定义扩图
action-pan = 平移
action-bookmark = 收藏
action-blend = 混合
action-describe = 描述
action-describe-pick = 按描述生成
action-shorten = 精简
action-video = 视频
action-video-extend = 延长视频
action-video-upscale = 视频放大
action-edit = 编辑
action-other = 其他

## 任务的状态，见 /job：`status-` 加 JobStatus 的值，`_` 写作 `-`。

status-waiting = 排队中
status-submitting = 提交中
status-queued = 等待开始
status-running = 进行中
status-needs-input = 等待输入
status-mirroring = 等待同一张放大图
status-succeeded = 已完成
status-failed = 失败
status-cancelled = 已取消

## /mjadmin set 拒绝的设置（bot/client/credits/admin.py，`apply_setting`），显示在“❌ ”之后。

admin-number-or-default = `{ $name }` 需要一个整数（0 表示不限），或 `default`。
admin-number-off = `{ $name }` 需要一个整数（0 表示关闭）。
admin-negative = `{ $name }` 不能为负数。
admin-bad-timezone = `{ $value }` 不是有效的时区；请使用 `UTC` 或 `Asia/Shanghai` 这样的时区名称。
admin-bad-press-policy = `press_policy` 只能是 `anyone`（谁点按钮谁付费）或 `owner`（仅任务发起人可用）。
admin-bad-default-mode = `default_mode` 只能是 `fast`、`relax`、`turbo` 或 `none`。
admin-bad-default-bot = `default_bot` 只能是 `midjourney`、`niji` 或 `none`。
admin-bad-default-version = `default_version` 只能是 { $versions } 之一，或 `none`。
admin-bad-refund-cancelled = `refund_cancelled` 只能是 `on`（取消的任务退回积分）或 `off`。
admin-bad-video = `video` 只能是 `on`（提供生成视频及视频按钮）或 `off`。
admin-bad-translate-prompts = `translate_prompts` 只能是 `on`（请 API 翻译提示词）或 `off`。
admin-unknown-setting = 未知的设置项 `{ $name }`。

## /mjadmin show：服务器设置（bot/client/credits/admin.py，`describe_config`）。

admin-settings = **服务器设置**
admin-settings-limits = 每日积分：{ $daily_credits } · 每位成员同时进行：{ $user_running } · 每位成员排队：{ $user_waiting } · 全服务器同时进行：{ $server_running }
# 限额：$value 为数字（0：不限）或 admin-no-limit。
admin-no-limit = 不限
admin-default-value = { $value }（默认）
admin-settings-costs = 花费：{ $costs } · 系数（积分 = 花费 × 模式 × 参数，向上取整）：{ $factors }
admin-providers = 图像 API（新任务交给第一个可用的）：{ $providers }
admin-provider-up = `{ $name }` ✅ 正常
admin-provider-down = `{ $name }` ⛔ 暂停使用至 <t:{ $until }:T>（{ $reason }）
admin-bad-factor = `{ $name }` 需要 0 到 100 之间的精确比例，例如 2、0.5 或 1/4，或 `default`。
admin-settings-defaults = 时区：{ $timezone } · 按钮：{ $press_policy } · 模式：{ $mode } · 模型：{ $bot } · 版本：{ $version }
admin-api-default = API 默认
admin-settings-tiers = 角色档位：{ $tiers }
# 列表中一个角色的档位；0 表示不限。
admin-tier-entry = { $role } 每日 { $daily ->
        [0] ∞
       *[other] { $daily }
    } 积分，同时进行 { $running ->
        [0] ∞
       *[other] { $running }
    } 个
admin-settings-unlimited = 不限额角色：{ $roles }
admin-settings-channels = 可用频道：{ $channels }
admin-settings-banned = 屏蔽词：{ $words }
admin-settings-blocked = 已封禁成员：{ $members }
admin-settings-strikes = 当日封禁前允许的审核违规次数：{ $strikes ->
        [0] 关闭
       *[other] { $strikes }
    }
# $refund 为 on 或 off。
admin-settings-refund = 取消的任务退回积分：{ $refund ->
        [on] 开
       *[off] 关
    }
# $video 为 on 或 off。
admin-settings-video = 视频（生成视频、延长、视频 U1–U4）：{ $video ->
        [on] 开
       *[off] 关
    }
admin-settings-translate = 由 API 翻译提示词：{ $translate ->
        [on] 开
       *[off] 关
    }
admin-settings-strikes-today = 今日违规：{ $strikes }
admin-none = 无
admin-all = 全部

## /mjadmin 的回答（bot/client/credits/admin.py）。

admin-no-permission = ❌ /绘图管理 需要“管理服务器”权限。
admin-limits-negative = ❌ 限额不能为负数。
admin-give-word = ❌ 请提供一个词。
admin-set = ✅ `{ $setting }` 已设为 `{ $value }`。
# 0 表示不限。
admin-tier = ✅ { $role }：{ $daily ->
        [0] 每日积分不限
       *[other] 每日 { $daily } 积分
    }，{ $running ->
        [0] 同时进行的任务数不限
       *[other] 最多同时进行 { $running } 个任务
    }。
admin-untier = ✅ { $role } 的档位已移除。
admin-unlimited-on = ✅ { $role } 现在不受每日额度限制。
admin-unlimited-off = ✅ { $role } 不再免除每日额度限制。
admin-granted = ✅ 已向 { $member } 赠送 { $amount } 奖励积分，对方现有 { $total } 奖励积分。
admin-bonus-now = ✅ { $member } 现有 { $total } 奖励积分。
admin-reset = ✅ 已为 { $member } 恢复今日的 { $restored } 积分，并清除了今日的违规记录。
admin-blocked = ✅ 已封禁 { $member }。
admin-unblocked = ✅ 已解封 { $member }。
admin-channel-allowed = ✅ 已允许在 { $channel } 使用机器人。
admin-channel-unlisted = ✅ 已将 { $channel } 移出允许列表。
admin-word-banned = ✅ 已屏蔽 `{ $word }`。
admin-word-allowed = ✅ 已解除屏蔽 `{ $word }`。
admin-export = 本服务器的积分账本：
admin-usage = **用量**

## 成员自己的默认设置：/prefer suffix 和 /settings（bot/client/preferences）。
prefer-suffix-set = ✅ 你的后缀现在是 `{ $suffix }`：你在本服务器 /imagine 的每个提示词末尾都会加上它。
prefer-suffix-cleared = ✅ 已清除你的后缀：提示词将按你写的原样发送。
prefer-suffix-refused = ❌ { $reason } 你的后缀没有改变。
settings-title = **你在本服务器的设置**（命令中自选的模式或机器人仍然优先）
settings-mode = **模式：** { $mode }
settings-bot = **机器人：** { $bot }
settings-version = **版本：** { $version }
settings-remix-on = **Remix：** 开启（变体、重新生成和平移会先让你修改提示词）
settings-remix-off = **Remix：** 关闭
settings-suffix = **后缀：** `{ $suffix }`
settings-suffix-none = **后缀：** 无
settings-server-default = 服务器默认：{ $value }
settings-mode-placeholder = 模式
settings-bot-placeholder = 机器人
settings-version-placeholder = Midjourney 版本
settings-not-yours = 这是其他成员的设置。请用 /settings 打开你自己的设置。
button-remix-on = 开启 Remix
button-remix-off = 关闭 Remix
button-suffix = 后缀…
dialog-suffix = 你的后缀
dialog-suffix-field = 加在每次 /imagine 的末尾（留空：无）
feature-off = 本服务器已关闭此功能。

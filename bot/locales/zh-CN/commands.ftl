# Discord 列出的斜杠命令（bot/client/translator.py）。键与 en-US 相同；en-US 的值正是代码装饰器中的英文。

## 命令、命令组和子命令的名称：小写，1-32 个字母、数字、- 或 _，不含空格（Discord 的规则）。

cmd-imagine = 想象
cmd-blend = 混合
cmd-describe = 描述
cmd-shorten = 精简
cmd-edit = 编辑
cmd-show = 查看
cmd-quota = 额度
cmd-history = 历史
cmd-job = 任务
cmd-mjadmin = 绘图管理
cmd-set = 设置
cmd-factor = 系数
cmd-tier = 档位
cmd-untier = 取消档位
cmd-unlimited = 不限额
cmd-grant = 赠送
cmd-revoke = 收回
cmd-reset = 重置
cmd-block = 封禁
cmd-unblock = 解封
cmd-channel = 频道
cmd-banword = 屏蔽词
cmd-export = 导出
cmd-showcase = 精选
cmd-gallery = 画廊
cmd-stats = 统计
cmd-prefer = 偏好
cmd-suffix = 后缀
cmd-settings = 个人设置

## /imagine、/blend、/describe、/shorten、/show（cogs/generation/commands.py）。

cmd-imagine-desc = 根据文字提示词生成四张图片
opt-imagine-prompt-desc = 要画的内容，可附带 Midjourney 参数（最多 1500 个字符）
opt-imagine-image-desc = 参考图（PNG、JPEG、WebP 或 GIF）
opt-imagine-image2-desc = 第二张参考图
opt-imagine-image3-desc = 第三张参考图
opt-mode-desc = 快速、慢速或极速模式（默认：服务器设置）
opt-bot-desc = Midjourney 或 Niji
cmd-blend-desc = 将 2 到 5 张图片混合成一张新图
opt-blend-image1-desc = 第一张图片
opt-blend-image2-desc = 第二张图片
opt-blend-image3-desc = 第三张图片
opt-blend-image4-desc = 第四张图片
opt-blend-image5-desc = 第五张图片
opt-blend-dimensions-desc = 生成图片的比例（默认方形）
cmd-describe-desc = 用四条提示词描述一张图片
opt-describe-image-desc = 要描述的图片
cmd-shorten-desc = 把提示词精简成几个短版本，选一个来生成
opt-shorten-prompt-desc = 要精简的提示词
cmd-show-desc = 重新展示一个已完成的任务及其按钮
cmd-edit-desc = 按提示词重绘你的图片，整张或部分区域
opt-edit-image-desc = 要编辑的图片（PNG、JPEG、WebP 或 GIF）
opt-edit-prompt-desc = 图片应变成什么样（最多 1500 个字符）
opt-edit-area-desc = 整张图片（默认），或在 3×3 九宫格上选择的区域
choice-fast = 快速 (Fast)
choice-relax = 慢速 (Relax)
choice-turbo = 极速 (Turbo)
choice-midjourney = Midjourney
choice-niji = Niji（动漫风格）
choice-portrait = 竖版 (2:3)
choice-square = 方形 (1:1)
choice-landscape = 横版 (3:2)
choice-whole = 整张图片
choice-parts = 在九宫格上选择区域

## /quota、/history、/job（bot/client/credits/member.py）；也用于 /show 的任务编号。

cmd-quota-desc = 你今天剩余的积分、奖励积分和任务
cmd-history-desc = 你最近的任务
cmd-job-desc = 单个任务的提示词、来源、状态和花费
opt-job-id-desc = 任务编号（见 /历史）

## /mjadmin（bot/client/credits/admin.py）。

cmd-mjadmin-desc = 管理本服务器的绘图机器人
cmd-mjadmin-show-desc = 查看本服务器的设置
cmd-mjadmin-set-desc = 设置限额、花费、时区或默认值
opt-mjadmin-value-desc = 一个数字（0 = 不限，`default` = 机器人默认值），或选项中列出的词
cmd-mjadmin-factor-desc = 设置价格表的一个系数（模式、--q、--hd、--sref）
opt-mjadmin-factor-value-desc = 精确比例，例如 2、0.5 或 1/4（0 = 免费），或 `default`
cmd-mjadmin-tier-desc = 为角色单独设置每日积分和同时进行的任务上限
opt-mjadmin-daily-desc = 每日积分（0 = 不限）
opt-mjadmin-running-desc = 同时进行的任务数（0 = 不限）
cmd-mjadmin-untier-desc = 移除角色的档位
cmd-mjadmin-unlimited-desc = 让某个角色的成员不受每日额度限制
cmd-mjadmin-grant-desc = 给成员赠送奖励积分（永不过期）
cmd-mjadmin-revoke-desc = 收回奖励积分
cmd-mjadmin-reset-desc = 恢复成员今天已用掉的积分
cmd-mjadmin-block-desc = 禁止成员在本服务器使用机器人
cmd-mjadmin-unblock-desc = 允许被封禁的成员重新使用机器人
cmd-mjadmin-channel-desc = 允许或禁止在某个频道使用机器人（未列出任何频道时：全部可用）
cmd-mjadmin-banword-desc = 添加或移除提示词中的屏蔽词
cmd-mjadmin-export-desc = 导出本服务器的积分账本（CSV 文件）
cmd-mjadmin-stats-desc = 今天和本月的任务、积分与失败统计，附图表

## /mjadmin set 提供的设置项（选项名称）。

choice-daily-credits = 每日积分 daily_credits
choice-user-running = 每位成员同时进行 user_running
choice-user-waiting = 每位成员排队 user_waiting
choice-server-running = 全服务器同时进行 server_running
choice-cost-grid = 四宫格花费 cost_grid
choice-cost-upscale = 放大花费 cost_upscale
choice-cost-hd-upscale = 高清放大花费 cost_hd_upscale
choice-cost-describe = 描述花费 cost_describe
choice-cost-video = 视频花费 cost_video
choice-cost-edit = 编辑花费 cost_edit
choice-timezone = 时区 timezone
choice-press-policy = 按钮权限 press_policy (anyone | owner)
choice-default-mode = 默认模式 default_mode (fast | relax | turbo | none)
choice-default-bot = 默认模型 default_bot (midjourney | niji | none)
choice-default-version = 默认版本 default_version (8.1 | 8 | 7 | 6.1 | none)
choice-moderation-strikes = 审核违规上限 moderation_strikes (0 = 关闭)
choice-refund-cancelled = 取消退款 refund_cancelled (on | off)
choice-video = 视频功能 video (on | off)
choice-factor-fast = 快速模式系数 factor_fast
choice-factor-relax = 慢速模式系数 factor_relax
choice-factor-turbo = 极速模式系数 factor_turbo
choice-factor-q-quarter = 质量 .25 系数 factor_q_quarter
choice-factor-q-half = 质量 .5 系数 factor_q_half
choice-factor-q2 = 质量 2 系数 factor_q2
choice-factor-q4 = 质量 4 系数 factor_q4
choice-factor-hd = 高清 --hd 系数 factor_hd
choice-factor-sref = 风格参考 --sref 系数 factor_sref
choice-factor-moodboard = 情绪板系数 factor_moodboard

## /prefer suffix 和 /settings（bot/client/preferences/commands.py）。

cmd-prefer-desc = 你在本服务器的个人默认设置
cmd-prefer-suffix-desc = 加在你每次 /imagine 提示词末尾的文字
opt-prefer-value-desc = 后缀，例如 --ar 16:9 --style raw（不填则清除）
cmd-settings-desc = 你在本服务器的默认设置：模式、机器人、Remix 和后缀
choice-translate-prompts = 翻译提示词 translate_prompts (on | off)

## /gallery and /mjadmin showcase (bot/client/gallery/feature.py, bot/client/credits/admin.py).

cmd-gallery-desc = 本服务器网页画廊的私人链接
cmd-mjadmin-showcase-desc = ⭐ 发布完成图片的频道（不填：关闭）

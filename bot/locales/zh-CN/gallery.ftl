# 精选与网页画廊（bot/client/gallery）：先是 Discord 里的回答，然后是网页。

## Discord 里的 ⭐ 精选与 /gallery（feature.py、showcase_button.py）；/mjadmin showcase（credits/admin.py）。

button-showcase = 精选
showcase-not-yours = 只有生成这张图片的成员或管理员可以把它发到精选频道。
showcase-no-channel = 本服务器还没有精选频道：管理员可用 /mjadmin showcase 设置。
showcase-posting = 这张图片正在发往精选频道。
showcase-already = 这张图片已在精选频道：{ $link }
showcase-posted = ⭐ 已发到精选频道：{ $link }
showcase-no-image = 这张图片已无法获取（API 的链接和它的 Discord 消息都已不在），因此无法发布。
showcase-cannot-post = 机器人无法在 { $channel } 发消息：请管理员检查它在该频道的权限（发送消息、附加文件）。
showcase-post = ⭐ **{ $prompt }** 作者 { $member }
    { $link }
admin-showcase-set = ⭐ 现在会把完成的图片发到 { $channel }。
admin-showcase-off = 精选已关闭：⭐ 会告诉成员没有精选频道。
admin-settings-showcase = **精选频道：** { $channel }
gallery-off = 这个机器人没有开启网页画廊：需要运营者设置 GALLERY_PUBLIC_URL 和 OPS_PORT。
gallery-link = { $which } { $url }
    链接在 { $hours } 小时内有效。拿到链接的人都能看到其中的内容，请勿外传。
gallery-link-own = 你在网页上的图片：
gallery-link-server = 本服务器在网页上的图片（你是管理员）：

## 网页（pages.py、site.py）。

gallery-title-own = 我的图片
gallery-title-server = 本服务器的图片
gallery-everyone = 所有人
gallery-filter-member = 成员
gallery-filter-prompt = 提示词包含
gallery-filter-kind = 类型
gallery-every-kind = 所有类型
gallery-filter-from = 起始日期
gallery-filter-to = 截止日期
gallery-filter-apply = 筛选
gallery-filter-clear = 清除
gallery-empty = 这里没有图片。
gallery-older = 更早的图片 →
gallery-kind = { $kind ->
    [imagine] 想象
    [blend] 混合
    [upscale] 放大
    [variation] 变体
    [zoom] 缩放
    [pan] 平移
    [edit] 编辑
    [video] 视频
   *[other] 其他
}
gallery-hidden-tag = 已隐藏
gallery-made-by = 作者
gallery-made-at = 完成时间
gallery-size = 尺寸
gallery-mode = 模式
gallery-parameters = 参数
gallery-parent = 来源图片
gallery-children = 由这张图片生成
gallery-open-discord = 在 Discord 中打开它的消息
gallery-hide = 在服务器画廊中隐藏
gallery-unhide = 重新在服务器画廊中显示
gallery-delete = 从画廊中删除
gallery-hide-explained = 隐藏的图片只有你能看到；删除的图片谁都看不到。它的 Discord 消息仍会保留。
gallery-back = 所有图片
gallery-refused-title = 链接被拒绝
gallery-link-refused = 这个链接已过期或无效。请在 Discord 中用 /gallery 获取新链接。
gallery-no-such-image = 这个画廊里没有这张图片。

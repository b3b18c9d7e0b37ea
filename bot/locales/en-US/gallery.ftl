# The showcase and the web gallery (bot/client/gallery): Discord answers, then the web pages.

## ⭐ Showcase and /gallery in Discord (feature.py, showcase_button.py); /mjadmin showcase (credits/admin.py).

button-showcase = Showcase
showcase-not-yours = Only the member who made this image, or a moderator, can post it to the showcase.
showcase-no-channel = This server has no showcase channel yet: an admin sets one with /mjadmin showcase.
showcase-posting = This image is being posted to the showcase right now.
showcase-already = This image is already in the showcase: { $link }
showcase-posted = ⭐ Posted to the showcase: { $link }
showcase-no-image = This image cannot be fetched any more (the API's link and its Discord message are gone), so it cannot be posted.
showcase-cannot-post = The bot cannot post in { $channel }: an admin should check its permissions there (Send Messages, Attach Files).
showcase-post = ⭐ **{ $prompt }** by { $member }
    { $link }
admin-showcase-set = ⭐ now posts finished images to { $channel }.
admin-showcase-off = The showcase is off: ⭐ tells members there is no showcase channel.
admin-settings-showcase = **Showcase channel:** { $channel }
gallery-off = The web gallery is not set up on this bot: its operator sets GALLERY_PUBLIC_URL and OPS_PORT.
gallery-link = { $which } { $url }
    The link works for { $hours } hours. Whoever has it sees what it shows, so keep it to yourself.
gallery-link-own = Your images on the web:
gallery-link-server = This server's images on the web (you moderate it):

## The web pages (pages.py, site.py).

gallery-title-own = My images
gallery-title-server = This server's images
gallery-everyone = Everyone
gallery-filter-member = Member
gallery-filter-prompt = Prompt contains
gallery-filter-kind = Kind
gallery-every-kind = Every kind
gallery-filter-from = From
gallery-filter-to = To
gallery-filter-apply = Filter
gallery-filter-clear = Clear
gallery-empty = No images here.
gallery-older = Older images →
gallery-kind = { $kind ->
    [imagine] Imagine
    [blend] Blend
    [upscale] Upscale
    [variation] Variation
    [zoom] Zoom
    [pan] Pan
    [edit] Edit
    [video] Video
   *[other] Other
}
gallery-hidden-tag = Hidden
gallery-made-by = By
gallery-made-at = Finished
gallery-size = Size
gallery-mode = Mode
gallery-parameters = Parameters
gallery-parent = Made from
gallery-children = Made from this image
gallery-open-discord = Open its message in Discord
gallery-hide = Hide from the server's gallery
gallery-unhide = Show in the server's gallery again
gallery-delete = Delete from the gallery
gallery-hide-explained = A hidden image is seen only by you; a deleted one by no one. Its Discord message stays.
gallery-back = All images
gallery-refused-title = Link refused
gallery-link-refused = This link has expired or is not valid. Ask for a new one with /gallery in Discord.
gallery-no-such-image = There is no such image in this gallery.

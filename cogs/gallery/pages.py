"""The gallery's HTML: plain server-rendered pages, no JavaScript, a grid that fits a phone's width.

Every text from outside (prompts, member names, filter values) goes through `html.escape`; the words of the
pages are catalog keys in the link's language.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from bot.client.replies import jump_link
from bot.core.gallery import KINDS, Entry, Filters, Scope
from bot.core.prompts import parameters
from bot.core.text import Text
from bot.i18n import language, render

Names = Callable[[int], str]  # a member's display name, from the bot's cache (or their id)

CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#111318;color:#e8e8ec}
header,form,nav,main,article{max-width:1200px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:0}a{color:#9db4ff}.muted{color:#9a9aa6}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#9a9aa6;flex:1 1 140px}
input,select,button{font:inherit;padding:6px 8px;border-radius:6px;border:1px solid #3a3d48;background:#1c1f27;
color:#e8e8ec}
button{cursor:pointer;background:#3b4a9c;border-color:#3b4a9c}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
.cell{display:block;background:#1c1f27;border-radius:8px;overflow:hidden;text-decoration:none;color:inherit}
.cell img{width:100%;aspect-ratio:1;object-fit:cover;display:block;background:#2a2d36}
.cell>span{display:block;padding:6px 8px;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tag{display:inline-block;font-size:11px;background:#2f3442;border-radius:4px;padding:1px 5px;margin-right:4px}
article img.full{max-width:100%;border-radius:8px}
.prompt{white-space:pre-wrap;word-break:break-word;background:#1c1f27;padding:10px;border-radius:8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px}dt{color:#9a9aa6}dd{margin:0;word-break:break-word}
.actions{display:flex;gap:8px;flex-wrap:wrap}.danger{background:#8c2f39;border-color:#8c2f39}
""".strip()


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _t(text: Text, locale: str) -> str:
    return _e(render(text, locale))


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp or 0, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _page(title: str, locale: str, body: str) -> str:
    lang = "zh-CN" if language(locale) == "zh-CN" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{title}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def _kind_name(kind: str, locale: str) -> str:
    return _t(Text("gallery-kind", kind=kind), locale)


def _cell(entry: Entry, prefix: str, locale: str) -> str:
    job = entry.job
    hidden = f'<span class="tag">{_t(Text("gallery-hidden-tag"), locale)}</span>' if entry.hidden else ""
    return (
        f'<a class="cell" href="{prefix}image/{job.id}" data-job="{job.id}">'
        f'<img src="{prefix}thumb/{job.id}.jpg" alt="{_e(job.prompt[:200])}" loading="lazy">'
        f'<span>{hidden}<span class="tag">{_kind_name(entry.kind, locale)}</span>{_e(job.prompt[:120])}</span></a>'
    )


def _label(text: Text, locale: str, control: str) -> str:
    return f"<label>{_t(text, locale)}{control}</label>"


def filters_query(filters: Filters, raw: dict[str, str]) -> dict[str, str]:
    """The filter fields of the current page, to carry into the next page's link."""
    return {k: raw[k] for k in ("member", "q", "kind", "from", "to") if raw.get(k)}


def grid_page(
    scope: Scope,
    locale: str,
    entries: Sequence[Entry],
    cursor: int | None,
    filters: Filters,
    raw: dict[str, str],
    members: Sequence[int],
    names: Names,
) -> str:
    title = _t(Text("gallery-title-server") if scope.server else Text("gallery-title-own"), locale)
    fields = []
    if scope.server:
        options = [f'<option value="">{_t(Text("gallery-everyone"), locale)}</option>']
        for member in members:
            chosen = " selected" if filters.member == member else ""
            options.append(f'<option value="{member}"{chosen}>{_e(names(member))}</option>')
        select = f'<select name="member">{"".join(options)}</select>'
        fields.append(_label(Text("gallery-filter-member"), locale, select))
    search = f'<input type="search" name="q" maxlength="200" value="{_e(filters.text)}">'
    fields.append(_label(Text("gallery-filter-prompt"), locale, search))
    kinds = [f'<option value="">{_t(Text("gallery-every-kind"), locale)}</option>']
    for kind in KINDS:
        chosen = " selected" if filters.kind == kind else ""
        kinds.append(f'<option value="{kind}"{chosen}>{_kind_name(kind, locale)}</option>')
    fields.append(_label(Text("gallery-filter-kind"), locale, f'<select name="kind">{"".join(kinds)}</select>'))
    for name, label in (("from", Text("gallery-filter-from")), ("to", Text("gallery-filter-to"))):
        fields.append(_label(label, locale, f'<input type="date" name="{name}" value="{_e(raw.get(name, ""))}">'))
    form = (
        f'<form class="filters" method="get" action="./">{"".join(fields)}'
        f'<button type="submit" id="apply">{_t(Text("gallery-filter-apply"), locale)}</button>'
        f'<a href="./">{_t(Text("gallery-filter-clear"), locale)}</a></form>'
    )
    if entries:
        grid = f'<main class="grid" id="grid">{"".join(_cell(e, "", locale) for e in entries)}</main>'
    else:
        grid = f'<main id="grid"><p class="muted">{_t(Text("gallery-empty"), locale)}</p></main>'
    nav = ""
    if cursor is not None:
        query = urlencode({**filters_query(filters, raw), "before": str(cursor)})
        nav = f'<nav><a id="older" href="./?{_e(query)}">{_t(Text("gallery-older"), locale)}</a></nav>'
    header = f"<header><h1>{title}</h1></header>"
    return _page(title, locale, header + form + grid + nav)


def image_page(
    scope: Scope,
    locale: str,
    entry: Entry,
    parent: Entry | None,
    children: Sequence[Entry],
    names: Names,
) -> str:
    job = entry.job
    rows = [
        (Text("gallery-made-by"), _e(names(job.user_id))),
        (Text("gallery-made-at"), _e(_when(job.finished_at))),
        (Text("gallery-filter-kind"), _kind_name(entry.kind, locale)),
    ]
    if job.image_width and job.image_height:
        rows.append((Text("gallery-size"), f"{job.image_width} × {job.image_height}"))
    if job.mode:
        rows.append((Text("gallery-mode"), _e(job.mode)))
    written = ", ".join(f"--{name} {value}".rstrip() for name, value in parameters(job.prompt))
    rows.append((Text("gallery-parameters"), _e(written) if written else "—"))
    if parent is not None:
        link = f'<a id="parent" href="{parent.job.id}">{_e(parent.job.prompt[:80])} (#{parent.job.id})</a>'
        rows.append((Text("gallery-parent"), link))
    details = "".join(f"<dt>{_t(label, locale)}</dt><dd>{value}</dd>" for label, value in rows)
    jump = ""
    if job.message_id is not None:
        where = jump_link(job.guild_id, job.channel_id, job.message_id)
        jump = (
            f'<p><a id="discord" href="{_e(where)}" rel="noreferrer">{_t(Text("gallery-open-discord"), locale)}</a></p>'
        )
    made = ""
    if children:
        made = f'<h2>{_t(Text("gallery-children"), locale)}</h2><div class="grid" id="children">'
        made += "".join(_cell(c, "../", locale) for c in children) + "</div>"
    actions = ""
    if job.user_id == scope.user_id:
        toggle = (
            f'<button name="do" value="show">{_t(Text("gallery-unhide"), locale)}</button>'
            if entry.hidden
            else f'<button name="do" value="hide" id="hide">{_t(Text("gallery-hide"), locale)}</button>'
        )
        actions = (
            f'<form class="actions" method="post" action="{job.id}">{toggle}'
            f'<button name="do" value="delete" class="danger" id="delete">{_t(Text("gallery-delete"), locale)}'
            f'</button></form><p class="muted">{_t(Text("gallery-hide-explained"), locale)}</p>'
        )
    hidden = f'<p class="tag">{_t(Text("gallery-hidden-tag"), locale)}</p>' if entry.hidden else ""
    body = (
        f'<header><a href="../">← {_t(Text("gallery-back"), locale)}</a></header><article>{hidden}'
        f'<img class="full" src="../thumb/{job.id}.jpg" alt="{_e(job.prompt[:200])}">'
        f'<p class="prompt" id="prompt">{_e(job.prompt)}</p><dl>{details}</dl>{jump}{actions}{made}</article>'
    )
    return _page(_e(job.prompt[:60]), locale, body)


def refused_page(locale: str, reason: Text) -> str:
    title = _t(Text("gallery-refused-title"), locale)
    return _page(
        title, locale, f'<header><h1>{title}</h1></header><main><p id="refused">{_t(reason, locale)}</p></main>'
    )

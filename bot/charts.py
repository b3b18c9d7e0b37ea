"""Usage as a picture (matplotlib, Agg: no display needed): jobs per day by outcome, credits spent per day,
and the members who spent most. Slow enough (a few hundred ms) to run off the event loop."""

from __future__ import annotations

import io
from collections.abc import Mapping

from bot.core.usage import Usage


def usage_png(usage: Usage, title: str, names: Mapping[int, str] | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    names = names or {}
    labels = [d.day.strftime("%m-%d") for d in usage.days]
    positions = range(len(labels))
    figure, (jobs, credits, members) = plt.subplots(3, 1, figsize=(10, 11), constrained_layout=True)
    figure.suptitle(title)
    succeeded = [d.succeeded for d in usage.days]
    failed = [d.failed for d in usage.days]
    other = [d.other for d in usage.days]
    jobs.bar(positions, succeeded, color="#3ba55d", label="delivered")
    jobs.bar(positions, failed, bottom=succeeded, color="#ed4245", label="failed or cancelled")
    jobs.bar(positions, other, bottom=[s + f for s, f in zip(succeeded, failed, strict=True)], color="#faa61a",
             label="not finished")  # fmt: skip
    jobs.set_title(f"Jobs per day ({usage.jobs} in {len(usage.days)} days)")
    jobs.legend(loc="upper left")
    credits.bar(positions, [d.spent for d in usage.days], color="#5865f2")
    credits.set_title(f"Credits spent per day ({usage.spent} in {len(usage.days)} days)")
    for axis in (jobs, credits):
        axis.set_xticks(list(positions)[::3], labels[::3])
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # jobs and credits come whole
        axis.set_ylim(bottom=0, top=max(1.0, axis.get_ylim()[1] * 1.15))  # room for the legend
    members.set_title(f"Members who spent most credits in {len(usage.days)} days" + (" (top 10)" if usage.top else ""))
    if usage.top:
        top = list(reversed(usage.top))
        members.barh([names.get(m, str(m)) for m, _ in top], [c for _, c in top], color="#5865f2")
        members.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        members.axis("off")
        members.text(0.5, 0.5, "No credits spent yet", ha="center", va="center", transform=members.transAxes)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=80)
    plt.close(figure)
    return out.getvalue()

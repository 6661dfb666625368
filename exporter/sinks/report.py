"""A plan in words: one line per change for --dry-run, and the counts every push prints."""

from __future__ import annotations

from .plan import Plan

REMOVED_FATE = {None: "kept in Anki (--prune suspend|delete)", "suspend": "cards suspended",
                "delete": "note deleted"}


def plan_lines(plan: Plan) -> list[str]:
    lines = [f"create note type  {t.name}" for t in plan.create_notetypes]
    for update in plan.update_notetypes:
        parts = [*(f"template {name}" for name in update.templates), *(["css"] if update.css else [])]
        lines.append(f"update note type  {update.notetype.name}: {', '.join(parts)}")
    lines += [f"create deck       {name}" for name in plan.create_decks]
    lines += [f"upload media      {m.name}" for m in plan.media]
    lines += [f"add               {n.key}  -> {n.deck}" for n in plan.add]
    lines += [f"update            {u.note.key}: {_what(u)}" for u in plan.update]
    lines += [f"move              {m.note.key}: {', '.join(m.from_decks)} -> {m.note.deck}"
              for m in plan.move]
    lines += [f"edited in Anki    {u.note.key}: {', '.join(u.fields)} differ; not overwritten (--force)"
              for u in plan.edited]
    lines += [f"removed           {r.key}: {_fate(plan, r)}" for r in plan.removed]
    return lines


def summary(plan: Plan, done: bool) -> str:
    """`3 added, 1 updated, …`; with done=False the same in the future tense of a dry run."""
    if plan.is_empty:
        return "nothing to do: Anki already matches the source" + _remaining(plan)
    counts = [
        (len(plan.create_notetypes), "note type created", "note types created"),
        (len(plan.update_notetypes), "note type restyled", "note types restyled"),
        (len(plan.create_decks), "deck created", "decks created"),
        (len(plan.media), "media file uploaded", "media files uploaded"),
        (len(plan.add), "added", "added"),
        (len(plan.update), "updated", "updated"),
        (len(plan.move), "moved", "moved"),
        (len(plan.to_suspend), "suspended", "suspended"),
        (len(plan.to_delete), "deleted", "deleted"),
    ]
    text = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)
    prefix = "pushed: " if done else "would push: "
    return f"{prefix}{text}; {plan.unchanged} unchanged" + _remaining(plan)


def _remaining(plan: Plan) -> str:
    notes = []
    kept = len(plan.removed) - len(plan.to_delete)
    if plan.edited:
        notes.append(f"{len(plan.edited)} edited in Anki and left as they are (--force to overwrite)")
    if kept and plan.prune is None:
        notes.append(f"{kept} removed from the source but kept in Anki (--prune suspend|delete)")
    return "".join(f"; {n}" for n in notes)


def _what(update) -> str:
    parts = []
    if update.fields:
        parts.append(f"fields {', '.join(update.fields)}")
    if update.add_tags:
        parts.append(f"tags +{' +'.join(update.add_tags)}")
    if update.remove_tags:
        parts.append(f"tags -{' -'.join(update.remove_tags)}")
    return "; ".join(parts)


def _fate(plan: Plan, removed) -> str:
    if plan.prune == "suspend" and removed.suspended:
        return "already suspended"
    return REMOVED_FATE[plan.prune]

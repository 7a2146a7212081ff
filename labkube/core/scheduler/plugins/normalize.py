"""``helper.DefaultNormalizeScore``: scale raw scores so the highest becomes 100.

Mirrors pkg/scheduler/framework/plugins/helper/normalize_score.go. With ``reverse`` the
scale is flipped (fewest "bad things" scores highest), as TaintToleration uses it. All
zero raw scores stay 0 — or all become 100 when reversed.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import MAX_NODE_SCORE, ScoreList, repeated_score


def default_normalize_score(scores: dict, reverse: bool = False,
                            max_priority: int = MAX_NODE_SCORE) -> None:
    """Rewrite ``scores`` (node name -> raw int) in place."""
    max_count = max(scores.values(), default=0)
    if max_count == 0:
        if reverse:
            for name in scores:
                scores[name] = max_priority
        return
    for name, score in scores.items():
        score = max_priority * score // max_count
        scores[name] = max_priority - score if reverse else score


def default_normalize_list(scores: list, reverse: bool = False,
                           max_priority: int = MAX_NODE_SCORE) -> list:
    """The same over a list of raw scores; returns a new list (a :class:`ScoreList` in, one
    out when its distinct values are known)."""
    known = type(scores) is ScoreList
    max_count = max(scores.distinct if known else scores, default=0)
    if max_count == 0:
        if reverse:
            return repeated_score(max_priority, len(scores))
        return ScoreList(scores, set(scores.distinct)) if known else list(scores)
    if reverse:
        return [max_priority - max_priority * s // max_count for s in scores]
    return [max_priority * s // max_count for s in scores]

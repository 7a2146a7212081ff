"""A unified diff that is GNU diff's (``diff -u``, diffutils 3.8), line for line.

``kubectl diff`` does not compare objects itself: it writes the live and the merged object to
two folders and runs ``diff -u -N LIVE MERGED``. labkube writes no files and runs no program,
so this module computes what GNU diff would print. Python's ``difflib`` does not do: it finds
matches another way (Ratcliff-Obershelp), and where several diffs are equally short it may
choose another one than GNU diff, so the hunks would differ.

GNU diff's steps, each a function here (from diffutils' io.c and analyze.c and gnulib's
diffseq.h):

1. ``find_identical_ends``: the lines both files start and end with are set aside, except
   ``HORIZON`` (the context, 3) lines next to the differences;
2. every remaining line gets an equivalence class (equal lines, equal class);
3. ``discard_confusing_lines``: lines found nowhere in the other file (and runs of lines found
   too often there) are marked changed before the search, which makes it faster and steers it;
4. ``compareseq``/``diag``: Myers' O(ND) search for a shortest edit script, divide and conquer
   on the middle snake;
5. ``shift_boundaries``: each run of changes slides up or down over equal lines so that runs
   merge and, where possible, line up with a run in the other file;
6. the changes grouped into hunks with 3 lines of context (two changes at most 6 unchanged
   lines apart share a hunk), printed as ``@@ -a,b +c,d @@`` and `` ``/``-``/``+`` lines.

Checked against the real ``diff -u`` on generated inputs (tests/kubectl/test_kubectl_gaps_diff.py).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = 3
HORIZON = CONTEXT  # diff.c: the horizon is at least the context
_OFFSET_MAX = 1 << 62


def unified_hunks(a: list[str], b: list[str]) -> str:
    """The hunks (``@@`` lines onward) ``diff -u`` prints for two lists of lines (each ending in
    ``\\n``); "" when they are equal."""
    changed_a, changed_b = changes(a, b)
    return _print_hunks(a, b, changed_a, changed_b)


def changes(a: list[str], b: list[str]) -> tuple[list[bool], list[bool]]:
    """For each line of ``a`` (``b``): is it deleted (inserted)?"""
    changed_a, changed_b = [False] * len(a), [False] * len(b)
    start, end_a, end_b = _identical_ends(a, b)
    region_a, region_b = a[start:end_a], b[start:end_b]
    equivs_a, equivs_b = _equivalence_classes(region_a, region_b)
    flags_a, flags_b = [False] * len(region_a), [False] * len(region_b)
    kept_a, kept_b = _discard_confusing_lines(equivs_a, equivs_b, flags_a, flags_b)
    _compare(kept_a, kept_b, equivs_a, equivs_b, flags_a, flags_b)
    _shift_boundaries(equivs_a, flags_a, flags_b)
    _shift_boundaries(equivs_b, flags_b, flags_a)
    changed_a[start:end_a] = flags_a
    changed_b[start:end_b] = flags_b
    return changed_a, changed_b


# -- 1, 2: identical ends, equivalence classes ------------------------------------------------
def _identical_ends(a: list[str], b: list[str]) -> tuple[int, int, int]:
    """The region GNU diff hashes: from HORIZON lines before the first difference to HORIZON
    lines after the last one (the suffix never reaches back into the prefix)."""
    prefix = 0
    while prefix < len(a) and prefix < len(b) and a[prefix] == b[prefix]:
        prefix += 1
    start = max(0, prefix - HORIZON)
    suffix = 0
    while (suffix < min(len(a), len(b)) - prefix
           and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]):
        suffix += 1
    kept = min(suffix, HORIZON)
    return start, len(a) - suffix + kept, len(b) - suffix + kept


def _equivalence_classes(a: list[str], b: list[str]) -> tuple[list[int], list[int]]:
    classes: dict[str, int] = {}
    return ([classes.setdefault(line, len(classes) + 1) for line in a],
            [classes.setdefault(line, len(classes) + 1) for line in b])


# -- 3: discard_confusing_lines --------------------------------------------------------------
def _discard_confusing_lines(equivs_a: list[int], equivs_b: list[int], flags_a: list[bool],
                             flags_b: list[bool]) -> tuple[list[int], list[int]]:
    """Mark the lines to leave out of the search as changed; the indexes of those kept."""
    counts = ({}, {})
    for index, equivs in enumerate((equivs_a, equivs_b)):
        for equiv in equivs:
            counts[index][equiv] = counts[index].get(equiv, 0) + 1
    kept = []
    for index, (equivs, flags) in enumerate(((equivs_a, flags_a), (equivs_b, flags_b))):
        discards = _provisional_discards(equivs, counts[1 - index])
        _settle_discards(discards)
        for line, discard in enumerate(discards):
            if discard:
                flags[line] = True
        kept.append([line for line, discard in enumerate(discards) if not discard])
    return kept[0], kept[1]


def _provisional_discards(equivs: list[int], other_counts: dict[int, int]) -> list[int]:
    """1: the line is nowhere in the other file; 2: it is there more than ``many`` times."""
    many, tem = 5, len(equivs) // 64
    while True:
        tem >>= 2
        if tem <= 0:
            break
        many *= 2
    discards = []
    for equiv in equivs:
        matches = other_counts.get(equiv, 0)
        discards.append(1 if matches == 0 else 2 if matches > many else 0)
    return discards


def _settle_discards(discards: list[int]) -> None:
    """Keep a provisional discard only inside a run of discards that starts and ends with
    definite ones (analyze.c's rules, kept as they are)."""
    end, i = len(discards), 0
    while i < end:
        if discards[i] == 2:
            discards[i] = 0
        elif discards[i] != 0:
            j, provisional = i, 0
            while j < end and discards[j] != 0:
                provisional += discards[j] == 2
                j += 1
            while j > i and discards[j - 1] == 2:
                j -= 1
                discards[j] = 0
                provisional -= 1
            length = j - i
            if provisional * 4 > length:
                while j > i:
                    j -= 1
                    if discards[j] == 2:
                        discards[j] = 0
            else:
                _cancel_long_provisional_runs(discards, i, length)
                _cancel_edge_provisionals(discards, i, length, 1)
                i += length - 1
                _cancel_edge_provisionals(discards, i, length, -1)
        i += 1


def _cancel_long_provisional_runs(discards: list[int], i: int, length: int) -> None:
    minimum, tem = 1, length >> 2
    while True:
        tem >>= 2
        if tem <= 0:
            break
        minimum <<= 1
    minimum += 1
    j = consec = 0
    while j < length:
        if discards[i + j] != 2:
            consec = 0
        else:
            consec += 1
            if minimum == consec:
                j -= consec
            elif minimum < consec:
                discards[i + j] = 0
        j += 1


def _cancel_edge_provisionals(discards: list[int], i: int, length: int, step: int) -> None:
    consec = 0
    for j in range(length):
        at = i + j * step
        if j >= 8 and discards[at] == 1:
            break
        if discards[at] == 2:
            consec = 0
            discards[at] = 0
        elif discards[at] == 0:
            consec = 0
        else:
            consec += 1
        if consec == 3:
            break


# -- 4: compareseq and diag (Myers) -----------------------------------------------------------
@dataclass
class _Search:
    xv: list[int]
    yv: list[int]
    fd: dict
    bd: dict


def _compare(kept_a: list[int], kept_b: list[int], equivs_a: list[int], equivs_b: list[int],
             flags_a: list[bool], flags_b: list[bool]) -> None:
    search = _Search([equivs_a[i] for i in kept_a], [equivs_b[i] for i in kept_b], {}, {})
    stack = [(0, len(search.xv), 0, len(search.yv))]
    while stack:  # compareseq's recursion, first half first
        xoff, xlim, yoff, ylim = stack.pop()
        xv, yv = search.xv, search.yv
        while xoff < xlim and yoff < ylim and xv[xoff] == yv[yoff]:
            xoff += 1
            yoff += 1
        while xoff < xlim and yoff < ylim and xv[xlim - 1] == yv[ylim - 1]:
            xlim -= 1
            ylim -= 1
        if xoff == xlim:
            for y in range(yoff, ylim):
                flags_b[kept_b[y]] = True
        elif yoff == ylim:
            for x in range(xoff, xlim):
                flags_a[kept_a[x]] = True
        else:
            xmid, ymid = _diag(search, xoff, xlim, yoff, ylim)
            stack.append((xmid, xlim, ymid, ylim))
            stack.append((xoff, xmid, yoff, ymid))


def _diag(s: _Search, xoff: int, xlim: int, yoff: int, ylim: int) -> tuple[int, int]:
    """The middle snake: a point on a shortest edit path, searching from both corners."""
    fd, bd, xv, yv = s.fd, s.bd, s.xv, s.yv
    dmin, dmax = xoff - ylim, xlim - yoff
    fmid, bmid = xoff - yoff, xlim - ylim
    fmin = fmax = fmid
    bmin = bmax = bmid
    odd = (fmid - bmid) & 1
    fd[fmid] = xoff
    bd[bmid] = xlim
    while True:
        if fmin > dmin:
            fmin -= 1
            fd[fmin - 1] = -1
        else:
            fmin += 1
        if fmax < dmax:
            fmax += 1
            fd[fmax + 1] = -1
        else:
            fmax -= 1
        for d in range(fmax, fmin - 1, -2):
            tlo, thi = fd[d - 1], fd[d + 1]
            x = thi if tlo < thi else tlo + 1
            y = x - d
            while x < xlim and y < ylim and xv[x] == yv[y]:
                x += 1
                y += 1
            fd[d] = x
            if odd and bmin <= d <= bmax and bd[d] <= x:
                return x, y
        if bmin > dmin:
            bmin -= 1
            bd[bmin - 1] = _OFFSET_MAX
        else:
            bmin += 1
        if bmax < dmax:
            bmax += 1
            bd[bmax + 1] = _OFFSET_MAX
        else:
            bmax -= 1
        for d in range(bmax, bmin - 1, -2):
            tlo, thi = bd[d - 1], bd[d + 1]
            x = tlo if tlo < thi else thi - 1
            y = x - d
            while xoff < x and yoff < y and xv[x - 1] == yv[y - 1]:
                x -= 1
                y -= 1
            bd[d] = x
            if not odd and fmin <= d <= fmax and x <= fd[d]:
                return x, y


# -- 5: shift_boundaries ------------------------------------------------------------------------
def _shift_boundaries(equivs: list[int], flags: list[bool], other_flags: list[bool]) -> None:
    """Slide each run of changes over equal lines (analyze.c's ``shift_boundaries``)."""
    changed = _Padded(flags)
    other = _Padded(other_flags)
    i = j = 0
    i_end = len(flags)
    while True:
        while i < i_end and not changed[i]:
            while other[j]:
                j += 1
            j += 1
            i += 1
        if i == i_end:
            break
        start = i
        i += 1
        while changed[i]:
            i += 1
        while other[j]:
            j += 1
        while True:
            runlength = i - start
            while start and equivs[start - 1] == equivs[i - 1]:
                start -= 1
                changed[start] = True
                i -= 1
                changed[i] = False
                while changed[start - 1]:
                    start -= 1
                j -= 1
                while other[j]:
                    j -= 1
            corresponding = i if other[j - 1] else i_end
            while i != i_end and equivs[start] == equivs[i]:
                changed[start] = False
                start += 1
                changed[i] = True
                i += 1
                while changed[i]:
                    i += 1
                j += 1
                while other[j]:
                    j += 1
                    corresponding = i
            if runlength == i - start:
                break
        while corresponding < i:
            start -= 1
            changed[start] = True
            i -= 1
            changed[i] = False
            j -= 1
            while other[j]:
                j -= 1


class _Padded:
    """A flag list with GNU diff's always-false element just before and after it."""

    def __init__(self, flags: list[bool]) -> None:
        self.flags = flags

    def __getitem__(self, index: int) -> bool:
        return 0 <= index < len(self.flags) and self.flags[index]

    def __setitem__(self, index: int, value: bool) -> None:
        self.flags[index] = value


# -- 6: hunks -----------------------------------------------------------------------------------
def _change_list(changed_a: list[bool], changed_b: list[bool]) -> list[tuple[int, int, int, int]]:
    """build_script: (line0, deleted, line1, inserted) for each run of changes, in order."""
    script = []
    i = j = 0
    while i < len(changed_a) or j < len(changed_b):
        if (i < len(changed_a) and changed_a[i]) or (j < len(changed_b) and changed_b[j]):
            line0, line1 = i, j
            while i < len(changed_a) and changed_a[i]:
                i += 1
            while j < len(changed_b) and changed_b[j]:
                j += 1
            script.append((line0, i - line0, line1, j - line1))
        else:
            i += 1
            j += 1
    return script


def _print_hunks(a: list[str], b: list[str], changed_a: list[bool], changed_b: list[bool]) -> str:
    script = _change_list(changed_a, changed_b)
    out: list[str] = []
    index = 0
    while index < len(script):
        last = index
        while (last + 1 < len(script)
               and script[last + 1][0] - (script[last][0] + script[last][1]) < 2 * CONTEXT + 1):
            last += 1
        out.append(_hunk(a, b, script[index:last + 1]))
        index = last + 1
    return "".join(out)


def _hunk(a: list[str], b: list[str], changes: list[tuple[int, int, int, int]]) -> str:
    first, final = changes[0], changes[-1]
    low0 = max(0, first[0] - CONTEXT)
    low1 = first[2] - (first[0] - low0)
    high0 = min(len(a), final[0] + final[1] + CONTEXT)
    high1 = final[2] + final[3] + (high0 - (final[0] + final[1]))
    lines = [f"@@ -{_range(low0, high0)} +{_range(low1, high1)} @@\n"]
    at0 = low0
    for line0, deleted, line1, inserted in changes:
        lines += [" " + line for line in a[at0:line0]]
        lines += ["-" + line for line in a[line0:line0 + deleted]]
        lines += ["+" + line for line in b[line1:line1 + inserted]]
        at0 = line0 + deleted
    lines += [" " + line for line in a[at0:high0]]
    return "".join(_no_newline(line) for line in lines)


def _range(low: int, high: int) -> str:
    """print_unidiff_number_range: ``a,count``; one line: ``a``; none: the line before, ``,0``."""
    first, last = low + 1, high
    if last <= first:
        return f"{last},0" if last < first else f"{last}"
    return f"{first},{last - first + 1}"


def _no_newline(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"

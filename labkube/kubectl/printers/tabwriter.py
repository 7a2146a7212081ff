"""Go's text/tabwriter, the elastic-tabstop writer behind every kubectl table and describe page.

Mirrors text/tabwriter.Writer (left-aligned, padding with a pad character, no flags). Text is
split into lines and tab-terminated cells; the text after a line's last tab is not a cell and
is never padded. A *column block* is a run of consecutive lines that all have a cell in that
column; every cell of a block is padded to ``max(minwidth, widest cell + padding)``. Blocks are
found recursively, column by column, exactly like ``Writer.format``: that is why describe's
``Events:  <none>`` lines up with ``Tolerations:`` above it, and why a line with no tabs ends
every block.

kubectl get uses ``TabWriter(minwidth=6, tabwidth=4, padding=3)``; describe uses
``TabWriter(minwidth=0, tabwidth=8, padding=2)``. Widths count characters (runes), as Go does.

kubectl's writer is a fork (github.com/liggitt/tabwriter) with a ``RememberWidths`` flag: a
column is never narrower than it has been in that writer, across blocks and flushes. Pass the
same ``remembered`` list to every call that stands for one writer to get that behaviour (it
shows in ``kubectl events``, whose multi-line messages end blocks).
"""

from __future__ import annotations


def tabwrite(text: str, *, minwidth: int, padding: int, padchar: str = " ",
             remembered: list[int] | None = None) -> str:
    """Format ``text`` (lines of tab-separated cells) as Go's tabwriter would on Flush;
    ``remembered`` holds the widest width of each column so far (RememberWidths)."""
    trailing_newline = text.endswith("\n")
    raw_lines = text.split("\n")
    if trailing_newline:
        raw_lines.pop()
    lines = [line.split("\t") for line in raw_lines]
    out: list[str] = []
    _format(lines, 0, len(lines), [], minwidth, padding, padchar, out, remembered)
    result = "\n".join(out)
    return result + "\n" if trailing_newline else result


def _format(lines, line0, line1, widths, minwidth, padding, padchar, out, remembered=None) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, line0, this, widths, padchar, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        if remembered is not None:
            width = _remember_width(remembered, widths, width)
        _format(lines, line0, this, widths + [width], minwidth, padding, padchar, out, remembered)
        line0 = this
    _write_lines(lines, line0, line1, widths, padchar, out)


def _remember_width(remembered: list[int], widths: list[int], width: int) -> int:
    """RememberWidths: the block's width for this column, never below the widest used before."""
    column = len(widths)
    if len(remembered) < column:
        remembered.extend(widths[len(remembered):])
    if len(remembered) == column:
        remembered.append(width)
    elif remembered[column] > width:
        width = remembered[column]
    else:
        remembered[column] = width
    return width


def _write_lines(lines, line0, line1, widths, padchar, out) -> None:
    for i in range(line0, line1):
        cells = lines[i]
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell)
            if j < len(widths) and j < len(cells) - 1:
                parts.append(padchar * (widths[j] - len(cell)))
        out.append("".join(parts))


def kubectl_table(text: str) -> str:
    """kubectl's ``printers.GetNewTabWriter``: minwidth 6, tabwidth 4, padding 3."""
    return tabwrite(text, minwidth=6, padding=3)


def describe_table(text: str) -> str:
    """describe's ``tabbedString``: minwidth 0, tabwidth 8, padding 2."""
    return tabwrite(text, minwidth=0, padding=2)

"""``kubectl get --sort-by``: Go's ``sort.Sort`` with kubectl's ``Less``, so ties come out as kubectl's.

Mirrors k8s.io/kubectl/pkg/cmd/get/sorter.go (``RuntimeSort`` and ``TableSorter``, both sorted
with ``sort.Sort``) and Go 1.23's sort package (``pdqsort`` of zsortinterface.go). ``sort.Sort``
is not stable: rows whose values tie (events of the same second under
``--sort-by=.lastTimestamp``) come out in the order pattern-defeating quicksort leaves them,
which for more than 12 rows is not the order they came in. Sorting the same way here is what
makes labkube print the rows in the real kubectl's order.

kubectl's ``Less(i, j)``: the first value the JSONPath finds in each object; an object where it
finds nothing is less than anything (even another such object: ``Less`` is then true both
ways, and the quicksort's moves show it); ``null`` is less than any value; two numbers
compare as numbers; two strings as quantities when both parse as one (``9`` < ``10``,
``500Mi`` < ``2Gi``), otherwise as Go compares strings, byte by byte (``web-10`` < ``web-9``:
kubectl 1.32 has no natural order yet -- checked against it).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

MISSING = object()  # the JSONPath found nothing
MAX_INSERTION = 12


def value_less(a: Any, b: Any, parse_quantity: Callable[[str], Any]) -> bool:
    """sorter.go's ``Less`` on the first values found (``MISSING`` when none was)."""
    if a is MISSING:
        return True
    if b is MISSING:
        return False
    if a is None or b is None:
        return a is None and b is not None
    if _is_number(a) and _is_number(b):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        try:
            return parse_quantity(a) < parse_quantity(b)
        except (ValueError, TypeError, ArithmeticError):
            return a < b  # code point order is UTF-8's byte order
    return False  # kubectl exits with "unsortable type"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def go_sort(items: Sequence[Any], less: Callable[[Any, Any], bool]) -> list:
    """``sort.Sort`` of ``items`` by ``less``: a new list, in the order Go leaves it."""
    data = _Data(list(items), less)
    n = len(data.items)
    if n > 1:
        _pdqsort(data, 0, n, n.bit_length())
    return data.items


class _Data:
    """sort.Interface over a list."""

    def __init__(self, items: list, less: Callable[[Any, Any], bool]) -> None:
        self.items, self._less = items, less

    def less(self, i: int, j: int) -> bool:
        return self._less(self.items[i], self.items[j])

    def swap(self, i: int, j: int) -> None:
        self.items[i], self.items[j] = self.items[j], self.items[i]


# -- Go's pdqsort (sort/zsortinterface.go), step for step ---------------------------------------
_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2
_MASK64 = (1 << 64) - 1


def _insertion_sort(data: _Data, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and data.less(j, j - 1):
            data.swap(j, j - 1)
            j -= 1


def _sift_down(data: _Data, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and data.less(first + child, first + child + 1):
            child += 1
        if not data.less(first + root, first + child):
            return
        data.swap(first + root, first + child)
        root = child


def _heap_sort(data: _Data, a: int, b: int) -> None:
    first, lo, hi = a, 0, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(data, i, hi, first)
    for i in range(hi - 1, -1, -1):
        data.swap(first, first + i)
        _sift_down(data, lo, i, first)


def _pdqsort(data: _Data, a: int, b: int, limit: int) -> None:
    was_balanced, was_partitioned = True, True
    while True:
        length = b - a
        if length <= MAX_INSERTION:
            _insertion_sort(data, a, b)
            return
        if limit == 0:
            _heap_sort(data, a, b)
            return
        if not was_balanced:
            _break_patterns(data, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(data, a, b)
        if hint == _DECREASING:
            _reverse_range(data, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if was_balanced and was_partitioned and hint == _INCREASING:
            if _partial_insertion_sort(data, a, b):
                return
        if a > 0 and not data.less(a - 1, pivot):
            a = _partition_equal(data, a, b, pivot)
            continue
        mid, was_partitioned = _partition(data, a, b, pivot)
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            _pdqsort(data, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = right >= threshold
            _pdqsort(data, mid + 1, b, limit)
            b = mid


def _partition(data: _Data, a: int, b: int, pivot: int) -> tuple[int, bool]:
    data.swap(a, pivot)
    i, j = a + 1, b - 1
    while i <= j and data.less(i, a):
        i += 1
    while i <= j and not data.less(j, a):
        j -= 1
    if i > j:
        data.swap(j, a)
        return j, True
    data.swap(i, j)
    i, j = i + 1, j - 1
    while True:
        while i <= j and data.less(i, a):
            i += 1
        while i <= j and not data.less(j, a):
            j -= 1
        if i > j:
            break
        data.swap(i, j)
        i, j = i + 1, j - 1
    data.swap(j, a)
    return j, False


def _partition_equal(data: _Data, a: int, b: int, pivot: int) -> int:
    data.swap(a, pivot)
    i, j = a + 1, b - 1
    while True:
        while i <= j and not data.less(a, i):
            i += 1
        while i <= j and data.less(a, j):
            j -= 1
        if i > j:
            return i
        data.swap(i, j)
        i, j = i + 1, j - 1


def _partial_insertion_sort(data: _Data, a: int, b: int) -> bool:
    max_steps, shortest_shifting = 5, 50
    i = a + 1
    for _ in range(max_steps):
        while i < b and not data.less(i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < shortest_shifting:
            return False
        data.swap(i, i - 1)
        if i - a >= 2:
            for j in range(i - 1, 0, -1):
                if not data.less(j, j - 1):
                    break
                data.swap(j, j - 1)
        if b - i >= 2:
            for j in range(i + 1, b):
                if not data.less(j, j - 1):
                    break
                data.swap(j, j - 1)
    return False


def _break_patterns(data: _Data, a: int, b: int) -> None:
    length = b - a
    if length < 8:
        return
    state = length
    modulus = 1 << length.bit_length()
    for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
        state ^= (state << 13) & _MASK64
        state ^= state >> 17
        state ^= (state << 5) & _MASK64
        other = state & (modulus - 1)
        if other >= length:
            other -= length
        data.swap(idx, a + other)


def _choose_pivot(data: _Data, a: int, b: int) -> tuple[int, int]:
    shortest_ninther, max_swaps = 50, 4 * 3
    length = b - a
    swaps = [0]
    i, j, k = a + length // 4 * 1, a + length // 4 * 2, a + length // 4 * 3
    if length >= 8:
        if length >= shortest_ninther:
            i = _median(data, i - 1, i, i + 1, swaps)
            j = _median(data, j - 1, j, j + 1, swaps)
            k = _median(data, k - 1, k, k + 1, swaps)
        j = _median(data, i, j, k, swaps)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == max_swaps:
        return j, _DECREASING
    return j, _UNKNOWN


def _order2(data: _Data, a: int, b: int, swaps: list) -> tuple[int, int]:
    if data.less(b, a):
        swaps[0] += 1
        return b, a
    return a, b


def _median(data: _Data, a: int, b: int, c: int, swaps: list) -> int:
    a, b = _order2(data, a, b, swaps)
    b, c = _order2(data, b, c, swaps)
    a, b = _order2(data, a, b, swaps)
    return b


def _reverse_range(data: _Data, a: int, b: int) -> None:
    i, j = a, b - 1
    while i < j:
        data.swap(i, j)
        i, j = i + 1, j - 1

"""Quantities parse, compare and print exactly as Kubernetes' resource.Quantity."""

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from labkube.core.api.quantity import ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, parse_quantity

REGEX_MESSAGE = ("quantities must match the regular expression "
                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize(
    "text, canonical, amount",
    [
        ("100m", "100m", Fraction(1, 10)),
        ("0.5", "500m", Fraction(1, 2)),
        ("1.5", "1500m", Fraction(3, 2)),
        ("1000m", "1", Fraction(1)),
        ("1000", "1k", Fraction(1000)),
        ("1024", "1024", Fraction(1024)),
        ("128Mi", "128Mi", Fraction(128 * 2**20)),
        ("1.5Gi", "1536Mi", Fraction(3 * 2**29)),
        ("1.5Ki", "1536", Fraction(1536)),
        ("0.1Ki", "102400m", Fraction(1024, 10)),
        ("1e3", "1e3", Fraction(1000)),
        ("1.5e3", "1500", Fraction(1500)),
        ("-1", "-1", Fraction(-1)),
        ("0.0001n", "1n", Fraction(1, 10**9)),
        ("1.0000000001", "1000000001n", Fraction(1000000001, 10**9)),
        ("0", "0", Fraction(0)),
        ("0m", "0", Fraction(0)),
        ("+1", "+1", Fraction(1)),  # Kubernetes keeps text it deems canonical, sign and all
        ("12345678901234567890", "12345678901234567890", Fraction(12345678901234567890)),
    ],
)
def test_a_quantity_parses_to_its_exact_amount_and_prints_canonically(text, canonical, amount):
    quantity = parse_quantity(text)
    assert quantity.amount == amount
    assert str(quantity) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("", ERR_FORMAT_WRONG),
        ("abc", ERR_FORMAT_WRONG),
        ("1x", ERR_FORMAT_WRONG),
        ("1.5.5", ERR_FORMAT_WRONG),
        ("1Kb", ERR_FORMAT_WRONG),
        ("--1", ERR_SUFFIX),
        ("1e", ERR_SUFFIX),
        ("1Mb", ERR_FORMAT_WRONG),
    ],
)
def test_a_malformed_quantity_is_refused_with_kubernetes_message(text, message):
    with pytest.raises(ValueError) as err:
        parse_quantity(text)
    assert str(err.value) == message


def test_the_format_message_is_the_one_kube_apiserver_prints():
    assert ERR_FORMAT_WRONG == REGEX_MESSAGE
    assert ERR_NUMERIC == "unable to parse numeric part of quantity"


@pytest.mark.parametrize(
    "smaller, larger",
    [("100m", "0.2"), ("500Mi", "1Gi"), ("999", "1k"), ("1Gi", "1.1G"), ("-1", "0")],
)
def test_quantities_compare_by_value_across_suffixes(smaller, larger):
    assert parse_quantity(smaller) < parse_quantity(larger)
    assert not parse_quantity(larger) <= parse_quantity(smaller)


def test_beyond_exa_kubernetes_prints_the_mantissa_without_a_suffix():
    assert str(parse_quantity("1000E")) == "1"


def test_milli_value_rounds_up_and_equality_ignores_spelling():
    assert parse_quantity("250m").milli == 250
    assert parse_quantity("1n").milli == 1
    assert parse_quantity("1").value() == 1
    assert parse_quantity("1000m") == parse_quantity("1")


@given(
    number=st.integers(min_value=-10**12, max_value=10**12),
    scale=st.integers(min_value=0, max_value=6),
    suffix=st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "e3", "e-2"]),
)
def test_printing_then_parsing_a_quantity_keeps_its_value_and_its_text(number, scale, suffix):
    digits = str(abs(number)).rjust(scale + 1, "0")
    text = ("-" if number < 0 else "") + (digits[:-scale] + "." + digits[-scale:] if scale else digits)
    quantity = parse_quantity(text + suffix)
    # Beyond 10^18 Kubernetes has no SI suffix left and prints the bare mantissa (a Go quirk
    # this module keeps), so the round trip holds only below it.
    assume(abs(quantity.amount) < 10**18)
    again = parse_quantity(str(quantity))
    assert again.amount == quantity.amount
    assert str(again) == str(quantity)

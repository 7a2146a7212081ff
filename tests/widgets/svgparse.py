"""Read graphviz SVG back: where each shape is, and a structure to compare against goldens.

Positions are what a viewer sees: the shape's centre in the viewBox (graphviz draws in a group
translated by ``translate(4 H)``, applied here), so a picture that grew upwards would count as
moved even if the raw coordinates did not change.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

NS = {"svg": "http://www.w3.org/2000/svg"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _translate(root: ET.Element) -> tuple[float, float]:
    group = root.find("svg:g", NS)
    match = re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", group.get("transform", ""))
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


def _points(shape: ET.Element) -> list[tuple[float, float]]:
    if shape.tag.endswith("ellipse"):
        return [(float(shape.get("cx")), float(shape.get("cy")))]
    text = shape.get("points") or shape.get("d") or ""
    numbers = [float(n) for n in _NUMBER.findall(text)]
    return list(zip(numbers[::2], numbers[1::2]))


def groups(svg: str, css_class: str) -> dict[str, ET.Element]:
    """The ``<g>`` elements carrying a class, by id."""
    root = parse(svg)
    return {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g")
            if css_class in (g.get("class") or "").split()}


def positions(svg: str, css_class: str = "lk-pod") -> dict[str, tuple[float, float]]:
    """{group id: centre of its first shape, in viewBox coordinates}."""
    root = parse(svg)
    dx, dy = _translate(root)
    found = {}
    for gid, group in groups(svg, css_class).items():
        shape = next(s for s in group if s.tag.split("}")[1] in ("polygon", "path", "ellipse"))
        points = _points(shape)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        found[gid] = (round((min(xs) + max(xs)) / 2 + dx, 1), round((min(ys) + max(ys)) / 2 + dy, 1))
    return found


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter("{http://www.w3.org/2000/svg}text")]


def structure(svg: str) -> list[dict]:
    """Every group with its id, classes, texts and shapes (rounded): what a golden compares.

    Text coordinates are left out (they depend on the fonts installed); shapes are where
    labkube put them.
    """
    root = parse(svg)
    items = [{"svg": {k: root.get(k) for k in ("viewBox", "style")}}]
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        shapes = []
        for shape in group:
            tag = shape.tag.split("}")[1]
            if tag in ("polygon", "path", "ellipse", "polyline"):
                points = [(round(x), round(y)) for x, y in _points(shape)]
                shapes.append({"tag": tag, "fill": shape.get("fill"), "stroke": shape.get("stroke"),
                               "dash": shape.get("stroke-dasharray"), "points": points})
        items.append({"id": group.get("id"), "class": group.get("class"),
                      "texts": [t for t in (x.text for x in group.findall("svg:text", NS)) if t],
                      "shapes": shapes})
    return items

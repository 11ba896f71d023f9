"""The picture (SVG): well-formed, boxes apart, every drawn node's text there, subtree and depth,
the cap on big maps, escaping, and the download."""

import re
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from argmap import editing
from argmap.access import Access
from argmap.exports import FORMATS, svg
from argmap.exports.loading import MapExport
from argmap.models import Node
from argmap.synthetic import Shape, build_map
from tests.exportdata import CLAIMS, THESIS_TEXT, awkward_map

NS = {"svg": "http://www.w3.org/2000/svg"}


class Picture:
    """The parsed SVG and what a test asks of it."""

    def __init__(self, text: str):
        self.text = text
        self.root = ET.fromstring(text.encode())  # fails on anything not well-formed

    @property
    def boxes(self) -> list[ET.Element]:
        return self.root.findall("svg:g[@data-node]", NS)

    def box(self, label: str) -> ET.Element:
        return self.root.find(f"svg:g[@data-label='{label}']", NS)

    def labels(self) -> list[str]:
        return [g.get("data-label") for g in self.boxes]

    def node_ids(self) -> list[int]:
        return [int(g.get("data-node")) for g in self.boxes]

    @staticmethod
    def rect(box) -> tuple[float, float, float, float]:
        r = box.find("svg:rect", NS)
        return tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))

    @staticmethod
    def title(box) -> str:
        return box.find("svg:title", NS).text or ""

    @staticmethod
    def lines(box) -> list[str]:
        return [t.text or "" for t in box.findall("svg:text[@data-text]/svg:tspan", NS)]

    def heading_texts(self) -> list[str]:
        heading = self.root.find("svg:g[@data-heading]", NS)
        return ["".join(t.itertext()) for t in heading.iter("{http://www.w3.org/2000/svg}text")]


def picture(map_, **options) -> Picture:
    export = MapExport.load(Access.for_site_operator(map_))
    export.options = options
    return Picture(FORMATS["svg"].render(export))


def assert_boxes_apart(pic: Picture):
    rects = [pic.rect(b) for b in pic.boxes]
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in combinations(rects, 2):
        apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
        assert apart, f"boxes overlap: {(x1, y1, w1, h1)} and {(x2, y2, w2, h2)}"
    # Every box is inside the picture, below its heading.
    _, _, width, height = (float(v) for v in pic.root.get("viewBox").split())
    heading = pic.root.find("svg:g[@data-heading]", NS)
    heading_bottom = max(float(t.get("y")) for t in heading.iter("{http://www.w3.org/2000/svg}text"))
    for x, y, w, h in rects:
        assert 0 <= x and x + w <= width and y + h <= height
        assert y > heading_bottom


def assert_text_drawn(pic: Picture, export):
    for box in pic.boxes:
        node = export.node_by_id[int(box.get("data-node"))]
        # Characters XML cannot hold (vertical tab, form feed...) become spaces.
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", node.text)
        assert pic.title(box) == text
        drawn = " ".join(pic.lines(box))
        if box.get("data-repeat") is None:
            words = " ".join(text.split())
            assert drawn == words or (drawn.endswith(" …") and words.startswith(drawn.removesuffix(" …")))


def test_it_draws_every_thesis_tree_of_the_demo_map_with_boxes_apart(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    pic = picture(demo_map)
    assert pic.root.tag == "{http://www.w3.org/2000/svg}svg"
    assert pic.root.get("viewBox").startswith("0 0 ")
    assert [pic.title(pic.box(str(i))) for i in (1, 2)] == [t.text for t in export.theses]
    # Every node the reader sees is drawn in full once (the demo map is far below the cap).
    full = [int(b.get("data-node")) for b in pic.boxes if b.get("data-repeat") is None]
    assert sorted(full) == sorted(n.pk for n in export.live_nodes())
    assert_boxes_apart(pic)
    assert_text_drawn(pic, export)
    # The second tree is below the first.
    assert pic.rect(pic.box("2"))[1] > max(pic.rect(b)[1] for b in pic.boxes if b.get("data-label").startswith("1"))


def test_a_node_met_again_points_to_its_first_place(build):
    b = build()
    thesis = b.thesis()
    first = b.claim("First branch", under=thesis)
    second = b.claim("Second branch", under=thesis)
    shared = b.claim("Shared claim", under=first)
    b.claim("Reply to the shared claim", under=shared)
    editing.attach(shared, second, "oppose", b.owner)
    pic = picture(b.map)
    assert pic.labels() == ["1", "1.1", "1.1.1", "1.1.1.1", "1.2", "1.2.1"]
    repeat = pic.box("1.2.1")
    assert repeat.get("data-repeat") == ""
    assert pic.lines(repeat) == ["Drawn at 1.1.1: Shared claim"]
    assert "− Opposes" in "".join(repeat.find("svg:text", NS).itertext())


def test_support_and_opposition_differ_in_colour_line_and_marker(build):
    b = build()
    thesis = b.thesis()
    b.claim("For", under=thesis, stance="support")
    b.claim("Against", under=thesis, stance="oppose", quote="Moscow heard another.")
    pic = picture(b.map)
    edges = {p.get("data-stance"): p for p in pic.root.findall("svg:path[@data-stance]", NS)}
    support, oppose = edges["support"], edges["oppose"]
    assert support.get("stroke") != oppose.get("stroke")
    assert support.get("stroke-dasharray") is None and oppose.get("stroke-dasharray")
    assert support.get("marker-end") != oppose.get("marker-end")
    # The signs and words say it without colour; the legend explains all of it.
    headers = ["".join(b.find("svg:text", NS).itertext()) for b in pic.boxes]
    assert headers == ["Thesis 1", "1.1 · + Supports", "1.2 · − Opposes · Evidence"]
    assert any("+ supports" in t for t in pic.heading_texts())
    assert any("− opposes" in t for t in pic.heading_texts())
    assert any("evidence" in t for t in pic.heading_texts())
    # Evidence boxes look different too.
    assert pic.box("1.2").find("svg:rect", NS).get("fill") != pic.box("1.1").find("svg:rect", NS).get("fill")


def test_text_is_large_enough_to_project(demo_map):
    pic = picture(demo_map)
    sizes = [float(t.get("font-size")) for t in pic.root.iter("{http://www.w3.org/2000/svg}text")]
    assert sizes and min(sizes) >= 14
    # At 100 % one unit is one pixel.
    assert pic.root.get("width") == pic.root.get("viewBox").split()[2]


def test_depth_draws_that_many_levels_and_says_what_was_left_out(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    pic = picture(demo_map, depth=2)
    assert {label.count(".") for label in pic.labels()} == {0, 1}
    assert len(pic.boxes) == 2 + sum(len(export.children_of(t.pk)) for t in export.theses)
    left_out = len(export.live_nodes()) - len(set(pic.node_ids()))
    notice = next(t for t in pic.heading_texts() if "nodes drawn" in t)
    assert f"of {len(export.live_nodes())} nodes drawn to 2 levels: {left_out} left out" in notice
    assert any(f"/maps/{demo_map.code}/export/" in t for t in pic.heading_texts())
    # Boxes with replies left out say how many.
    first = pic.box("1.1")
    count = len(export.children_of(int(first.get("data-node"))))
    assert f"{count} more replies not drawn" in "".join(first.itertext())
    assert_boxes_apart(pic)


def test_a_chosen_subtree_is_drawn_alone(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    thesis = export.theses[0]
    branch = export.children_of(thesis.pk)[0].child
    pic = picture(demo_map, root=branch)
    assert pic.node_ids()[0] == branch and pic.labels()[0] == "1"
    assert set(pic.node_ids()) == {branch} | export.graph.descendants(branch)
    assert "Claim 1" in "".join(pic.box("1").itertext())
    assert not [t for t in pic.heading_texts() if "left out" in t]
    deeper = picture(demo_map, root=branch, depth=3)
    assert max(label.count(".") for label in deeper.labels()) == 2


def test_a_root_outside_the_map_is_refused(demo_map, build):
    other = build().thesis("Elsewhere")
    export = MapExport.load(Access.for_site_operator(demo_map))
    export.options = {"root": other.pk}
    with pytest.raises(ValueError):
        svg.render(export)


def test_a_big_map_is_capped_and_says_how_many_nodes_were_left_out(demo_map):
    big = build_map("Big", list(demo_map.sources.all()), Shape(nodes=900, theses=1), owner=demo_map.owner)
    export = MapExport.load(Access.for_site_operator(big))
    pic = picture(big)
    assert len(pic.boxes) == svg.MAX_BOXES
    drawn = len(set(pic.node_ids()))
    notice = next(t for t in pic.heading_texts() if "nodes drawn" in t)
    assert f"{drawn} of {len(export.live_nodes())} nodes drawn: {len(export.live_nodes()) - drawn} left out" in notice
    assert "root" in " ".join(pic.heading_texts()) and "depth" in " ".join(pic.heading_texts())
    # Level by level: everything above the deepest drawn level is there.
    levels = [label.count(".") for label in pic.labels()]
    assert set(range(max(levels) + 1)) == set(levels)
    assert_boxes_apart(pic)
    assert_text_drawn(pic, export)


def test_it_escapes_markup_ampersands_and_quotes(teacher):
    map_ = awkward_map(teacher)
    tricky = Node.objects.create(map=map_, kind="thesis", text='He said "<no> & \'yes\'"\x0b</svg><script>x</script>')
    export = MapExport.load(Access.for_site_operator(map_))
    text = FORMATS["svg"].render(export)
    assert "<script>" not in text and "<b>not</b>" not in text
    pic = Picture(text)
    assert pic.root.find("svg:title", NS).text == map_.title
    titles = [pic.title(b) for b in pic.boxes]
    assert THESIS_TEXT in titles and CLAIMS["minus"] in titles and CLAIMS["quoted"] in titles
    assert '''He said "<no> & 'yes'" </svg><script>x</script>''' in titles  # the control character a space
    assert pic.node_ids().count(tricky.pk) == 1
    assert CLAIMS["deleted"] not in titles and CLAIMS["pending"] in titles  # the owner sees pending ones
    assert_text_drawn(pic, export)
    assert_boxes_apart(pic)


def test_wrapped_lines_fit_their_box():
    long_word = "Антидезинформационный" * 3
    lines = svg.wrap(f"Short words first, then {long_word}\nand a new line", svg.TEXT_WIDTH, svg.TEXT_SIZE)
    assert all(svg.text_width(line, svg.TEXT_SIZE) <= svg.TEXT_WIDTH for line in lines)
    assert "".join(lines).replace(" ", "") == f"Shortwordsfirst,then{long_word}andanewline"
    assert lines[-1] == "and a new line"
    cut = svg.wrap("word " * 200, svg.TEXT_WIDTH, svg.TEXT_SIZE, max_lines=3)
    assert len(cut) == 3 and cut[-1].endswith(" …")


def test_a_tall_box_over_uneven_replies_stays_clear_of_its_neighbours():
    # The second reply's box is tall and its first reply short: centred between them, it would
    # reach up into the first reply's place.
    def box(label, height, *children):
        b = svg.Box(0, label, label.count(".") + 1, "support", children=list(children))
        b.height = height
        return b

    tree = box("1", 40, box("1.1", 60), box("1.2", 300, box("1.2.1", 40), box("1.2.2", 300)))
    svg.layout([tree], top=0)
    column = [b for b in svg.walk([tree]) if b.level == 2]
    first, second = column
    assert first.y + first.height + svg.ROW_GAP <= second.y
    assert tree.y >= 0


def test_a_map_without_theses_gives_a_picture_that_says_so(build):
    pic = picture(build().map)
    assert not pic.boxes
    assert "This map has no theses yet." in pic.heading_texts()


# The download


def test_it_downloads_a_subtree_to_some_depth(client, demo_map):
    thesis = MapExport.load(Access.for_site_operator(demo_map)).theses[1]
    response = client.get(f"/maps/{demo_map.code}/export/svg/?root={thesis.pk}&depth=2")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'attachment; filename="{demo_map.slug}.svg"'
    pic = Picture(response.content.decode())
    assert pic.node_ids()[0] == thesis.pk
    assert {label.count(".") for label in pic.labels()} == {0, 1}


@pytest.mark.parametrize("query", ["depth=0", "depth=x", "root=abc"])
def test_bad_choices_are_refused_with_a_message(client, demo_map, query):
    response = client.get(f"/maps/{demo_map.code}/export/svg/?{query}")
    assert response.status_code == 400


def test_a_root_from_another_map_is_not_found(client, demo_map, build):
    other = build().thesis("Elsewhere")
    response = client.get(f"/maps/{demo_map.code}/export/svg/?root={other.pk}")
    assert response.status_code == 404


# Its queries: tests/test_export_queries.py, for every format.
@pytest.mark.parametrize("nodes", [20, 1500])
def test_the_download_draws_a_small_or_large_map(client, demo_map, nodes):
    map_ = build_map(f"Map of {nodes}", list(demo_map.sources.all()), Shape(nodes=nodes), owner=demo_map.owner)
    response = client.get(f"/maps/{map_.code}/export/svg/")
    assert response.status_code == 200
    assert re.search(rb"data-node", response.content)

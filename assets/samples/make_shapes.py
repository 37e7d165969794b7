"""Writes the generated shape samples (shapes_*.png) beside this file: made by vggviz.data.shapes,
CC0. Run from the repository root: python assets/samples/make_shapes.py"""

from pathlib import Path

from vggviz.data import shapes

HERE = Path(__file__).resolve().parent
for label in ("star", "cross", "ring", "triangle"):
    # the first image of that class whose background is a gradient (not one of the flat ones)
    index = next(i for i in range(1000) if shapes.CLASSES[shapes.sample(42, i)[1]] == label
                 and not shapes.sample(42, i)[0].getpixel((0, 0)) == shapes.sample(42, i)[0].getpixel((63, 63)))
    shapes.sample(42, index, size=128)[0].save(HERE / f"shapes_{label}.png", optimize=True)
shapes.canvas(3, 256, 4)[0].save(HERE / "shapes_canvas.png", optimize=True)

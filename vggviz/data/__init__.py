"""Inputs: safe image loading, the shapes world, training's augmentation."""

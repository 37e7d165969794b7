"""Forward passes: one analysis of an image, dense evaluation, live input (a drawing, camera frames)."""
